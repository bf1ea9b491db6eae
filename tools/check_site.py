#!/usr/bin/env python3
"""Open every page of the built site (`_docs/`) in headless Chromium and fail when a page doesn't load, an image doesn't
render (naturalWidth 0), an internal link points to a missing file or anchor or out of the site's folder, a page shows
a Python traceback or Markdown link syntax as text (nbdev links a backticked name even inside a code block, e.g. a
signature's comment), a script throws or logs an error, or a local file the page asks for does not load.
Saves a full-page screenshot of every page in `_docs/screenshots/` and the home page's first screen as
`_docs/screenshot.png`.

Drives Debian's `chromium` through Playwright (no browser download: `executable_path`). Pages are opened as files;
requests to the network (MathJax from a CDN, say) are blocked, so the check runs offline and gives the same answer
every time. Usage: tools/check_site.py [DIR]   (default: settings.ini's doc_path; $CHROMIUM overrides the browser)
"""
import os, re, shutil, sys, time, urllib.parse
from pathlib import Path

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
# This machine's closed network refuses Chromium's background connections: ask for none.
ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic', '--hide-scrollbars', '--allow-file-access-from-files']
# What each page reports: its images, links and anchors, and whether its text shows a traceback or a Markdown link.
PROBE = r"""() => ({
  images: [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id)
       .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
  traceback: document.body.innerText.includes('Traceback (most recent call last)'),
  rawlinks: (document.body.innerText.match(/\[[^\]\n]*\]\((https?:\/\/|[\w.-]+\.html)[^)\s]*\)/g) || []).slice(0, 3)
})"""


def find_browser():
    exe = os.environ.get('CHROMIUM') or next(filter(None, map(shutil.which, BROWSERS)), None)
    if not (exe and shutil.which(exe)):
        sys.exit(f"FAIL no browser {'at CHROMIUM=' + exe if exe else 'found'}: sudo apt-get install -y chromium "
                 "('make setup' as root does it), or set CHROMIUM to a Chromium binary")
    return exe


def visit(ctx, site, p, shots, problems):
    "Open page `p`: its PROBE report, or None when it does not load; what goes wrong on the way goes in `problems`."
    from playwright.sync_api import Error, TimeoutError
    rel, page = p.relative_to(site).as_posix(), ctx.new_page()
    say = lambda m: problems.append(f"{rel}: {m}")
    page.on('pageerror', lambda e: say(f"JavaScript error: {e.name}: {e.message}"))
    # A failed load is logged too; local ones are reported as failed requests, network ones are blocked on purpose.
    page.on('console', lambda m: m.type == 'error' and not m.text.startswith('Failed to load resource')
            and say(f"console error: {m.text}"))
    page.on('requestfailed', lambda r: r.url.startswith('file:')
            and say(f"{Path(urllib.parse.unquote(r.url[7:])).name} did not load ({r.failure})"))
    try:
        page.goto(p.as_uri(), timeout=60_000)
        r = page.evaluate(PROBE)
        page.screenshot(path=shots/Path(rel).with_suffix('.png'), full_page=True)
        if p == site/'index.html': page.screenshot(path=site/'screenshot.png')
        return r
    except TimeoutError: say("did not finish loading within 60 s")
    except Error as e: say(f"did not load ({str(e).splitlines()[0]})")
    finally: page.close()


def check(site):
    site = site.resolve()
    pages = sorted(site.rglob('*.html'))
    if not pages: sys.exit(f"FAIL no pages in {site}: run 'make docs' first")
    try: from playwright.sync_api import sync_playwright, Error
    except ImportError: sys.exit("FAIL playwright is not installed: run 'make setup' (requirements-lock.txt pins it)")
    exe, start, problems, seen, shots = find_browser(), time.time(), [], {}, site/'screenshots'
    shutil.rmtree(shots, ignore_errors=True)
    with sync_playwright() as pw:
        try: browser = pw.chromium.launch(executable_path=exe, args=ARGS)
        except Error as e: sys.exit(f"FAIL {exe} did not start ({str(e).splitlines()[0]}): run it by hand to see why")
        ctx = browser.new_context(viewport=dict(width=1280, height=900), device_scale_factor=1)
        ctx.route(re.compile(r'^(https?|wss?)://'), lambda route: route.abort())
        for p in pages:
            if (r := visit(ctx, site, p, shots, problems)) is None: continue
            seen[p], rel = r, p.relative_to(site)
            problems += [f"{rel}: image {i['src']} does not render (naturalWidth 0)" for i in r['images'] if not i['ok']]
            if r['traceback']: problems.append(f"{rel}: shows a Python traceback")
            problems += [f"{rel}: shows Markdown link syntax as text ({t}): in a signature's comment, drop the "
                         "backticks around the name" for t in r['rawlinks']]
        browser.close()
    n_links, name = 0, lambda t: t.relative_to(site) if t.is_relative_to(site) else t
    for p, r in seen.items():  # internal links: the file must exist, and an anchor must be on the page it names
        for href in r['links']:
            u = urllib.parse.urlparse(href)
            if u.scheme != 'file': continue
            n_links += 1
            target = Path(urllib.parse.unquote(u.path))
            if not target.is_relative_to(site):
                problems.append(f"{name(p)}: link out of the site to {target}: it breaks once the site is published "
                                "on its own (tools/docs.py's ROOT_PAGES makes a repository file a page)")
            elif not target.exists(): problems.append(f"{name(p)}: broken link to {name(target)}")
            elif u.fragment and target in seen and urllib.parse.unquote(u.fragment) not in seen[target]['ids']:
                problems.append(f"{name(p)}: link to missing anchor {name(target)}#{u.fragment}")
    n_img = sum(len(r['images']) for r in seen.values())
    for m in problems: print(f"FAIL {m}")
    print(f"{'FAIL' if problems else 'ok  '} site check: {len(pages)} pages, {n_img} images, {n_links} internal links "
          f"in headless Chromium, {len(problems)} problems ({time.time()-start:.1f}s); full pages in "
          f"{site.name}/screenshots/" + (f", home page in {site.name}/screenshot.png" if not problems else ''))
    return 1 if problems else 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    if args: site = Path(args[0])
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from nbdev.config import get_config
        site = get_config().doc_path
    sys.exit(check(site))
