"""Notebooks as nbdev hands them to Quarto, for the README and the site when Quarto is not installed.

`processed(path)` runs nbdev's own processors (`FilterDefaults`, as `nbdev_proc_nbs` does for `_proc/`): `#| hide` and
`#| export` cells go, `show_doc` cells are added for exported names and executed, the title and description become
frontmatter, and doc links are added. `quarto_cells(nb)` then applies the Quarto cell options those processors leave
behind (`echo`, `output`, `include`, `eval`, `code-fold`), which is what Quarto would do next.
"""
import functools, os, re, sys, warnings
from pathlib import Path

import yaml
from execnb.nbio import read_nb
from nbdev.config import get_config
from nbdev.doclinks import _nbpath2html
from nbdev.processors import FilterDefaults, exec_show_docs

from installed import elsewhere

_re_opt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')
_re_dir = re.compile(r'^\s*#\|')
_re_pandoc_attr = re.compile(r'(\]\([^)\s]*\))\{[^}]*\}')  # [source](url){target="_blank" ...}: pandoc-only syntax


def nb_order(path):
    "Notebooks in series order: `index` first, then by file name (00, 01, ..., 07, then the 9x appendices)."
    nbs = [p for p in Path(path).glob('*.ipynb') if not p.name.startswith(('_', '.'))]
    return sorted(nbs, key=lambda p: (p.stem != 'index', p.name))


def html_name(p):
    "The page Quarto writes for notebook `p`, as nbdev names it: `01_baseline.ipynb` -> `baseline.html`."
    return _nbpath2html(Path(p)).name


class _exec_show_docs(exec_show_docs):
    "nbdev's `exec_show_docs`, but a failing cell is recorded (nbdev_docs would stop there) instead of raised."
    def __call__(self, cell):
        outputs = cell.get('outputs')
        try: super().__call__(cell)
        except Exception:
            if outputs is not None: cell.outputs = outputs  # the outputs of the notebook's real run, not this error
            first = next((l for l in (cell.source or '').splitlines() if not l.startswith('#|')), '')
            self.nb.exec_failures_.append(f"cell {cell.idx_} ({first[:60]})")
            self.k.exc = None


class _Procs(FilterDefaults):
    def base_procs(self): return [_exec_show_docs if p is exec_show_docs else p for p in super().base_procs()]


@functools.cache  # once per process, however many notebooks are processed
def _check_lib():
    "Exit with the fix unless the library imports from this checkout: nbdev reads doc links from the installed one."
    if (msg := elsewhere()):
        sys.exit(f"{msg}, so the pages would lose their links to its docs: run make setup (it installs this "
                 "checkout, editable)")


def processed(path):
    "Notebook `path` after nbdev's processors; `nb.exec_failures_` lists cells `exec_show_docs` could not run."
    _check_lib()
    path = Path(path).resolve()
    nb = read_nb(path)
    nb.exec_failures_ = []
    cwd, env = os.getcwd(), os.environ.get('IN_TEST')
    os.chdir(path.parent); os.environ['IN_TEST'] = '1'  # as nbdev's serve_drv, which proc_nbs runs
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', message='Found cells containing imports')
            _Procs()(nb)
    finally:
        os.chdir(cwd)
        if env is None: os.environ.pop('IN_TEST', None)
        else: os.environ['IN_TEST'] = env
    return nb


def _opts(src):
    "Quarto cell options (`#| key: value`) and the source without directive lines."
    opts, lines = {}, []
    for l in (src or '').splitlines():
        m = _re_opt.match(l)
        if m: opts[m[1]] = yaml.safe_load(m[2]) if m[2] else True
        elif not _re_dir.match(l): lines.append(l)
    return opts, '\n'.join(lines).strip('\n')


def quarto_cells(nb):
    """`(frontmatter, cells)`: the processed notebook's cells after Quarto's cell options, as plain dicts:
    `{'cell_type', 'source', 'outputs', 'echo', 'fold', 'summary'}`; outputs keep only what Quarto would show."""
    fm, cells = {}, []
    for c in nb.cells:
        if c.cell_type == 'raw' and (c.source or '').startswith('---'):
            fm.update(yaml.safe_load(c.source.strip().strip('-')) or {}); continue
        if c.cell_type == 'markdown':
            cells.append(dict(cell_type='markdown', source=c.source.strip('\n'))); continue
        if c.cell_type != 'code': continue
        opts, src = _opts(c.source)
        if opts.get('include') is False: continue
        outs = [] if opts.get('output') is False or opts.get('eval') is False else list(c.get('outputs', []))
        if opts.get('output') == 'asis':  # show_doc: the markdown itself, without pandoc's attribute syntax
            outs = [dict(output_type='display_data', metadata={},
                         data={'text/markdown': _re_pandoc_attr.sub(r'\1', _text(o['data']['text/markdown']))})
                    for o in outs if 'text/markdown' in o.get('data', {})]
        fold = opts.get('code-fold') not in (None, False)
        cells.append(dict(cell_type='code', source=src, outputs=outs, echo=opts.get('echo') is not False and bool(src),
                          fold=fold, summary=opts.get('code-summary', 'Code')))
    return fm, cells


def _text(t): return ''.join(t) if isinstance(t, list) else t


def site_urls():
    "The published site's base URL, as nbdev's doc links spell it (`doc_host` + `doc_baseurl` + '/')."
    cfg = get_config()
    return '/'.join(p for p in (cfg.doc_host.rstrip('/'), cfg.doc_baseurl.strip('/')) if p) + '/'
