#!/usr/bin/env python
"""Check that the library is exactly what `nbdev_export` makes of the notebooks, without writing into it.

    tools/export_check.py [--readable]

`nbdev_export` runs on a copy of settings.ini, the notebooks and the library in a temporary folder; each library file
the export would change is named with the fix, and exit status is 1. Nothing in the project is written, so an edit made
directly in a library file is never overwritten. Where git is available it tells which side changed: a library file
that differs from the last commit has edits of its own; otherwise its notebook changed and `make export` is the fix.
"""
from __future__ import annotations
import filecmp, json, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

def notebook_of(py:Path, root:Path) -> str | None:
    "The notebook a generated module names in its `File to edit:` header, relative to `root`."
    try: m = re.search(r'File to edit: (\S+\.ipynb)', py.read_text(encoding='utf-8', errors='replace')[:2000])
    except OSError: return None
    if not m: return None
    try: return os.path.relpath((py.parent/m.group(1)).resolve(), root)
    except ValueError: return m.group(1)

def git_changed(path:Path, root:Path) -> bool | None:
    "Whether `path` differs from the last commit or is untracked (`None` when git or the repository is not there to say)."
    try: r = subprocess.run(['git', '-C', str(root), 'status', '--porcelain', '--', str(path)], capture_output=True, text=True)
    except OSError: return None
    return bool(r.stdout.strip()) if r.returncode == 0 else None

def exported(root:Path, lib:Path, nbs:Path, tmp:Path) -> Path:
    "Run `nbdev_export` on a copy of the project in `tmp`; returns the copy of the library."
    shutil.copy2(root/'settings.ini', tmp/'settings.ini')
    if (root/'pyproject.toml').exists(): shutil.copy2(root/'pyproject.toml', tmp/'pyproject.toml')
    skip = shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints', '*.pyc')
    shutil.copytree(nbs, tmp/nbs.relative_to(root), ignore=skip)
    shutil.copytree(lib, tmp/lib.relative_to(root), ignore=skip)
    exe = Path(sys.executable).parent/'nbdev_export'
    cmd = [str(exe) if exe.exists() else 'nbdev_export']
    env = {k: v for k, v in os.environ.items() if k != 'IN_TEST'}  # nbdev_export does nothing under IN_TEST
    r = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        last = (r.stderr.strip() or r.stdout.strip() or '(no output)').splitlines()[-1]
        raise RuntimeError(f"nbdev_export failed on a copy of the notebooks ({last}): fix the notebook it names")
    return tmp/lib.relative_to(root)

def differing(a:Path, b:Path) -> list:
    "Files under `b` (the export) that are missing or different under `a` (the library), as paths relative to `b`."
    res = []
    for f in sorted(b.rglob('*')):
        if not f.is_file() or '__pycache__' in f.parts: continue
        rel = f.relative_to(b)
        if not (a/rel).is_file() or not filecmp.cmp(a/rel, f, shallow=False): res.append(rel)
    return res

def unreadable(root:Path, nbs:Path) -> list:
    "One line for each notebook under `nbs` that is not readable JSON, naming it and the fix."
    res = []
    for f in sorted(nbs.rglob('*.ipynb')):
        if '.ipynb_checkpoints' in f.parts: continue
        try: json.loads(f.read_text(encoding='utf-8'))
        except (OSError, ValueError) as e:
            why = f'{e.msg}, line {e.lineno}' if isinstance(e, json.JSONDecodeError) else getattr(e, 'strerror', None) or e
            res.append(f"FAIL {os.path.relpath(f, root)} is not a readable notebook ({why}): restore it from git or a backup")
    return res

def main(argv=None) -> int:
    "`--readable`: only check that every notebook is readable (what `make export` does before nbdev's tools)."
    from nbdev.config import get_config
    cfg = get_config()
    root, lib, nbs = Path(cfg.config_path), Path(cfg.lib_path), Path(cfg.nbs_path)
    if (bad := unreadable(root, nbs)):
        print('\n'.join(bad)); return 1
    if '--readable' in (sys.argv[1:] if argv is None else argv): return 0
    with tempfile.TemporaryDirectory(prefix='export-check-') as tmp:
        try: out = exported(root, lib, nbs, Path(tmp))
        except RuntimeError as e: print(f'FAIL {e}'); return 1
        diffs = differing(lib, out)
        derived = [d for d in diffs if d.name.startswith('_') and d.suffix == '.py']  # __init__.py, _modidx.py
        for rel in [d for d in diffs if d not in derived] or derived:
            path = lib/rel
            name = os.path.relpath(path, root)
            nb = notebook_of(path if path.exists() else out/rel, root)
            if nb is None:  # __init__.py, _modidx.py: made from settings.ini and the other modules
                print(f"FAIL {name} is not what nbdev_export makes of the notebooks (nothing was overwritten): make export")
                continue
            changed = git_changed(path, root) if path.exists() else False
            if changed is False:
                print(f"FAIL {nb} has changes not exported to {name}: run make export, then commit both")
            else:
                print(f"FAIL {name}: edits not in {nb}, nothing was overwritten; run nbdev_update or git stash")
                if changed is None: print(f"     if you edited {nb} instead, run make export")
    return 1 if diffs else 0

if __name__ == '__main__': sys.exit(main())
