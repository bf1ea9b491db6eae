"""`make replay-2022`: the post's code as published, on the post's own May-2022 stack and on today's, row by row.

Builds `.venv-2022` from `requirements-2022.txt` (or reuses it: a stamp keyed on the lock file and the interpreter),
prepares and verifies the data with the project's `fashion_nn.data_checks.prepare_raw`, runs `replay/post_2022_05_15.py` in
both environments, prints the 30 rows published / 2022 stack / today with the largest difference per column and a
verdict, and writes `results/replay-2022.json`, `results/replay-2022.png` and the committed copy `nbs/replay_2022.json`.
Exits 1 when the two stacks disagree at the printed 6 decimals (or when a step fails). Run with the project's venv:
`.venv/bin/python replay/run.py`."""
import csv, glob, hashlib, json, os, re, shutil, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent/'tools'))
import numeric_path

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO/'requirements-2022.txt'
VENV = REPO/'.venv-2022'
STAMP = VENV/'.replay-2022-installed'
SCRIPT = REPO/'replay'/'post_2022_05_15.py'
PUBLISHED_CSV = REPO/'replay'/'published_epochs.csv'  # the post's 30 rows, as printed
COLS = ('train_loss', 'valid_loss', 'batch_accuracy')
DIGITS = 6  # what fastai printed, and so what the post shows
POST = dict(title='A neural network for Fashion MNIST data', author='Alex Strick van Linschoten', date='2022-05-15',
            url='https://mlops.systems/posts/2022-05-15-fashion-mnist-neural-network.html')
KEY = ('torch', 'torchvision', 'fastai', 'fastcore', 'fastbook')  # the versions shown with their release dates
# First upload to the package index of today's pinned versions (requirements-lock.txt); 2022's: the lock's comments.
TODAY_RELEASED = {('torch', '2.14.1'): '2026-09-30', ('torchvision', '0.29.1'): '2026-09-30',
                  ('fastai', '2.8.7'): '2026-02-14', ('fastcore', '1.14.5'): '2026-07-08',
                  ('fastbook', '0.0.29'): '2022-10-24'}

def die(msg):
    print(f"replay-2022: {msg}", file=sys.stderr); sys.exit(1)

def find_python():
    "A working CPython 3.8 (the post's kernel) or else 3.9: on PATH, else installed by pyenv; None if there is none."
    pyenv = Path(os.environ.get('PYENV_ROOT', Path.home()/'.pyenv'))/'versions'
    for v in ('3.8', '3.9'):
        cands = [shutil.which(f'python{v}')] + sorted(glob.glob(str(pyenv/f'{v}.*'/'bin'/f'python{v}')), reverse=True)
        for exe in filter(None, cands):
            try: out = subprocess.run([exe, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
                                      capture_output=True, text=True, timeout=60).stdout.strip()
            except (OSError, subprocess.TimeoutExpired): continue
            if out == v: return exe
    return None

def lock_key(py:str) -> str:
    "What the stamp remembers: the hash of the lock's pins (not its comments) and the interpreter's full version."
    ver = subprocess.run([py, '-c', 'import sys; print(sys.version.split()[0])'],
                         capture_output=True, text=True).stdout.strip()
    pins = '\n'.join(l.split('#')[0].strip() for l in LOCK.read_text().splitlines() if l.split('#')[0].strip())
    return f"{hashlib.sha256(pins.encode()).hexdigest()} python {ver}"

def pip(*args):
    "Run the 2022 venv's pip; on failure, stop with its last lines (minus the config's 'Location ... ignored' noise)."
    r = subprocess.run([str(VENV/'bin'/'python'), '-m', 'pip', '--disable-pip-version-check', *args],
                       capture_output=True, text=True)
    noise = lambda l: l.startswith('WARNING: Location') or not l.strip()
    out = [l for l in (r.stdout + r.stderr).splitlines() if not noise(l)]
    if r.returncode: die(f"pip {' '.join(args[:2])} failed in {VENV.name}:\n" + '\n'.join(out[-15:]))

def build_env() -> float:
    "Build `.venv-2022` from the lock file unless its stamp says it is built from this very lock; seconds spent."
    py = find_python()
    if py is None:
        die("no Python 3.8 or 3.9 found (torch 1.11 has no wheels for newer); install one, e.g. `pyenv install 3.8.18`")
    key = lock_key(py)
    if STAMP.exists() and STAMP.read_text().strip() == key:
        print(f"reusing {VENV.name} (built from this {LOCK.name}, {key.split(' ', 1)[1]})"); return 0.
    print(f"building {VENV.name} with {py} from {LOCK.name} (torch 1.11.0 is a ~750 MB download the first time) ...",
          flush=True)
    t = time.time()
    subprocess.run([py, '-m', 'venv', '--clear', str(VENV)], check=True)
    pip('install', '-q', '--no-deps', '--only-binary=:all:', re.search(r'^pip==\S+', LOCK.read_text(), re.M)[0])
    pip('install', '-q', '--no-deps', '--only-binary=:all:', '-r', str(LOCK))
    pip('check')
    STAMP.write_text(key + '\n')
    secs = time.time() - t
    print(f"built {VENV.name} in {secs:.0f} s")
    return secs

def lock_dates() -> dict:
    "{name: (version, first upload date)} from the lock file's `name==version  # date` lines."
    pin = re.compile(r'^([\w.-]+)==(\S+)\s+#\s*(\d{4}-\d\d-\d\d)', re.M)
    return {m[1].lower(): (m[2], m[3]) for m in pin.finditer(LOCK.read_text())}

def data_root() -> Path:
    "The project's Fashion-MNIST root, its files checked (and no legacy cache) by `fashion_nn.data.fashion_mnist`."
    from fashion_nn.data import fashion_mnist
    from fashion_nn.data_checks import data_root as root_of
    fashion_mnist()
    return root_of()

def run_post(python:str, label:str, root:Path, outdir:Path) -> dict:
    "Run the post's code with `python`; its JSON (rows, versions, seconds). Log: `outdir/replay-2022-{label}.log`."
    out, log = outdir/f'replay-2022-{label}.json', outdir/f'replay-2022-{label}.log'
    env = dict(os.environ, MPLBACKEND='Agg')
    numeric_path.pin(env)  # both stacks on the path the stored outputs come from (a caller's values kept)
    env.pop('PYTHONPATH', None)
    print(f"running the post's code on the {label} stack ({python}) ...", flush=True)
    with open(log, 'w') as f:
        r = subprocess.run([python, str(SCRIPT), str(root), str(out)], stdout=f, stderr=subprocess.STDOUT, env=env)
    if r.returncode or not out.exists():
        die(f"the post's code failed on the {label} stack (exit {r.returncode}); the end of {log}:\n"
            + '\n'.join(log.read_text().splitlines()[-15:]))
    return json.loads(out.read_text())

def published_rows() -> list:
    "The post's 30 epoch rows, as printed: [[train_loss, valid_loss, batch_accuracy], ...]."
    with open(PUBLISHED_CSV) as f: return [[float(r[c]) for c in COLS] for r in csv.DictReader(f)]

def fmt(x:float) -> str: return f"{x:.{DIGITS}f}"

def compare(published:list, old:list, new:list) -> dict:
    "Largest absolute differences per column, the rows whose printed digits differ between stacks, and the verdict."
    mx = lambda a, b: {c: max(abs(x[i] - y[i]) for x, y in zip(a, b)) for i, c in enumerate(COLS)}
    n = len(published)
    bad = [e for e, (x, y) in enumerate(zip(old, new)) if [fmt(v) for v in x] != [fmt(v) for v in y]]
    if len(old) != n or len(new) != n:
        bad, verdict = list(range(n)), f"the runs gave {len(old)} and {len(new)} rows, not {n}"
    elif not bad: verdict = f"2022 stack and today agree on all {n} rows to {DIGITS} digits"
    else:
        d = mx(old, new)
        verdict = (f"2022 stack and today differ on {len(bad)} of {n} rows at {DIGITS} digits "
                   f"(epoch{'s' if len(bad) > 1 else ''} "
                   + ', '.join(map(str, bad)) + "); largest differences: "
                   + ', '.join(f"{c} {d[c]:.1e}" for c in COLS))
    return dict(max_abs_diff={'2022_vs_today': mx(old, new), '2022_vs_published': mx(old, published),
                              'today_vs_published': mx(new, published)},
                rows_differing=bad, agree=not bad, verdict=verdict)

def table(res:dict) -> str:
    "The three-way table: epoch, then published / 2022 stack / today, each train_loss valid_loss batch_accuracy."
    pub, old, new = res['published'], res['stacks']['2022']['rows'], res['stacks']['today']['rows']
    short = ('train', 'valid', 'acc')
    w = 9
    head1 = 'epoch ' + ' | '.join(f"{g:^{3*w+2}}" for g in ('published (2022-05-15)', '2022 stack', 'today'))
    head2 = '      ' + ' | '.join(' '.join(f"{s:>{w}}" for s in short) for _ in range(3))
    lines = [head1, head2, '-'*len(head2)]
    for e, rows in enumerate(zip(pub, old, new)):
        lines.append(f"{e:>5} " + ' | '.join(' '.join(f"{fmt(v):>{w}}" for v in r) for r in rows))
    lines.append('-'*len(head2))
    d = res['max_abs_diff']
    lines.append('largest |difference| per column  ' + ' '.join(f"{s:>{w}}" for s in short))
    for k, name in (('2022_vs_published', '2022 stack vs published'), ('today_vs_published', 'today vs published'),
                    ('2022_vs_today', '2022 stack vs today')):
        lines.append(f"  {name:<30} " + ' '.join(f"{d[k][c]:>{w}.1e}" for c in COLS))
    return '\n'.join(lines)

def stack_line(label:str, s:dict) -> str:
    "The versions that ran, with their release dates (two lines)."
    parts = [f"{p} {s['versions'][p]}" + (f" ({s['released'][p]})" if s['released'].get(p) else '') for p in KEY]
    return f"{label}: Python {s['python']}, " + ', '.join(parts[:2]) + ',\n    ' + ', '.join(parts[2:])

def plot(res:dict, path=None):
    "The three columns over the epochs: published (dots), 2022 stack (line), today (dashed); saved to `path` if given."
    import matplotlib
    if path is not None: matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 3, figsize=(13, 3.6))
    pub, old, new = res['published'], res['stacks']['2022']['rows'], res['stacks']['today']['rows']
    torch_of = lambda k: res['stacks'][k]['versions']['torch']
    for i, (ax, c) in enumerate(zip(axs, COLS)):
        ax.plot([r[i] for r in pub], 'ko', ms=3, label='published (2022-05-15)')
        ax.plot([r[i] for r in old], '-', lw=2.5, alpha=.6, label=f"2022 stack (torch {torch_of('2022')})")
        ax.plot([r[i] for r in new], '--', lw=1.2, color='k', label=f"today (torch {torch_of('today')})")
        ax.set_title(c); ax.set_xlabel('epoch')
    axs[0].legend(fontsize=8)
    fig.suptitle(res['verdict'], fontsize=10)
    fig.tight_layout()
    if path is not None: fig.savefig(path, dpi=100); plt.close(fig)
    return fig

def main():
    outdir = REPO/'results'
    outdir.mkdir(exist_ok=True)
    t0 = time.time()
    build_secs = build_env()
    root = data_root()
    runs = {'2022': run_post(str(VENV/'bin'/'python'), '2022', root, outdir),
            'today': run_post(sys.executable, 'today', root, outdir)}
    dates = lock_dates()
    stacks = {}
    for label, r in runs.items():
        base = lambda v: (v or '').split('+')[0]  # 1.11.0+cu102 is the index's 1.11.0
        when = lambda p, v: (dates[p][1] if label == '2022' and dates.get(p, ('',))[0] == base(v)
                             else TODAY_RELEASED.get((p, base(v))))
        rel = {p: when(p, v) for p, v in r['versions'].items()}
        stacks[label] = dict(python=r['python'], versions=r['versions'], released=rel, rows=r['rows'])
    res = dict(post=POST, columns=list(COLS), digits=DIGITS, published=published_rows(), stacks=stacks)
    res.update(compare(res['published'], stacks['2022']['rows'], stacks['today']['rows']))
    # the committed copy holds only what the runs determine (no timings), so an unchanged result leaves git clean
    (REPO/'nbs'/'replay_2022.json').write_text(json.dumps(res, indent=1) + '\n')
    secs = dict(build_2022_env=round(build_secs, 1), **{f'run_{k}': v['seconds'] for k, v in runs.items()})
    full = dict(res, seconds=secs,
                threads={k: v['threads'] for k, v in runs.items()})
    (outdir/'replay-2022.json').write_text(json.dumps(full, indent=1) + '\n')
    plot(res, outdir/'replay-2022.png')
    print(f"\nThe post's code as published ({POST['title']}, {POST['date']}), run on the CPU:")
    print(stack_line('2022 stack', stacks['2022']))
    print(stack_line('today     ', stacks['today']))
    print(table(res))
    print(f"final accuracy (learn.recorder.values[-1][2]): published {res['published'][-1][2]:.{DIGITS}f}, "
          f"2022 {stacks['2022']['rows'][-1][2]!r}, today {stacks['today']['rows'][-1][2]!r}")
    print(f"saved results/replay-2022.json, results/replay-2022.png, nbs/replay_2022.json "
          f"({time.time() - t0:.0f} s in all)")
    print(res['verdict'])
    sys.exit(0 if res['agree'] else 1)

if __name__ == '__main__': main()
