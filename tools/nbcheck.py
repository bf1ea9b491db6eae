#!/usr/bin/env python
"""Execute every notebook once, as `nbdev_test` does, and compare each executed cell's fresh outputs with the stored ones.

    tools/nbcheck.py [--flags slow] [--save] [--n_workers N] [--wait-for FILE] [PATH ...]

Execution is `nbdev_test`'s: execnb's `CaptureShell`, cells flagged with settings.ini's `tst_flags` skipped unless forced
with `--flags`, `#| eval: false` and `nbdev_export(` cells skipped, `nbs/` as the working directory, `_`-prefixed notebooks
and folders holding a `.notest` file skipped, notebooks run in parallel. On top of that, each executed cell's outputs are
compared with the stored ones (see `canon` and `same_text` for what counts as the same). A cell marked `#| outputs: vary`
(timings) has only the presence of its outputs checked.

The numbers a training run prints depend on the numeric path (tools/numeric_path.py: CPU kernels, threads, device,
torch): this runner pins the path the stored outputs came from (recorded in `nbs/numeric_path.json` by `--save`) unless
the caller set another, and its first line says which path it runs on and whether it is the stored one. On the stored
path every output is compared as above. On another path, the numbers of a cell marked `#| outputs: approx TOL` may each
differ by up to TOL times the larger of 1 and the number's size (integers included: counts of images that follow a
training run); its text around the numbers must still be the same; every other cell is compared as on the stored path. `--save` writes the fresh outputs of the executed cells into the
notebooks, cleaned as `nbdev_clean` would; skipped cells keep their stored outputs, and so do `vary` cells whose outputs
are all present, unless `--all` (needed after editing what a `vary` cell prints). Ends with the lines
`notebooks: N passed, M failed` and `outputs: K cells checked, J differ`; exit status 1 if anything failed or differs.
"""
from __future__ import annotations
import argparse, base64, difflib, gc, json, multiprocessing, os, re, struct, sys, tempfile, time
from functools import partial
from pathlib import Path

# The numeric path the stored outputs come from (and one torch thread per notebook worker: two workers with a thread per
# core each thrash on a 2-core machine), before anything imports torch; a caller's own values are kept.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import numeric_path
numeric_path.pin()

REL, ABS = 1e-4, 1e-6  # numbers in text: the same if |a-b| <= max(ABS, REL*max(|a|,|b|)); integers must be equal
OUTPUTS = 'outputs:'   # the directive `#| outputs: vary` / `#| outputs: approx TOL`, as nbdev's directive parser keys it
PATH_RECORD = 'numeric_path.json'  # in nbs/: the numeric path the stored outputs came from (tools/numeric_path.py)

# ---------------------------------------------------------------------------------------------------------------------
# Normalising what legitimately varies between runs and machines
_ansi = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
_addr = re.compile(r'(<[^<>]*?) at 0x[0-9a-fA-F]+(>)')  # what nbdev_clean strips from stored outputs
_hex = re.compile(r'0x[0-9a-fA-F]{6,}')
_clock = re.compile(r'(?<![\d:])\d{1,2}:\d\d(?::\d\d)?(?![\d:])')  # fastprogress's time column and bar: 00:01
_dur = re.compile(r'(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?\s?(?:ms|µs|μs|us|ns|s|sec|secs|seconds|min|mins|minutes|it/s|s/it)(?!\w)')
_bar = re.compile(r'^\s*(Epoch \d+/\d+ :)?\s*\|[█X-]*\|( .*)?$')  # a fastprogress console bar
_style = re.compile(r'<style[^>]*>.*?</style>', re.S)
_progress = re.compile(r'<progress[^>]*>.*?</progress>', re.S)

def _paths() -> list:
    "(absolute path, placeholder) pairs, longest first: the venv, the repository, the temp folder, the home folder."
    repo = Path(__file__).resolve().parent.parent
    tmp = re.escape(str(Path(tempfile.gettempdir()).resolve()))
    pairs = [(re.escape(str(Path(sys.prefix).resolve())), '<venv>'), (re.escape(str(repo)), '<repo>'),
             (tmp + r'/[^\s/\'"]+', '<tmp>'), (r'/tmp/[^\s/\'"]+', '<tmp>'), (re.escape(str(Path.home())), '~')]
    return [(re.compile(p), s) for p, s in pairs]
_PATHS = _paths()

def render_cr(s:str) -> str:
    "Text as a terminal or Jupyter shows it: on each line, what follows a carriage return overwrites what came before."
    lines = []
    for line in s.split('\n'):
        if '\r' not in line: lines.append(line); continue
        shown = ''
        for seg in line.split('\r'): shown = seg + shown[len(seg):]
        lines.append(shown.rstrip())
    return '\n'.join(lines)

def norm_text(s) -> str:
    "Text as a reader sees it, with run- and machine-specific parts replaced: clocks, durations, addresses, paths."
    s = ''.join(s) if isinstance(s, list) else str(s)
    s = _ansi.sub('', s)
    lines = []
    for line in render_cr(s).split('\n'):
        line = line.rstrip()
        if not _bar.match(line): lines.append(line)  # progress bars: how far a loop got, not what it computed
    s = '\n'.join(lines).strip('\n')
    s = _style.sub('<style/>', s)
    s = _progress.sub('<progress/>', s)
    s = _addr.sub(r'\1\2', s)
    s = _hex.sub('0x…', s)
    for p, sub in _PATHS: s = p.sub(sub, s)
    s = _dur.sub('<duration>', s)
    s = _clock.sub('00:00', s)
    return s

_num = re.compile(r'(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])')

def scaled_diff(a:str, b:str) -> float:
    "How far apart two numbers are, on the scale `#| outputs: approx TOL` uses: |a-b| / max(1, |a|, |b|)."
    x, y = float(a), float(b)
    return abs(x - y) / max(1.0, abs(x), abs(y))

def _close(a:str, b:str, tol:float|None=None) -> bool:
    if a == b: return True
    if tol is not None: return scaled_diff(a, b) <= tol  # another numeric path: a cell's stated tolerance
    if not any(c in a + b for c in '.eE'): return False  # integers (counts, shapes, seeds) must be equal
    x, y = float(a), float(b)
    return abs(x - y) <= max(ABS, REL * max(abs(x), abs(y)))

def same_text(stored:str, fresh:str, tol:float|None=None, seen:list|None=None) -> tuple:
    """`(same, fresh')`: texts are the same if they differ only in numbers within tolerance (`tol`: a cell's
    `approx TOL` on another numeric path); `fresh'` carries the stored number wherever the two are within tolerance, so
    a diff of `stored` and `fresh'` shows only the real differences. `seen` collects `(scaled_diff, stored, fresh)` of
    numbers that differ."""
    if stored == fresh: return True, fresh
    sk, fk = _num.split(stored), _num.split(fresh)
    sn, fn = _num.findall(stored), _num.findall(fresh)
    if sk != fk or len(sn) != len(fn): return False, fresh
    merged, same = [fk[0]], True
    for a, b, rest in zip(sn, fn, fk[1:]):
        ok = _close(a, b, tol)
        if seen is not None and a != b: seen.append((scaled_diff(a, b), a, b))
        same &= ok
        merged += [a if ok else b, rest]
    return same, ''.join(merged)

def png_size(b64) -> str:
    "`image/png WxH` from the PNG header, or a note that the data is not a PNG."
    try:
        raw = base64.b64decode(''.join(b64) if isinstance(b64, list) else b64)
        if raw[:8] == b'\x89PNG\r\n\x1a\n' and raw[12:16] == b'IHDR':
            return 'image/png %dx%d' % struct.unpack('>II', raw[16:24])
    except ValueError: pass
    return 'image/png (not a PNG)'

TEXT_MIMES = ('text/plain', 'text/html', 'text/markdown', 'text/latex', 'application/json')
_row = re.compile(r'<tr[^>]*>(.*?)</tr>', re.S)
_td = re.compile(r'<t[hd][^>]*>(.*?)</t[hd]>', re.S)

def fastprogress_html(data:dict):
    """For a display made by fastprogress in Jupyter: the text its console bar prints for it ('' for bars and styles);
    `None` for any other display. Notebooks saved by Jupyter hold HTML tables; execnb's shell gets the console's text."""
    html = ''.join(data.get('text/html', ''))
    plain = ''.join(data.get('text/plain', ''))
    if 'text/html' not in data: return None
    if 'class="fastprogress"' in html:
        rows = [[c.strip() for c in _td.findall(r)] for r in _row.findall(html)]
        if not rows: return ''
        names = [n + ' ' * (8 - len(n)) if len(n) < 8 else n for n in rows[0]]  # as ConsoleMasterBar.write pads them
        lines = ['  '.join(names)] + [''.join(t + ' ' * (2 + len(n) - len(t)) for t, n in zip(r, names)) for r in rows[1:]]
        return '\n'.join(lines) + '\n'
    rest = _progress.sub('', _style.sub('', html)).strip()
    if ('<progress' in html or '<style' in html) and re.fullmatch(r'(<div>\s*)?[^<]*(</div>)?', rest): return ''
    if not rest and plain.startswith('<IPython.core.display.HTML'): return ''  # a finished bar, cleared
    return None

def canon(outputs:list) -> dict:
    """Outputs as `{part: text}`: all stdout, all stderr, the error, and each display by position and MIME type.
    Streams are joined because Jupyter interleaves them with displays while execnb collects each kind separately;
    displays come first and results last, since Jupyter shows a cell's result before the figures it leaves open and
    execnb after them; fastprogress's HTML (Jupyter) is read as the text its console bar prints (execnb)."""
    res, streams, displays, results = {}, {'stdout': '', 'stderr': ''}, [], []
    for o in outputs or []:
        t = o.get('output_type')
        if t == 'stream':
            name = o.get('name', 'stdout')
            streams[name] = streams.get(name, '') + ''.join(o.get('text', ''))
        elif t == 'error': res['error'] = f"{o.get('ename')}: {o.get('evalue')}"
        elif t in ('display_data', 'execute_result'):
            data = o.get('data') or {}
            text = fastprogress_html(data)
            if text is not None: streams['stdout'] += text
            else: (results if t == 'execute_result' else displays).append(data)
    for k, v in streams.items():
        v = norm_text(v)
        if v: res[k] = v
    for n, data in enumerate(displays + results, 1):
        for mime, v in data.items():
            if mime == 'image/png': res[f'display {n} image/png'] = png_size(v)
            elif mime in TEXT_MIMES: res[f'display {n} {mime}'] = norm_text(v if isinstance(v, (str, list)) else json.dumps(v))
            else: res[f'display {n} {mime}'] = f'{mime} present'  # svg, jpeg, widgets: presence only
    return res

def compare(stored:list, fresh:list, vary:bool=False, tol:float|None=None, seen:list|None=None) -> list:
    """Differences between stored and fresh outputs, as short unified diffs (empty if they are the same); numbers within
    `tol` on `approx` cells (see `same_text`, which also fills `seen`)."""
    s, f = canon(stored), canon(fresh)
    if vary: s, f = {k: '(present)' for k in s}, {k: '(present)' for k in f}
    diffs = []
    for part in sorted(set(s) | set(f), key=lambda k: (k not in ('stdout', 'stderr', 'error'), k)):
        a, b = s.get(part), f.get(part)
        if a is None: a_lines = []
        else: a_lines = a.split('\n')
        if b is None: same, b_lines = False, []
        elif a is None: same, b_lines = False, b.split('\n')
        else:
            same, merged = same_text(a, b, tol, seen)
            b_lines = merged.split('\n')
        if same: continue
        d = list(difflib.unified_diff(a_lines, b_lines, 'stored', 'fresh', n=1, lineterm=''))[2:]
        if len(d) > 14: d = d[:14] + [f'... ({len(d) - 14} more diff lines)']
        what = 'missing from the fresh run' if b is None else 'new in the fresh run' if a is None else 'differs'
        diffs.append(f'  {part} {what}:\n' + '\n'.join('    ' + l[:150] for l in d))
    return diffs

# ---------------------------------------------------------------------------------------------------------------------
# Running one notebook, as nbdev.test.test_nb does, keeping the fresh outputs
def output_rule(cell) -> tuple:
    """How a cell's outputs are compared, from its `#| outputs:` directive: `(None, None)`; `('vary', None)`;
    `('approx', TOL)`. Anything else raises `ValueError` with the fix."""
    words = (getattr(cell, 'directives_', {}) or {}).get(OUTPUTS)
    if not words: return None, None
    kind = words[0].lower()
    if kind == 'vary' and len(words) == 1: return 'vary', None
    if kind == 'approx' and len(words) == 2:
        try: tol = float(words[1])
        except ValueError: tol = -1.0
        if 0 < tol < 1: return 'approx', tol
    raise ValueError(f"'#| outputs: {' '.join(words)}' is not a rule this check knows: write '#| outputs: vary' (timings: "
                     "presence only) or '#| outputs: approx TOL' with 0 < TOL < 1 (e.g. approx 0.01)")

def first_line(source:str) -> str:
    "The first line of a cell's code that is not an nbdev directive, shortened."
    lines = [l for l in source.splitlines() if l.strip() and not l.lstrip().startswith('#|')]
    line = lines[0].strip() if lines else ''
    return line if len(line) <= 60 else line[:57] + '...'

def run_nb(fn:Path, skip_flags=(), force_flags=(), basepath=None, save=False, everything=False, other_path=False) -> dict:
    """Execute notebook `fn` once; compare (or with `save`, store) the executed cells' outputs; `other_path`: this run
    is not on the stored outputs' numeric path, so `approx` cells are compared within their tolerance. Returns a summary
    dict (`approx`: cells compared within a tolerance; `largest`: the largest difference seen in them)."""
    from fastcore.basics import str2bool
    from fastcore.xtras import working_directory
    from fastcore.imports import IN_NOTEBOOK
    from nbdev.process import NBProcessor, nb_lang
    from nbdev.frontmatter import FrontmatterProc
    from execnb.shell import CaptureShell
    if basepath: sys.path.insert(0, str(basepath))
    if not IN_NOTEBOOK: os.environ['IN_TEST'] = '1'
    flags = set(skip_flags) - set(force_flags)
    res = dict(fn=str(fn), ok=True, checked=0, differ=0, approx=0, largest=None, secs=0.0, report=[])
    start = time.time()
    try:
        raw = json.loads(fn.read_text(encoding='utf-8'))
        proc = NBProcessor(fn, procs=FrontmatterProc)
        for c in proc.nb.cells: c.orig_idx_ = c.idx_  # processing may drop cells and renumber the rest
        proc.process()
        nb = proc.nb
    except Exception as e:
        res.update(ok=False, report=[f'  cannot read it: {type(e).__name__}: {e}'])
        return res
    if str2bool(getattr(nb, 'frontmatter_', {}).get('skip_exec', False)) or nb_lang(nb) != 'python': return res
    rules = {}
    for cell in nb.cells:
        if cell.cell_type != 'code': continue
        try: rules[cell.orig_idx_] = output_rule(cell)
        except ValueError as e: res['report'].append(f'  cell {cell.orig_idx_ + 1}: {e}')
    if res['report']:
        res['ok'] = False
        return res

    def _no_eval(cell):  # exactly nbdev_test's rule
        if cell.cell_type != 'code': return True
        if 'nbdev_export' + '(' in cell.source: return True
        direc = getattr(cell, 'directives_', {}) or {}
        if direc.get('eval:', [''])[0].lower() == 'false': return True
        return flags & direc.keys()

    fresh = {}
    k = CaptureShell(fn, mpl_format='png')  # Jupyter's default; nbdev_test's 'retina' doubles every figure's pixels
    try:
        with working_directory(fn.parent):
            for cell in nb.cells:
                if _no_eval(cell): continue
                k._cell_idx = cell.idx_ + 1
                outs = k.run(cell.source)
                fresh[cell.orig_idx_] = (cell, [dict(o) for o in outs])
                if k.exc: raise k.exc from None
    except BaseException:
        if isinstance(sys.exc_info()[1], KeyboardInterrupt): raise
        sys.stderr.write(k.prettytb(fname=fn) + '\n')
        res['ok'] = False
        res['report'].append('  failed while executing (traceback above)')
    res['secs'] = time.time() - start
    if save:
        if not res['ok']: res['report'].append('  not saved: it failed')
        elif json.loads(fn.read_text(encoding='utf-8')) != raw:
            res.update(ok=False, report=['  not saved: the notebook changed while it ran (save it, then run make outputs again)'])
        else: res['saved'] = save_outputs(fn, raw, fresh, rules, everything)
        return res
    for i, (cell, outs) in fresh.items():
        if k.exc is not None and i == max(fresh): continue  # the cell that raised: its traceback is the report
        kind, tol = rules[i]
        tol = tol if other_path else None
        res['checked'] += 1
        seen = []
        diffs = compare(raw['cells'][i].get('outputs', []), outs, kind == 'vary', tol, seen)
        if tol is not None:
            res['approx'] += 1
            if seen:
                d, a, b = max(seen)
                if res['largest'] is None or d > res['largest'][0]: res['largest'] = (d, a, b, f'{fn.name} cell {i + 1}')
        if diffs:
            res['differ'] += 1
            src = raw['cells'][i]['source']
            note = (' (only their presence is checked: outputs: vary)' if kind == 'vary' else
                    f' (by more than this cell\'s approx {tol} on this numeric path)' if tol is not None else '')
            res['report'].append(f"{fn.name}, cell {i + 1} ({first_line(''.join(src))}): stored and fresh outputs differ{note}")
            res['report'] += diffs
    if res['differ']: res['ok'] = False
    return res

def _images(outputs:list) -> list:
    "The image data in `outputs`, in order."
    return [''.join(v).strip() for o in outputs or [] for k, v in (o.get('data') or {}).items() if k.startswith('image/')]

def save_outputs(fn:Path, raw:dict, fresh:dict, rules:dict, everything:bool=False) -> int:
    """Put fresh outputs into notebook `fn`, cleaned as `nbdev_clean` would; returns how many cells changed. A cell keeps
    its stored outputs when the check finds them the same and its images are byte-identical (so times and temporary paths
    don't churn), unless `everything`. A `vary` cell's images (timings drawn) are never the same: it keeps its stored
    outputs whenever they are all present, so that one run's timings, in text and in figures, stay together."""
    from nbdev.clean import _nbdev_clean
    from execnb.nbio import write_nb
    import copy
    nb, changed = copy.deepcopy(raw), 0
    for i, (cell, outs) in fresh.items():
        for o in outs:  # progress bars redraw with carriage returns: keep what a reader sees, not every redraw
            if o.get('output_type') == 'stream': o['text'] = render_cr(''.join(o['text'])).splitlines(True)
        outs = [o for o in outs if o.get('output_type') != 'stream' or ''.join(o['text']).strip()]
        stored = raw['cells'][i].get('outputs', [])
        vary = rules[i][0] == 'vary'
        if not everything and not compare(stored, outs, vary) and (vary or _images(stored) == _images(outs)): continue
        nb['cells'][i]['outputs'] = outs
        changed += 1
    _nbdev_clean(nb)
    if nb != raw:
        tmp = fn.with_name(f'.{fn.name}.nbcheck.tmp')
        try:
            write_nb(nb, tmp)
            os.replace(tmp, fn)
        finally:
            if tmp.exists(): tmp.unlink()
    return changed

# ---------------------------------------------------------------------------------------------------------------------
def _worker(fn, **kwargs):
    res = run_nb(fn, **kwargs)
    status = 'ok  ' if res['ok'] else 'FAIL'
    n = res.get('saved')
    extra = '' if n is None else f", {n} cell{'s' * (n != 1)} with new outputs saved"
    lines = [f"{status} {fn.name} ({res['secs']:.1f} s{extra})"] + res['report']
    sys.stdout.write('\n'.join(lines) + '\n'); sys.stdout.flush()
    return {k: v for k, v in res.items() if k != 'report'}

# Each notebook's last duration, kept out of git: the longest start first, so the workers finish together. In name
# order the two longest (05, 07) started late: 23.8 s of notebook execution in a fresh clone, against about 20 s
# longest first. A fresh clone starts from the durations `make outputs` measured (SEED_TIMES, committed with the
# outputs); only the project's own notebooks are recorded.
TIMES, SEED_TIMES = '.nbcheck-times.json', 'tools/nbcheck-times.json'

def longest_first(files:list, times:dict, key=lambda f: f.name) -> list:
    "`files`, longest first by their last durations in `times`; those never timed come first, in the order given."
    return sorted(files, key=lambda f: -times.get(key(f), float('inf')))

def _keep(p:Path, ignore_fname:str) -> bool:
    "nbdev_test's rule: a notebook beside a file named `ignore_fname` is not tested."
    return not (p.parent/ignore_fname).exists()

# Imported by the library only where it is used (`fashion_mnist` imports torchvision, so `--help` and the argument
# checks don't pay for it): 1.4 s in every notebook that loads the data, unless imported here once. Not `fastbook`,
# which seeds the random generators as it is imported: 03 imports it at the point where that seeding belongs.
LAZY_IMPORTS = ('torchvision',)

def preload(cfg):
    """Import the library's modules (and so torch, fastai, matplotlib) and `LAZY_IMPORTS` once, before forking a
    process per notebook: the import cost is paid once, and warnings raised while importing are not in any notebook's
    outputs (they are the same in every notebook; a cell's own warnings are). A module that fails to import is left to
    its notebook."""
    import importlib, warnings
    sys.path.insert(0, str(cfg.config_path))
    mods = [f'{cfg.lib_name}.{f.stem}' for f in sorted(Path(cfg.lib_path).glob('*.py')) if not f.name.startswith('_')]
    gc.disable()  # the imports make objects by the million and free few: collecting as they go took 1.4-1.9 s more
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            for m in mods + list(LAZY_IMPORTS):
                try: importlib.import_module(m)
                except BaseException: pass
    finally:  # what the imports made is kept for good: no collection ever walks it again (0.38 s each time)
        gc.freeze(); gc.enable()

def wait_for(path:Path, timeout:float=600) -> str:
    """The first word in `path` (a file that appears whole, by a rename), once it appears; 'gone' if this process's
    parent exits first, or after `timeout` seconds."""
    parent, start = os.getppid(), time.time()
    while not path.exists():
        if os.getppid() != parent or time.time() - start > timeout: return 'gone'
        time.sleep(0.02)
    return (path.read_text().split() or [''])[0]

def _read_json(path:Path):
    "A JSON mapping from `path`, or `None` if there is none (or it is not a mapping)."
    try: d = json.loads(path.read_text())
    except (OSError, ValueError): return None
    return d if isinstance(d, dict) else None

def path_line(here:dict, stored:dict|None, record:Path) -> str:
    "The check's first line: the numeric path it runs on, and whether the stored outputs came from it."
    head = f'numeric path: {numeric_path.describe(here)}'
    if stored is None: return f'{head} (no {record.name} yet: every output compared exactly; --save records this path)'
    if {k: stored.get(k) for k in here} == here: return f"{head}: the stored outputs' path, every output compared exactly"
    return (f"{head}: NOT the stored outputs' path ({numeric_path.describe(stored)}), so numbers in cells marked "
            "#| outputs: approx are compared within their tolerance, all else exactly")

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('paths', nargs='*', help='notebooks or folders (default: nbs_path from settings.ini)')
    ap.add_argument('--flags', default='', help='space-separated flags to run that settings.ini tst_flags skips, e.g. slow')
    ap.add_argument('--save', action='store_true', help='write the fresh outputs into the notebooks instead of comparing')
    ap.add_argument('--all', action='store_true', help='with --save: replace every executed cell\'s outputs, even unchanged ones')
    ap.add_argument('--new-path', action='store_true',
                    help='with --save, on every notebook: store outputs made on this numeric path, which is not the recorded one')
    ap.add_argument('--n_workers', type=int, default=None, help='notebooks run at once (default: one per core, at most 8)')
    ap.add_argument('--ignore_fname', default='.notest')
    ap.add_argument('--wait-for', metavar='FILE', help="after importing the library, run nothing until FILE says 'go' "
                    "(any other word: exit 4): test.sh's gates run meanwhile")
    a = ap.parse_args(argv)
    from fastcore.parallel import num_cpus
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    cfg = get_config()
    files = []
    for p in a.paths or [None]:
        if p is not None and not Path(p).exists():
            print(f'nbcheck: no such notebook or folder: {p}', file=sys.stderr); return 1
        files += nbglob(p, as_path=True)
    files = [f.absolute() for f in sorted(set(files)) if _keep(f, a.ignore_fname)]
    if not files: print('FAIL nbcheck: no notebook to run', file=sys.stderr); return 1
    n_workers = a.n_workers if a.n_workers is not None else (0 if len(files) == 1 else min(num_cpus(), 8))
    nbs = Path(cfg.nbs_path).resolve()
    if any(nbs in f.resolve().parents for f in files): preload(cfg)  # other notebooks (93's tests) may not use the library
    if a.wait_for and wait_for(Path(a.wait_for)) != 'go': return 4
    here, record = numeric_path.current(), Path(cfg.nbs_path)/PATH_RECORD
    stored = _read_json(record)
    other_path = stored is not None and {k: stored.get(k) for k in here} != here
    print(path_line(here, stored, record))
    if a.save and other_path and not (a.new_path and not a.paths):
        print(f"FAIL nbcheck --save: the stored outputs come from another numeric path ({numeric_path.describe(stored)}); "
              "saving these would mix two paths. Run it on that path (make pins it unless you set one of "
              f"{', '.join(numeric_path.PINS)} yourself), or re-save every notebook "
              "on this one with --new-path and no notebook named (make outputs-slow too), then commit "
              f"{record.relative_to(cfg.config_path)}", file=sys.stderr)
        return 1
    kw = dict(skip_flags=cfg.tst_flags.split(), force_flags=a.flags.split(), basepath=cfg.config_path, save=a.save,
              everything=a.all, other_path=other_path)
    wd = cfg.nbs_path
    times_path, key = Path(cfg.config_path)/TIMES, lambda f: f.name + (f' --flags {a.flags}' if a.flags else '')
    seed_path = Path(cfg.config_path)/SEED_TIMES
    times = _read_json(times_path) or _read_json(seed_path) or {}
    files = longest_first(files, times, key)
    start = time.time()
    with working_directory(wd if (wd and wd.exists()) else os.getcwd()):
        # The worker is passed by module name: a notebook's shell replaces `__main__`, so pickles can't refer to it.
        import nbcheck
        if n_workers == 0: results = [nbcheck._worker(f, **kw) for f in files]
        else:
            # A fresh process per notebook, forked from this one after `preload`: no notebook sees another's state
            # (a warning shown once per process, a module imported), so outputs don't depend on the scheduling.
            sys.stdout.flush(); sys.stderr.flush()
            gc.freeze()  # the preloaded objects: the children's garbage collector leaves them alone, so their pages stay shared
            with multiprocessing.get_context('fork').Pool(n_workers, maxtasksperchild=1) as pool:
                results = pool.map(partial(nbcheck._worker, **kw), files, chunksize=1)
    failed = sum(not r['ok'] for r in results)
    print(f'nbcheck: {time.time() - start:.1f}s of notebook execution')
    ran = {key(f): round(r['secs'], 1) for f, r in zip(files, results)
           if r['ok'] and nbs in f.resolve().parents}  # a failure stops short; 93's test notebooks are not the project's
    for path in [times_path] + [seed_path] * (a.save and bool(ran)):
        try: path.write_text(json.dumps((_read_json(path) or times) | ran, indent=1, sort_keys=True) + '\n')
        except OSError: pass  # a read-only checkout: the next run keeps the order it had
    if a.save:
        n = sum(r.get("saved", 0) for r in results)
        print(f"outputs: {n} cell{'s' * (n != 1)} with new outputs saved")
        if not failed and (stored is None or other_path): record.write_text(json.dumps(here, indent=1) + '\n')
    else:
        if any(r['differ'] for r in results):
            print("outputs differ: if the change is deliberate, make outputs (or make outputs NB=nbs/X.ipynb), review, commit")
        line = f"outputs: {sum(r['checked'] for r in results)} cells checked, {sum(r['differ'] for r in results)} differ"
        if other_path:
            n, big = sum(r['approx'] for r in results), max((r['largest'] for r in results if r['largest']), default=None)
            line += (f"; {n} of them compared within their tolerance (#| outputs: approx) on this other numeric path, "
                     + (f"largest difference {big[0]:.4f} ({big[1]} stored, {big[2]} fresh, {big[3]})" if big else
                        "no number in them differed"))
        print(line)
    print(f'notebooks: {len(results) - failed} passed, {failed} failed')
    return 1 if failed else 0

def _exit(code:int):
    """Leave with `code` once the `atexit` functions have run (a notebook's temporary folders, say), skipping the
    interpreter's teardown of torch, fastai and the rest: 1.3-1.7 s of every run, with nothing left to save."""
    import atexit
    atexit._run_exitfuncs()
    sys.stdout.flush(); sys.stderr.flush()
    os._exit(code)

if __name__ == '__main__':
    try: code = main()
    except KeyboardInterrupt: code = 130
    except Exception:  # a bug in the runner, not a failing notebook: exit status 3, so test.sh can tell
        import traceback; traceback.print_exc(); code = 3
    _exit(code)
