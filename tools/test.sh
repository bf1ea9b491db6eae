#!/usr/bin/env bash
# The CI gates, in order: notebooks clean, library in sync with the notebooks, every notebook executes
# (with its embedded tests). Ends with the plain line `notebooks: N passed, M failed`.
# Usage: tools/test.sh [--flags slow]   (extra arguments go to nbdev_test)
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
snapshot() { find nbs fashion_nn -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' -print0 | sort -z | xargs -0 md5sum; }

# gate NAME CMD...: run CMD; fail if it errors or changes any notebook or library file.
gate() {
  local name=$1; shift
  local before after; before=$(snapshot)
  "$@" >/dev/null || fail=1
  after=$(snapshot)
  if [ "$before" != "$after" ]; then
    echo "FAIL $* changed files: not \"$name\" (run 'make export' and commit):"
    diff <(echo "$before") <(echo "$after") | sed -n 's/^> [0-9a-f]*  /    /p'
    fail=1
  else echo "ok   $name"; fi
}
gate "notebooks are clean" nbdev_clean
gate "library in sync with the notebooks" nbdev_export

# README.md is generated from nbs/index.ipynb (tools/readme.py, `make readme`); a stale one fails the suite.
python tools/readme.py --check || fail=1

# nbdev_test runs two notebooks at once (one per core). Each torch process would otherwise start a thread per core,
# and four busy threads on two cores thrash: the suite took 127 s that way instead of 21 s.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}
log=$(mktemp)
start=$(date +%s.%N)
nbdev_test --do_print --timing "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
secs=$(python3 -c "import time; print(f'{time.time()-$start:.1f}')")
total=$(grep -c '^Starting ' "$log")
failed=$(sed -n '/Tests Failed On The Following Notebooks/,$p' "$log" | grep -c $'^\t')
rm -f "$log"
[ "$rc" = 0 ] || fail=1
[ "$rc" != 0 ] && [ "$failed" = 0 ] && failed=$total   # nbdev_test itself broke: count everything as failed
echo "nbdev_test: ${secs}s of notebook execution"
echo "notebooks: $((total-failed)) passed, ${failed} failed"
[ "$total" -gt 0 ] || { echo "FAIL no notebook was tested"; fail=1; }
exit $fail
