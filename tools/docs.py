#!/usr/bin/env python3
"""Build the documentation site into `_docs/` (settings.ini's `doc_path`).

With Quarto installed: `nbdev_docs`, as nbdev projects do. Without it (or with --no-quarto): every notebook goes through
nbdev's processors (as `nbdev_proc_nbs` prepares them for Quarto: directives applied, `show_doc` cells added for the
exported names and executed), then nbconvert's HTML export with a small template (tools/site_template): one page per
notebook, named as Quarto names it (`01_baseline.ipynb` -> `baseline.html`), a sidebar in series order, figures written
as files next to the pages, links to notebooks and to the published site rewritten to the local pages.

Usage: tools/docs.py [--no-quarto]
"""
import html, re, shutil, subprocess, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExtractOutputPreprocessor
from nbdev.config import get_config
from nbrender import html_name, nb_order, processed, quarto_cells, site_urls


def _output(o):
    "An nbformat output from execnb's: multi-line strings joined, as nbconvert's preprocessors expect."
    j = lambda v: ''.join(v) if isinstance(v, list) else v
    o = {k: v for k, v in dict(o).items()}
    if 'text' in o: o['text'] = j(o['text'])
    if 'data' in o: o['data'] = {k: j(v) for k, v in dict(o['data']).items()}
    if o['output_type'] in ('display_data', 'execute_result'): o.setdefault('metadata', {})
    if o['output_type'] == 'execute_result': o.setdefault('execution_count', None)
    return nbformat.from_dict(o)


def _inline_code(text:str) -> str:
    "A page title or description as HTML: escaped, each `...` in it as <code>...</code>, as Quarto shows it"
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(text))


def _page_nb(fm, cells):
    "An nbformat notebook of the cells as Quarto would show them, the title block first."
    nb = nbformat.v4.new_notebook()
    desc = _inline_code(fm.get('description', ''))
    head = f"# {fm.get('title', '')}" + (f'\n\n<p class="site-description">{desc}</p>' if desc else '')
    nb.cells.append(nbformat.v4.new_markdown_cell(head))
    for c in cells:
        if c['cell_type'] == 'markdown':
            if c['source'].strip(): nb.cells.append(nbformat.v4.new_markdown_cell(c['source']))
            continue
        if not c['echo'] and not c['outputs']: continue
        cell = nbformat.v4.new_code_cell(c['source'], outputs=[_output(o) for o in c['outputs']])
        if not c['echo']: cell.metadata['transient'] = {'remove_source': True}
        if c['fold']: cell.metadata.update(code_fold=True, code_summary=c['summary'])
        nb.cells.append(cell)
    return nb


def _local_links(page, names, base):
    "Links to notebooks (`01_baseline.ipynb#x`) and to the published site (`{doc_host}/baseline.html#x`): local pages."
    def fix(m):
        url = m[2]
        if url.startswith(base): url = url[len(base):] or 'index.html'
        else:
            nb, _, frag = url.partition('#')
            if nb in names: url = names[nb] + (f'#{frag}' if frag else '')
        return f'{m[1]}"{url}"'
    return re.sub(r'(href=)"([^"]*)"', fix, page)


def _pandoc_id(s):
    "The identifier pandoc (so Quarto, and nbdev's doc links) gives a heading: `TensorDL` -> `tensordl`."
    s = re.sub(r'[^\w\-. ]', '', s.replace('-', ' ').lower()).strip().replace(' ', '-')
    return re.sub(r'^[^a-z]+', '', s) or 'section'


def _heading_ids(page):
    "nbconvert keeps a heading's case (`id=\"TensorDL\"`); pandoc lower-cases it, and nbdev's links expect that."
    page = re.sub(r'(<h[1-6] id=)"([^"]*)"', lambda m: f'{m[1]}"{_pandoc_id(m[2])}"', page)
    return re.sub(r'(class="anchor-link" href="#)([^"]*)"', lambda m: f'{m[1]}{_pandoc_id(m[2])}"', page)



# Markdown files of the repository that the notebooks link to, as the site's pages: a link out of the site's folder
# (`../CONTRIBUTING.md`) works in a checkout and breaks once the site is published on its own. The build without
# Quarto makes them; after a Quarto build, tools/check_site.py names such a link.
ROOT_PAGES = {'../CONTRIBUTING.md': 'contributing.html'}


def _root_page(md:Path):
    "The front matter and cells of a repository Markdown file as a page: its title, its links made the site's."
    text = md.read_text()
    title, _, body = text.partition('\n') if text.startswith('# ') else ('# ' + md.stem, '', text)
    body = re.sub(r'\]\(nbs/', '](', body).replace('](README.md)', '](index.ipynb)')  # as seen from nbs/
    return dict(title=title[2:].strip()), [dict(cell_type='markdown', source=body)]


def build_without_quarto(nbs, out):
    cfg = get_config()
    paths = nb_order(nbs)
    names = {p.name: html_name(p) for p in paths} | ROOT_PAGES
    shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    pages, failures = [], []
    for p in paths:
        t = time.time()
        fm, cells = quarto_cells(nb := processed(p))
        failures += [f"{p.name} {f}" for f in nb.exec_failures_]
        pages.append((p, fm, cells, time.time() - t))
    for link, page in ROOT_PAGES.items():
        if (md := (Path(nbs)/link).resolve()).exists(): pages.append((md, *_root_page(md), 0.0))
    page_of = lambda p: names.get(p.name) or names[f'../{p.name}']
    nav = [dict(href=page_of(p), title=_inline_code(fm.get('title', p.stem))) for p, fm, _, _ in pages]
    exporter = HTMLExporter(template_name='site_template', extra_template_basedirs=[str(Path(__file__).parent)],
                            exclude_input_prompt=True, exclude_output_prompt=True)  # no `In [ ]:`, as Quarto
    exporter.register_preprocessor(ExtractOutputPreprocessor(enabled=True), enabled=True)
    base = site_urls()
    for p, fm, cells, secs in pages:
        page = page_of(p)
        site = dict(title=cfg.title, pages=[dict(n, current=n['href'] == page) for n in nav])
        resources = dict(metadata=dict(name=fm.get('title', p.stem).replace('`', '')), site=site,
                         output_files_dir=f"{Path(page).stem}_files")
        body, res = exporter.from_notebook_node(_page_nb(fm, cells), resources=resources)
        (out/page).write_text(_heading_ids(_local_links(body, names, base)))
        for name, data in sorted(res.get('outputs', {}).items()):
            (out/name).parent.mkdir(parents=True, exist_ok=True); (out/name).write_bytes(data)
        print(f"  {p.name:<22} -> {page:<22} {len(res.get('outputs', {})):>2} figures  (nbdev processing {secs:.1f}s)")
    for f in failures:
        print(f"FAIL {f} fails outside its notebook; nbdev_docs (Quarto) stops there: "
              "give its imports a cell of their own")
    return len(pages), len(failures)


def main(argv):
    cfg = get_config()
    out, start = cfg.doc_path, time.time()
    if shutil.which('quarto') and '--no-quarto' not in argv:
        print("quarto found: nbdev_docs")
        # nbdev_docs also rewrites README.md (nbdev_readme); the README is tools/readme.py's, which `make test` checks.
        keep = {p: p.read_bytes() for p in [cfg.config_path/'README.md'] if p.exists()}
        figs = cfg.config_path/f"{Path(cfg.get('readme_nb', 'index.ipynb')).stem}_files"
        had_figs = figs.exists()
        try: rc = subprocess.run([str(Path(sys.executable).parent/'nbdev_docs')], cwd=cfg.config_path).returncode
        finally:
            for p, data in keep.items(): p.write_bytes(data)
            if not had_figs: shutil.rmtree(figs, ignore_errors=True)
        if rc: sys.exit(f"FAIL nbdev_docs exited {rc} (error above); tools/docs.py --no-quarto builds without Quarto")
        print(f"built {out} with Quarto in {time.time()-start:.1f}s")
        return 0
    n, failed = build_without_quarto(cfg.nbs_path, out)
    print(f"built {n} pages in {out.relative_to(cfg.config_path)}/ without Quarto in {time.time()-start:.1f}s")
    return 1 if failed else 0


if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
