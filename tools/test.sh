#!/usr/bin/env bash
# The CI gates, in order: notebooks clean, library in sync with the notebooks, every notebook executes (with its
# embedded tests) and its stored outputs match the fresh ones. Ends with `notebooks: N passed, M failed`.
# Usage: tools/test.sh [--flags slow]   (extra arguments go to tools/nbcheck.py)
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
snapshot() { find nbs fashion_nn -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' -print0 | sort -z | xargs -0 md5sum; }

# gate NAME CMD...: run CMD; fail if it fails, reports a notebook it could not process, or changes any file.
gate() {
  local name=$1; shift
  local before after out rc; before=$(snapshot)
  out=$("$@" 2>&1); rc=$?
  after=$(snapshot)
  if [ "$rc" = 0 ] && grep -q "^Failed to\|Failed to clean notebook" <<<"$out"; then rc=1; fi  # nbdev_clean only warns
  if [ "$before" != "$after" ]; then
    echo "FAIL $* changed files: not \"$name\" (run 'make export' and commit):"
    diff <(echo "$before") <(echo "$after") | sed -n 's/^> [0-9a-f]*  /    /p'
    fail=1; return 1
  elif [ "$rc" != 0 ] && grep -q '^FAIL ' <<<"$out"; then
    grep -v '^\s*$' <<<"$out"; fail=1; return 1  # the command says what failed and what to do
  elif [ "$rc" != 0 ]; then
    echo "FAIL $name: '$*' failed (exit status $rc):"
    grep -v '^\s*$' <<<"$out" | tail -n 8 | cut -c1-160 | sed 's/^/    /'
    fail=1; return 1
  else echo "ok   $name"; fi
}
# The output check starts first: it imports torch, fastai and the library (about 4 s, on one core) while the gates
# below run, and runs no notebook until they say "go" (tools/nbcheck.py --wait-for).
go=$(mktemp -d)
trap 'rm -rf "$go"' EXIT
say() { echo "$1" > "$go/word.tmp" && mv "$go/word.tmp" "$go/word"; }
python tools/nbcheck.py --wait-for "$go/word" "$@" & nbcheck=$!

gate "notebooks are clean" nbdev_clean || true
# Exports into a temporary copy and compares: a library file edited by hand is named, never overwritten. Notebooks
# would run against a library that is not theirs, so a failure here stops the run.
gate "library in sync with the notebooks" python tools/export_check.py || {
  say stop; wait $nbcheck; echo "stopped: no notebook was run"; exit 1; }

# Two gates that need nothing from the notebooks run one after the other on the other core, while nbcheck is still
# importing; their lines come after the notebooks'. README.md is generated from nbs/index.ipynb (tools/readme.py,
# `make readme`): a stale one fails the suite.
later=$(mktemp)
{ python tools/readme.py --check; r=$?; gate "the wheel's requirements are ranges" python tools/check_wheel.py && exit $r; } \
  >"$later" 2>&1 & beside=$!

# Every notebook runs once, in a process of its own (two at a time, one per core), on the numeric path the stored
# outputs came from (tools/numeric_path.py, which nbcheck applies: AVX2 kernels, one torch thread per notebook, the CPU).
say go
wait $nbcheck
rc=$?
[ "$rc" = 0 ] || { fail=1; [ "$rc" = 1 ] || echo "FAIL tools/nbcheck.py $* broke (exit status $rc): no notebook was checked"; }
wait $beside || fail=1; cat "$later"; rm -f "$later"
exit $fail
