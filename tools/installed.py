#!/usr/bin/env python3
"""Does the package import from this checkout? Another checkout sharing `.venv` can point the editable install at
itself; then this checkout's tests would run that code, and its README and site (nbdev reads doc links from the
installed package) would lose their links. `make setup` reinstalls this checkout when not; tools/nbrender.py stops.
Usage: tools/installed.py   (exits 1 with one line when not)
"""
import configparser, importlib.util, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def elsewhere() -> str | None:
    "None when the package imports from this checkout; else one line saying where it imports from."
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    name, path = cfg['DEFAULT']['lib_name'], (ROOT/cfg['DEFAULT']['lib_path']).resolve()
    spec = importlib.util.find_spec(name)
    where = Path(spec.origin).resolve().parent if spec and spec.origin else None
    return None if where == path else f"{name} imports from {where or 'nowhere'}, not from this checkout's {path}"


if __name__ == '__main__':
    if (msg := elsewhere()): sys.exit(msg)
