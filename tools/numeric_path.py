#!/usr/bin/env python3
"""The numeric path every stored output comes from, set in this one place.

    tools/numeric_path.py run -- CMD [ARG ...]   run CMD on the pinned path (make test, outputs, reproduce, lab, bench)
    tools/numeric_path.py                        print the path this process would run on

Seeds make a run repeatable on one machine; they don't make it the same on the next one. torch's CPU code (ATen) picks
vectorised kernels for the widest instructions it finds (`torch.backends.cpu.get_cpu_capability()`: AVX512 on one
EPYC, AVX2 on another), and the kernels sum in different orders: 07's 10-epoch fit ends at 0.8833 with AVX-512
kernels and 0.8809 with AVX2 ones. So on x86-64 every project command pins what picks kernels by CPU to AVX2, which
every current x86-64 CPU has (ATen's `ATEN_CPU_CAPABILITY`, MKL's `MKL_CBWR`, oneDNN's `ONEDNN_MAX_CPU_ISA`), runs one
thread (the order of a sum also depends on how it is split between threads), and hides any GPU
(`CUDA_VISIBLE_DEVICES=`): fastai's `default_device()` then picks the CPU, where the stored outputs were made.

A variable the caller has set is respected (`ATEN_CPU_CAPABILITY=default make test` runs ATen's generic kernels, as
a CPU without AVX2 would); `tools/nbcheck.py` then says that it runs on another path and compares the cells marked
`#| outputs: approx TOL` within their tolerance. The package itself never sets any of this: importing `fashion_nn`
leaves a user's environment as it is.
"""
from __future__ import annotations
import json, os, platform, sys

X86 = platform.machine().lower() in ('x86_64', 'amd64')
# The kernels, pinned on x86-64 only (elsewhere the names mean nothing: on ARM, ATen warns about an unknown capability);
# one thread and the CPU everywhere.
KERNEL_PINS = {'ATEN_CPU_CAPABILITY': 'avx2', 'MKL_CBWR': 'AVX2', 'ONEDNN_MAX_CPU_ISA': 'AVX2'}
COMMON_PINS = {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': ''}
PINS = {**(KERNEL_PINS if X86 else {}), **COMMON_PINS}

def pin(environ=os.environ) -> dict:
    "Set each of `PINS` that `environ` doesn't already have (a caller's value wins); returns the ones set here."
    added = {k: v for k, v in PINS.items() if k not in environ}
    environ.update(added)
    return added

def current() -> dict:
    "The numeric path of this process, as torch sees it: architecture, CPU kernels, threads, device, torch version."
    import torch
    dev = 'cuda' if torch.cuda.is_available() else 'mps' if getattr(torch.backends, 'mps', None) and torch.backends.mps.is_available() else 'cpu'
    return dict(machine=platform.machine(), cpu_capability=torch.backends.cpu.get_cpu_capability(),
                threads=torch.get_num_threads(), device=dev, torch=torch.__version__)

def describe(path:dict) -> str:
    "One line: `x86_64, AVX2 kernels, 1 thread, cpu, torch 2.14.1+cu130`."
    t = path.get('threads')
    return (f"{path.get('machine')}, {path.get('cpu_capability')} kernels, {t} thread{'s' * (t != 1)}, "
            f"{path.get('device')}, torch {path.get('torch')}")

if __name__ == '__main__':
    args = sys.argv[1:]
    if args[:1] == ['run']:
        cmd = args[2:] if args[1:2] == ['--'] else args[1:]
        if not cmd: sys.exit('numeric_path.py run: no command given (usage: tools/numeric_path.py run -- CMD [ARG ...])')
        pin()
        try: os.execvp(cmd[0], cmd)
        except OSError as e: sys.exit(f'numeric_path.py: cannot run {cmd[0]} ({e.strerror})')
    elif args: sys.exit(f'numeric_path.py: unknown arguments {" ".join(args)} (usage: see the top of tools/numeric_path.py)')
    pin()
    print(describe(current()))
    print(json.dumps({k: os.environ[k] for k in PINS}))
