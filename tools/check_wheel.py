#!/usr/bin/env python3
"""Build the package's wheel from the checkout (pip wheel: no dependencies, no build isolation, into a temporary folder)
and check its METADATA: every `Requires-Dist` outside the `dev` extra must be a range, never an `==` pin, so that
fashion_nn installs beside other code. The exact versions a reproducible run uses live in requirements-lock.txt.

Prints the Requires-Dist lines it found. The build/ and *.egg-info the build leaves in the checkout are removed, unless
they were there before. Usage: tools/check_wheel.py
"""
import shutil, subprocess, sys, tempfile, time, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wheel_metadata() -> str:
    "The METADATA of a wheel built from the checkout as it is now (settings.ini's requirements, via setup.py)."
    leftovers = lambda: {ROOT/'build', *ROOT.glob('*.egg-info')}
    before = {p for p in leftovers() if p.exists()}
    with tempfile.TemporaryDirectory() as tmp:
        try: r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--disable-pip-version-check', '--no-deps',
                                 '--no-build-isolation', '-w', tmp, str(ROOT)], capture_output=True, text=True)
        finally:
            for p in leftovers() - before: shutil.rmtree(p, ignore_errors=True)
        if r.returncode: sys.exit(f"FAIL pip wheel exited {r.returncode}: {(r.stderr.strip() or '?').splitlines()[-1]}")
        with zipfile.ZipFile(next(Path(tmp).glob('*.whl'))) as z:
            return z.read(next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))).decode()


def main():
    start = time.time()
    reqs = [l.split(':', 1)[1].strip() for l in wheel_metadata().splitlines() if l.startswith('Requires-Dist:')]
    for r in reqs: print(f"  Requires-Dist: {r}")
    pinned = [r for r in reqs if '==' in r.partition(';')[0] and 'extra == "dev"' not in r.partition(';')[2]]
    if pinned:
        name, _, v = pinned[0].partition(';')[0].strip().partition('==')
        major, minor = (v.split('.') + ['0'])[:2]
        eg = f"{name}>={v}" + (f",<{major}.{int(minor) + 1}" if minor.isdigit() else '')
        print(f"FAIL the wheel pins {', '.join(pinned)}: give it a range in settings.ini's requirements (e.g. {eg}); "
              "exact versions belong in requirements-lock.txt")
        return 1
    n = sum('extra ==' not in r for r in reqs)
    print(f"ok   the wheel's {n} requirements are ranges, no == pin ({len(reqs) - n} dev ones may pin) "
          f"({time.time()-start:.1f}s)")
    return 0


if __name__ == '__main__': sys.exit(main())
