#!/usr/bin/env python3
"""Open every page of the built site (`_docs/`) in headless Chromium and fail when a page doesn't load, an image doesn't
render (naturalWidth 0), an internal link points to a missing file or anchor, or a page shows a Python traceback or
Markdown link syntax as text (nbdev links a backticked name even inside a code block, e.g. a signature's comment).
Saves a screenshot of the home page as `_docs/screenshot.png`.

Drives Debian's `chromium` over the Chrome DevTools Protocol (websocket-client). Pages are opened as files; requests
to the network (MathJax from a CDN, say) are blocked, so the check runs offline and gives the same answer every time.
Usage: tools/check_site.py [DIR]   (default: settings.ini's doc_path; $CHROMIUM overrides the browser)
"""
import json, os, shutil, subprocess, sys, tempfile, time, urllib.parse, urllib.request
from pathlib import Path

import websocket

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
         '--remote-debugging-port=0',
         '--allow-file-access-from-files', 'about:blank']
# What each page reports: its images, links and anchors, and whether its text shows a traceback.
PROBE = """JSON.stringify({
  title: document.title,
  images: [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id)
       .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
  traceback: document.body.innerText.includes('Traceback (most recent call last)'),
  rawlinks: (document.body.innerText.match(/\\[[^\\]\\n]*\\]\\((https?:\\/\\/|[\\w.-]+\\.html)[^)\\s]*\\)/g) || []).slice(0, 3)
})"""


class Browser:
    "Headless Chromium with one page, spoken to over the DevTools protocol."
    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix='check_site-')
        self.proc = subprocess.Popen([exe, f'--user-data-dir={self.profile}', *FLAGS],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file, deadline = Path(self.profile)/'DevToolsActivePort', time.time() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.time() > deadline:
                self.close()
                sys.exit(f"FAIL {exe} did not start (exit {self.proc.returncode}): run it by hand to see why")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        target = json.load(urllib.request.urlopen(urllib.request.Request(
            f'http://127.0.0.1:{port}/json/new?about:blank', method='PUT'), timeout=10))
        self.ws = websocket.create_connection(target['webSocketDebuggerUrl'], timeout=60, suppress_origin=True)
        self.n, self.events = 0, []

    def send(self, method, **params):
        self.n += 1; self.ws.send(json.dumps(dict(id=self.n, method=method, params=params)))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get('id') == self.n:
                if 'error' in msg: raise RuntimeError(f"{method}: {msg['error'].get('message')}")
                return msg.get('result', {})
            self.events.append(msg)

    def wait_for(self, event, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e.get('method') == event: del self.events[:i + 1]; return e
            self.ws.settimeout(max(0.1, deadline - time.time()))
            try: self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException: break
        raise TimeoutError(f'no {event} within {timeout}s')

    def close(self):
        if getattr(self, 'ws', None): self.ws.close()
        self.proc.terminate()
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def find_browser():
    exe = os.environ.get('CHROMIUM') or next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if not exe: sys.exit("FAIL no chromium found: run 'make setup' as root, or: sudo apt-get install -y chromium")
    return exe


def check(site):
    site = site.resolve()
    pages = sorted(site.rglob('*.html'))
    if not pages: sys.exit(f"FAIL no pages in {site}: run 'make docs' first")
    start, problems, seen = time.time(), [], {}
    b = Browser(find_browser())
    try:
        b.send('Page.enable'); b.send('Network.enable')
        b.send('Network.setBlockedURLs', urls=['http://*', 'https://*'])
        b.send('Emulation.setDeviceMetricsOverride', width=1280, height=900, deviceScaleFactor=1, mobile=False)
        for p in pages:
            rel = p.relative_to(site).as_posix()
            b.events.clear()
            nav = b.send('Page.navigate', url=p.as_uri())
            if nav.get('errorText'): problems.append(f"{rel}: did not load ({nav['errorText']})"); continue
            try: b.wait_for('Page.loadEventFired')
            except TimeoutError: problems.append(f"{rel}: did not finish loading within 60 s"); continue
            r = json.loads(b.send('Runtime.evaluate', expression=PROBE, returnByValue=True)['result']['value'])
            seen[p] = r
            problems += [f"{rel}: image {i['src']} does not render (naturalWidth 0)"
                         for i in r['images'] if not i['ok']]
            if r['traceback']: problems.append(f"{rel}: shows a Python traceback")
            problems += [f"{rel}: shows Markdown link syntax as text ({t}): in a signature's comment, drop the "
                         "backticks around the name" for t in r['rawlinks']]
            if p == site/'index.html':
                shot = b.send('Page.captureScreenshot', format='png')['data']
                import base64; (site/'screenshot.png').write_bytes(base64.b64decode(shot))
    finally: b.close()
    n_links, name = 0, lambda t: t.relative_to(site) if t.is_relative_to(site) else t
    for p, r in seen.items():  # internal links: the file must exist, and an anchor must be on the page it names
        for href in r['links']:
            u = urllib.parse.urlparse(href)
            if u.scheme != 'file': continue
            n_links += 1
            target = Path(urllib.parse.unquote(u.path))
            if not target.exists(): problems.append(f"{name(p)}: broken link to {name(target)}")
            elif u.fragment and target in seen and urllib.parse.unquote(u.fragment) not in seen[target]['ids']:
                problems.append(f"{name(p)}: link to missing anchor {name(target)}#{u.fragment}")
    n_img = sum(len(r['images']) for r in seen.values())
    for m in problems: print(f"FAIL {m}")
    shot = (site/'screenshot.png').exists() and not problems
    print(f"{'FAIL' if problems else 'ok  '} site check: {len(pages)} pages, {n_img} images, {n_links} internal links "
          f"in headless Chromium, {len(problems)} problems ({time.time()-start:.1f}s)"
          + (f"; home page in {site.name}/screenshot.png" if shot else ''))
    return 1 if problems else 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    if args: site = Path(args[0])
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from nbdev.config import get_config
        site = get_config().doc_path
    sys.exit(check(site))
