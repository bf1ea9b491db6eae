"""Side-by-side timings for fashion_nn, measured interleaved in one run: medians of several repetitions, and ratios.

    make bench
    .venv/bin/python bench/run.py [--reps 5] [--fit-reps 15] [--skip-suite] [--skip-sweep] [--out ...]
    .venv/bin/python bench/run.py --only-paths [--path-reps 5] [--path-ten-reps 3]

1. data preparation: the post's list comprehensions over torchvision items vs `pair_tensors`;
2. a quiet `fit(30, 0.1)` alone (data already built), on `pair_dls` seeded alike: stock fastai `Learner`, the
   project's `FastLearner` and a raw PyTorch loop on the same model, loss, metric and batches (and the post's
   DataLoaders with stock `Learner`); the cost of dispatching one event on a quiet fit, for both `Learner`s;
3. the 45-pair sweep (`pair_sweep`) with stock `Learner`, then with `FastLearner` (once each: about a minute apiece);
4. the whole series: `make test`'s gates and notebooks, a cold `import fashion_nn.learner`, and the reproduce command;
5. peak memory (RSS) of the reproduce command;
6. the cost of the numeric path (`tools/numeric_path.py`): the post's fit and 07's ten-class fit, each in a fresh
   subprocess with 1 thread, on the pinned AVX2 kernels and on this CPU's own AVX-512 ones (`--only-paths` runs
   just this, keeping the other sections saved in the JSON; `--skip-paths` leaves it out).
No test asserts a time: these machines are shared and noisy, so only ratios measured side by side mean anything.
Each round runs every contender once, starting with a different one each round. A fit ratio is the median of the
rounds' own ratios (the two fits of a round ran seconds apart, so a slow spell of the machine slows both), given with
its range over the rounds: a goal is judged on the median.
In-process timings also report CPU seconds (`time.process_time`), which other programs disturb less; torch runs on
`--threads` threads (default 1, as `make test` runs the notebooks), so CPU seconds are the work done.
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Before the dispatch work (issue "The post's Learner at the speed of a raw PyTorch loop"), measured on these machines:
SWEEP_BEFORE_S = 107.0  # the 45-pair sweep with stock `Learner` and the loaders of the time
SUITE_BEFORE_S = 44.3   # `make test`, before the outputs check was added to it
SUITE_GOAL_S = 25       # `make test` (issue "Standard tools and a light set-up"; 35 s then, 46 s at its work's start)

class Timed:
    "What a benchmarked function returns when it times only part of itself (e.g. the fit, not building its data)."
    def __init__(self, result, seconds, cpu_seconds):
        self.result, self.seconds, self.cpu_seconds = result, seconds, cpu_seconds

def timed(f):
    "Call `f`, returning a `Timed` with its result, its wall seconds and the CPU seconds this process spent."
    start, cpu_start = time.perf_counter(), time.process_time(); r = f()
    return Timed(r, time.perf_counter() - start, time.process_time() - cpu_start)

def interleaved(fns:dict, reps:int) -> dict:
    """Run each of `fns` once per round, `reps` rounds, each round starting one further along the list; each one's
    median wall and CPU seconds, every round's seconds (`runs_s`, `runs_cpu_s`), and its last return value."""
    times, cpus, last, names = {k: [] for k in fns}, {k: [] for k in fns}, {}, list(fns)
    for i in range(reps):
        for k in names[i % len(names):] + names[:i % len(names)]:
            r = timed(fns[k])
            if isinstance(r.result, Timed): r = r.result
            last[k] = r.result; times[k].append(r.seconds); cpus[k].append(r.cpu_seconds)
    return {k: dict(median_s=statistics.median(times[k]), runs_s=[round(t, 4) for t in times[k]],
                    median_cpu_s=statistics.median(cpus[k]), runs_cpu_s=[round(t, 4) for t in cpus[k]],
                    result=last[k]) for k in fns}

def paired(a:dict, b:dict, cpu:bool=False) -> dict:
    "`a`'s seconds over `b`'s, round by round (two results of one `interleaved`): the ratios, median, min and max."
    key = 'runs_cpu_s' if cpu else 'runs_s'
    r = [x/y for x, y in zip(a[key], b[key])]
    return dict(median=statistics.median(r), min=min(r), max=max(r), rounds=len(r), ratios=r)

def bench_data(reps):
    import torch
    from fashion_nn.data import fashion_mnist, pair_tensors, post_pair_tensors
    splits = fashion_mnist()
    res = interleaved({'post: list comprehension + ToTensor': lambda: [post_pair_tensors(ds) for ds in splits],
                       'fashion_nn: pair_tensors': lambda: [pair_tensors(ds) for ds in splits]}, reps)
    (px, _), (fx, _) = (r['result'][0] for r in res.values())  # the post's, then ours
    assert torch.equal(px, fx), "the two preparations differ"
    for r in res.values(): r['result'] = 'identical tensors'
    return res

def raw_loop(dls, epochs=30, lr=0.1):
    """A plain PyTorch loop on the same model, loss and metric: index whole tensors by `dls.train`'s own permutation
    (so the batches are the `Learner`'s); validation loss and accuracy each epoch."""
    import torch
    from fashion_nn.linear import batch_accuracy, fashion_mnist_loss
    from fashion_nn.sequential import simple_net
    (x, y), (vx, vy) = dls.train.dataset.tensors, dls.valid.dataset.tensors
    net = simple_net().to(x.device); opt = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        dls.train.randomize(); perm = dls.train.get_idxs().to(x.device)  # what `TensorDL.__iter__` draws
        net.train()
        for i in range(0, len(x), 256):
            idx = perm[i:i+256]
            loss = fashion_mnist_loss(net(x.index_select(0, idx)), y.index_select(0, idx))
            loss.backward(); opt.step(); opt.zero_grad()
        net.eval()
        with torch.no_grad():
            vloss, correct = 0., 0.
            for i in range(0, len(vx), 256):
                p, t = net(vx[i:i+256]), vy[i:i+256]
                vloss += fashion_mnist_loss(p, t) * len(t); correct += batch_accuracy(p, t) * len(t)
    return (correct / len(vx)).item()

def sweep_with(cls):
    "Make `pair_sweep`, which builds its learners with `simple_learner(..., cls=FastLearner)`, build `cls` instead."
    import contextlib, fashion_nn.pairs as mod
    @contextlib.contextmanager
    def ctx():
        old, mod.FastLearner = mod.FastLearner, cls
        try: yield
        finally: mod.FastLearner = old
    return ctx()

def bench_fit(reps):
    from fastai.learner import Learner
    from fastai.torch_core import set_seed
    from fashion_nn.data import pair_dls
    from fashion_nn.dispatch import FastLearner
    from fashion_nn.learner import _fit, post_dls, simple_learner
    def learner_on(make_dls, cls=Learner):
        def run():
            set_seed(42); dls = make_dls()
            learn = simple_learner(dls, cls=cls)
            assert type(learn) is cls, f"simple_learner built a {type(learn).__name__}, not a {cls.__name__}"
            t = timed(lambda: _fit(learn, 30, 0.1))
            return Timed(learn.recorder.values, t.seconds, t.cpu_seconds)
        return run
    def raw():
        set_seed(42); dls = pair_dls(seed=42)
        t = timed(lambda: raw_loop(dls))
        return Timed([[None, None, t.result]], t.seconds, t.cpu_seconds)
    res = interleaved({"post's DataLoaders + Learner": learner_on(post_dls),
                       'pair_dls + Learner': learner_on(lambda: pair_dls(seed=42)),
                       'pair_dls + FastLearner': learner_on(lambda: pair_dls(seed=42), FastLearner),
                       'raw PyTorch loop': raw}, reps)
    stock, fast, plain = (res[k]['result'] for k in
                          ('pair_dls + Learner', 'pair_dls + FastLearner', 'raw PyTorch loop'))
    if fast != stock: raise SystemExit("bench: FastLearner's recorder values differ from Learner's: not a drop-in")
    if plain[-1][-1] != stock[-1][-1]:
        print(f"bench: note: the raw loop's final accuracy {plain[-1][-1]} differs from the Learners' {stock[-1][-1]}")
    for k, r in res.items():
        r['identical_recorder_values'] = r['result'] == stock if k != 'raw PyTorch loop' else None
        r['result'] = r['result'][-1][-1]  # the final accuracy
    return res

def bench_sweep():
    "The 45-pair sweep with stock `Learner`, then with `FastLearner`: seconds each, and whether the accuracies match."
    import torch
    from fastai.learner import Learner
    from fashion_nn.dispatch import FastLearner
    from fashion_nn.pairs import pair_sweep
    res = {}
    for name, cls in (('Learner', Learner), ('FastLearner', FastLearner)):
        with sweep_with(cls): t = timed(pair_sweep)
        res[name] = dict(seconds=t.seconds, cpu_seconds=t.cpu_seconds, acc=t.result)
    same = torch.equal(res['Learner'].pop('acc').nan_to_num(), res['FastLearner'].pop('acc').nan_to_num())
    return dict(res, identical_accuracies=same)

def bench_dispatch(n=20_000):
    """Events one quiet `fit(30, 0.1)` sends, and the cost of dispatching one that no callback handles (as on a quiet
    fit: no progress bar), for stock `Learner` and `FastLearner`: what a raw loop never pays."""
    from fastai.callback.core import Callback
    from fastai.learner import Learner
    from fashion_nn.data import pair_dls
    from fashion_nn.dispatch import FastLearner
    from fashion_nn.learner import _fit, simple_learner
    class CountEvents(Callback):
        "Both `Learner`s call a callback with its own `__call__` for every event, so this one sees them all."
        n = 0
        def __call__(self, event_name): self.n += 1
    res = {}
    for cls in (Learner, FastLearner):
        learn = simple_learner(pair_dls(seed=42), cls=cls)
        learn.add_cb(counter := CountEvents())
        _fit(learn, 30, 0.1)
        learn.remove_cb(counter)
        with learn.no_bar():
            learn('after_step')  # FastLearner looks its handlers up once
            start = time.perf_counter()
            for _ in range(n): learn('after_step')
            per_event = (time.perf_counter() - start) / n
        res[cls.__name__] = dict(events_per_fit=counter.n, us_per_event=round(per_event * 1e6, 2),
                                 seconds_per_fit=round(counter.n * per_event, 3))
    return res

def run_cmd(args, env=None):
    "Wall seconds, exit status and peak RSS (MiB) of a command, measured by a wrapper process of its own."
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
               "print(time.perf_counter() - t, rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, '-c', wrapper, *map(str, args)], capture_output=True, text=True,
                         cwd=ROOT, env=env).stdout.split()
    secs, rc, rss = float(out[0]), int(out[1]), float(out[2])
    if rc: raise SystemExit(f"bench: {' '.join(map(str, args))} failed (exit {rc})")
    return dict(seconds=secs, peak_rss_mib=rss)

def bench_series(reps, skip_suite, tmp):
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")
    fns = {'cold import fashion_nn.learner': lambda: run_cmd([sys.executable, '-c', 'import fashion_nn.learner']),
           'fashion_nn_reproduce (30 epochs)': lambda: run_cmd([BIN/'fashion_nn_reproduce', '--out', tmp])}
    if not skip_suite: fns['make test (gates + every notebook)'] = lambda: run_cmd(['bash', 'tools/test.sh'], env)
    return interleaved(fns, reps)

# The two kernel paths of section 6, as the child's environment: the pin, and what this CPU would pick by itself.
sys.path.insert(0, str(ROOT/'tools'))
import numeric_path
PATHS = {'pinned (AVX2)': numeric_path.KERNEL_PINS,
         'unpinned (AVX-512)': dict(ATEN_CPU_CAPABILITY='avx512', MKL_CBWR='AVX512', ONEDNN_MAX_CPU_ISA='AVX512_CORE')}
ONE_THREAD = numeric_path.COMMON_PINS

def child(work:str) -> dict:
    """`--child WORK`: build the data and `Learner` untimed, then time the fit alone: `post`, `fit_post(seed=42)`'s
    `fit(30, 0.1)`; `ten`, 07's `fit_one_cycle(10, 6e-3)` on all ten classes. Returns the seconds, the final accuracy
    and the kernels torch actually ran (ATen falls back silently to the widest the CPU has)."""
    import torch
    if work == 'post':
        from fashion_nn.data import pair_dls
        from fashion_nn.learner import _fit, simple_learner
        learn = simple_learner(pair_dls(seed=42))  # what fit_post(seed=42) fits
        t = timed(lambda: _fit(learn, 30, 0.1))
    else:
        from fashion_nn.ten_classes import ten_class_dls, ten_class_learner
        dls = ten_class_dls(bs=512, seed=42); dls.one_batch(); learn = ten_class_learner(dls)
        def fit():
            with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(10, 6e-3)
        t = timed(fit)
    return dict(seconds=t.seconds, cpu_seconds=t.cpu_seconds, acc=float(learn.recorder.values[-1][-1]),
                capability=torch.backends.cpu.get_cpu_capability(), threads=torch.get_num_threads())

def bench_paths(reps:int, ten_reps:int) -> dict:
    """Section 6: each fit in a fresh child per round on each path, interleaved; the medians and the rounds' own
    ratios pinned/unpinned (above 1: the pin costs that much). Not measurable if the unpinned child didn't run
    AVX512 kernels (a CPU without AVX-512: ATen falls back silently)."""
    avx512 = any(l.startswith('flags') and ' avx512f' in l for l in open('/proc/cpuinfo'))
    res = dict(cpu_has_avx512=avx512)
    for work, what, n in (('post', "the post's fit(30, 0.1) (fit_post(seed=42))", reps),
                          ('ten', "07's fit_one_cycle(10, 6e-3), ten classes", ten_reps)):
        caps = {k: [] for k in PATHS}
        def run(name):
            def f():
                env = dict(os.environ, **ONE_THREAD, **PATHS[name])
                out = subprocess.run([sys.executable, __file__, '--child', work], capture_output=True, text=True,
                                     cwd=ROOT, env=env)
                if out.returncode: raise SystemExit(f"bench: the {work} child on {name} failed:\n{out.stderr[-2000:]}")
                r = json.loads(out.stdout.strip().splitlines()[-1]); caps[name].append((r['capability'], r['threads']))
                return Timed(r['acc'], r['seconds'], r['cpu_seconds'])
            return f
        print(f"timing {what} on both kernel paths, {n} round{'s' * (n != 1)} ...", flush=True)
        r = interleaved({k: run(k) for k in PATHS}, n)
        for k in PATHS:
            r[k]['capability'] = sorted({c for c, _ in caps[k]}); r[k]['threads'] = sorted({t for _, t in caps[k]})
            r[k]['acc'] = r[k].pop('result')
        pinned, unpinned = (r[k] for k in PATHS)
        measurable = pinned['capability'] == ['AVX2'] and unpinned['capability'] == ['AVX512']
        res[work] = dict(what=what, rounds=n, **r, measurable=measurable,
                         ratio=paired(pinned, unpinned) if measurable else None,
                         ratio_cpu=paired(pinned, unpinned, cpu=True) if measurable else None)
    return res

def paths_lines(p:dict) -> list:
    "Section 6 of the table."
    lines = [] if p['cpu_has_avx512'] else ["6. this CPU has no AVX-512: the unpinned child ran the same kernels as "
                                            "the pinned one, so the pin's cost is not measurable here"]
    for i, work in enumerate(('post', 'ten')):
        r = p[work]; pin, own = (r[k] for k in PATHS)
        lines.append(f"{('6. ' if not i else '   ') + r['what']}: {r['rounds']} round{'s' * (r['rounds'] != 1)}, "
                     "a fresh process each, 1 thread")
        for k in PATHS:
            lines.append(f"{'     ' + k:<48}{r[k]['median_s']:>10.3f}  cpu {r[k]['median_cpu_s']:.3f} s; "
                         f"ran {'/'.join(r[k]['capability'])} kernels, {'/'.join(map(str, r[k]['threads']))} thread; "
                         f"acc {r[k]['acc']:.4f}")
        x, c = r['ratio'], r['ratio_cpu']
        lines.append(f"{'     the pin: pinned/unpinned':<48}{'':>10}  " +
                     (f"{x['median']:.3f}x ({x['min']:.3f}-{x['max']:.3f}) wall, {c['median']:.3f}x "
                      f"({c['min']:.3f}-{c['max']:.3f}) cpu" if r['measurable'] else
                      f"not measurable: the children ran {pin['capability']} and {own['capability']}"))
    return lines

def machine():
    import torch
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')),
               platform.processor())
    memory = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    return dict(cpu=cpu, cores=os.cpu_count(), memory_gib=round(memory / 2**30),
                python=platform.python_version(), torch=torch.__version__, torch_threads=torch.get_num_threads())

def goal(value:float, op:str, target:float, unit:str='x', rounds:list=()) -> str:
    """A goal and whether `value` meets it, judged unrounded (1.498 misses 1.5 though printed as 1.50); given the
    `rounds`' own ratios (of which `value` is the median), also how many of them fall on the other side."""
    meets = (lambda v: v >= target) if op == '>=' else (lambda v: v <= target)
    met, split = meets(value), sum(meets(r) != meets(value) for r in rounds)
    return (f"goal {op} {target:g}{unit}: {'met' if met else 'MISSED'}" +
            (f", though {split} of {len(rounds)} rounds {'miss' if met else 'meet'} it" if split else ''))

def table(res) -> str:
    fit, data, series = res['fit'], res['data'], res['series']
    ms, cs = (lambda r: r['median_s']), (lambda r: r['median_cpu_s'])
    post_d, ours_d = data['post: list comprehension + ToTensor'], data['fashion_nn: pair_tensors']
    post_f, ours_f, raw_f = fit["post's DataLoaders + Learner"], fit['pair_dls + Learner'], fit['raw PyTorch loop']
    fast_f = fit['pair_dls + FastLearner']
    x = lambda a, b, cpu=False: paired(a, b, cpu)['median']
    fr, fs = paired(fast_f, raw_f), paired(ours_f, fast_f)
    lines = [f"machine: {res['machine']['cpu']}, {res['machine']['cores']} cores, {res['machine']['memory_gib']} GiB; "
             f"torch {res['machine']['torch']} ({res['machine']['torch_threads']} thread"
             f"{'s' * (res['machine']['torch_threads'] != 1)}); medians of {res['reps']} "
             f"interleaved runs ({res['fit_reps']} for the fits;\n"
             "a fit ratio is the median of the rounds' own ratios, their range in brackets)",
             '', f"{'what':<48}{'median s':>10}  notes",
             f"{'1. data: post, list comprehension + ToTensor':<48}{ms(post_d):>10.3f}",
             f"{'   data: fashion_nn pair_tensors':<48}{ms(ours_d):>10.3f}  "
             f"{ms(post_d)/ms(ours_d):.0f}x faster ({goal(ms(post_d)/ms(ours_d), '>=', 50)})",
             f"{'2. fit(30, 0.1): post DataLoaders + Learner':<48}{ms(post_f):>10.3f}  acc {post_f['result']:.4f}; "
             f"{x(post_f, raw_f):.2f}x raw",
             f"{'   fit(30, 0.1): pair_dls + Learner':<48}{ms(ours_f):>10.3f}  acc {ours_f['result']:.4f}; "
             f"{x(ours_f, raw_f):.2f}x raw; {x(post_f, ours_f):.2f}x faster than the post's",
             f"{'   fit(30, 0.1): pair_dls + FastLearner':<48}{ms(fast_f):>10.3f}  acc {fast_f['result']:.4f}; "
             f"{fr['median']:.3f}x raw ({fr['min']:.3f}-{fr['max']:.3f}; "
             f"{goal(fr['median'], '<=', 1.3, rounds=fr['ratios'])}); "
             f"{fs['median']:.3f}x faster than Learner ({fs['min']:.3f}-{fs['max']:.3f}; "
             f"{goal(fs['median'], '>=', 1.5, rounds=fs['ratios'])}); "
             f"recorder values identical: {fast_f['identical_recorder_values']}",
             f"{'   the same three in CPU seconds':<48}{'':>10}  "
             f"Learner {cs(ours_f):.3f}, FastLearner {cs(fast_f):.3f}, raw {cs(raw_f):.3f}: "
             f"FastLearner {x(fast_f, raw_f, True):.3f}x raw, {x(ours_f, fast_f, True):.3f}x faster than Learner; "
             f"Learner {x(ours_f, raw_f, True):.2f}x raw",
             f"{'   fit(30, 0.1): raw PyTorch loop':<48}{ms(raw_f):>10.3f}  acc {raw_f['result']:.4f}",
             *(f"{f'   {k} dispatch alone (quiet fit)':<48}{v['seconds_per_fit']:>10.3f}  "
               f"{v['events_per_fit']:,} events per fit x {v['us_per_event']} us" for k, v in res['dispatch'].items())]
    if 'sweep' in res:
        sw = res['sweep']
        lines += [f"{'3. 45-pair sweep: Learner':<48}{sw['Learner']['seconds']:>10.1f}  "
                  f"cpu {sw['Learner']['cpu_seconds']:.1f} s",
                  f"{'   45-pair sweep: FastLearner':<48}{sw['FastLearner']['seconds']:>10.1f}  "
                  f"cpu {sw['FastLearner']['cpu_seconds']:.1f} s; "
                  f"{sw['Learner']['seconds']/sw['FastLearner']['seconds']:.2f}x faster than Learner (wall), "
                  f"{sw['Learner']['cpu_seconds']/sw['FastLearner']['cpu_seconds']:.2f}x (cpu); "
                  f"{SWEEP_BEFORE_S/sw['FastLearner']['seconds']:.2f}x faster than the {SWEEP_BEFORE_S:.0f} s before the dispatch work "
                  f"({goal(SWEEP_BEFORE_S/sw['FastLearner']['seconds'], '>=', 1.5)}); "
                  f"identical accuracies: {sw['identical_accuracies']}"]
    for k, r in series.items():
        suite = (f"; {SUITE_BEFORE_S} s before the dispatch work ({goal(ms(r), '<=', SUITE_GOAL_S, ' s', r['runs_s'])}; "
                 f"runs {min(r['runs_s']):.1f}-{max(r['runs_s']):.1f} s)"
                 if k.startswith('make test') else '')
        lines.append(f"{'4. ' + k:<48}{ms(r):>10.3f}  peak RSS {r['result']['peak_rss_mib']:.0f} MiB{suite}")
    if 'paths' in res: lines += paths_lines(res['paths'])
    return '\n'.join(lines)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--reps', type=int, default=5, help='repetitions of each measurement (default 5)')
    ap.add_argument('--fit-reps', type=int, default=15,
                    help='rounds of the four fits, whose ratios are the goals (default 15, about 6 s a round)')
    ap.add_argument('--skip-suite', action='store_true', help="don't time make test's notebooks")
    ap.add_argument('--skip-sweep', action='store_true', help="don't time the 45-pair sweep (about 2 minutes)")
    ap.add_argument('--threads', type=int, default=1, help='torch threads for the in-process timings (default 1)')
    ap.add_argument('--skip-paths', action='store_true', help="don't time the kernel paths (about 3 minutes)")
    ap.add_argument('--only-paths', action='store_true',
                    help='time only the kernel paths, keeping the other sections already saved in --out')
    ap.add_argument('--path-reps', type=int, default=5, help="rounds of the post's fit on each path (default 5)")
    ap.add_argument('--path-ten-reps', type=int, default=3, help="rounds of 07's fit on each path (default 3)")
    ap.add_argument('--child', choices=('post', 'ten'), help=argparse.SUPPRESS)  # one timed fit, for section 6
    ap.add_argument('--out', default=str(ROOT/'bench'/'results.json'), help='where to write the JSON')
    a = ap.parse_args()
    if a.child: print(json.dumps(child(a.child))); return
    if a.reps < 1 or a.fit_reps < 1 or a.path_reps < 1 or a.path_ten_reps < 1: ap.error('--*reps must be >= 1')
    if a.only_paths and a.skip_paths: ap.error('--only-paths and --skip-paths contradict each other')
    if a.only_paths:  # this section alone, saved under its own key with the rest of --out kept as it was
        out = Path(a.out); res = json.loads(out.read_text()) if out.exists() else dict(machine=machine())
        res['paths'] = bench_paths(a.path_reps, a.path_ten_reps)
        if 'fit' in res: res['table'] = table(res)
        print('\n' + '\n'.join(paths_lines(res['paths'])))
        out.write_text(json.dumps(res, indent=1) + '\n')
        print(f'\nwrote the kernel paths into {a.out}' + (', other sections kept' if 'fit' in res else ''))
        return
    import tempfile, torch
    if a.threads < 1: ap.error('--threads must be >= 1')
    torch.set_num_threads(a.threads)
    res = dict(machine=machine(), reps=a.reps, fit_reps=a.fit_reps)
    print('timing data preparation ...', flush=True); res['data'] = bench_data(a.reps)
    print(f'timing fit(30, 0.1), {a.fit_reps} rounds ...', flush=True); res['fit'] = bench_fit(a.fit_reps)
    res['dispatch'] = bench_dispatch()
    if not a.skip_sweep:
        print('timing the 45-pair sweep, Learner then FastLearner ...', flush=True); res['sweep'] = bench_sweep()
    print('timing the series ...', flush=True)
    with tempfile.TemporaryDirectory() as tmp: res['series'] = bench_series(a.reps, a.skip_suite, tmp)
    if not a.skip_paths: res['paths'] = bench_paths(a.path_reps, a.path_ten_reps)
    res['table'] = table(res)
    print('\n' + res['table'])
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
    print(f'\nwrote {a.out}')

if __name__ == '__main__': main()
