"""Page weight of a first paint, as the server sends it: the app serves a demo
site on a loopback port, and the page and everything it loads to paint (its
stylesheets, scripts with their module imports resolved through the page's
import map, the fonts the stylesheets name, and the images in the HTML) are
fetched over real HTTP with a browser's ``Accept-Encoding``. What counts is
the bytes on the wire, after whatever compression the server chose; the
budget is issue #5's 250 KB for HTML + CSS + JS + fonts. Images are listed
apart (the first card's image is what the browser asks for first, the rest
load lazily). Exits 1 over budget.

    .venv/bin/python benchmarks/page_weight.py [--posts 20] [--budget-kb 250] [--path /]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_KB = 250
# What Chromium asks for over HTTPS.
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
STYLESHEET = re.compile(r'<link\b[^>]*\brel="(?:stylesheet|preload)"[^>]*>')
HREF = re.compile(r'\bhref="([^"]+)"')
SCRIPT = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')
IMPORT_MAP = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)
IMAGE = re.compile(r'<img\b[^>]*\bsrc="([^"]+)"[^>]*>')
IMPORT = re.compile(
    r'^\s*(?:import|export)\s+(?:[^"\';]+\s+from\s+)?["\']([^"\']+)["\']', re.MULTILINE
)
FONT = re.compile(r'url\("?([^")]+\.woff2)[^")]*"?\)')


@dataclass
class Resource:
    url: str
    kind: str
    raw: int  # bytes of the content
    sent: int  # bytes of the body on the wire
    encoding: str  # Content-Encoding, "" when none


@dataclass
class Report:
    path: str
    resources: list[Resource] = field(default_factory=list)
    images: list[Resource] = field(default_factory=list)

    @property
    def total_sent(self) -> int:
        return sum(r.sent for r in self.resources)

    @property
    def total_raw(self) -> int:
        return sum(r.raw for r in self.resources)


def _decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    if encoding in ("", "identity"):
        return body
    raise ValueError(f"unexpected Content-Encoding {encoding!r}")


class Fetcher:
    """GETs over one keep-alive connection, as a browser's first visit would."""

    def __init__(self, base_url: str, accept_encoding: str = BROWSER_ACCEPT_ENCODING):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.accept_encoding = accept_encoding

    def get(self, url: str, kind: str) -> tuple[Resource, bytes, http.client.HTTPResponse]:
        self.connection.request("GET", url, headers={"Accept-Encoding": self.accept_encoding})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise AssertionError(f"{url}: {response.status}")
        encoding = response.getheader("Content-Encoding", "")
        content = _decoded(body, encoding)
        return Resource(url, kind, len(content), len(body), encoding), content, response

    def close(self) -> None:
        self.connection.close()


def measure(
    base_url: str, path: str = "/", accept_encoding: str = BROWSER_ACCEPT_ENCODING
) -> Report:
    """Fetch ``path`` from the server at ``base_url`` and everything it needs to paint."""
    fetcher = Fetcher(base_url, accept_encoding)
    report = Report(path)
    try:
        page, body, _ = fetcher.get(path, "html")
        report.resources.append(page)
        html = body.decode("utf-8")
        imports: dict[str, str] = {}
        for found in IMPORT_MAP.findall(html):
            imports.update(json.loads(found).get("imports", {}))
        queue = []
        for tag in STYLESHEET.findall(html):
            href = HREF.search(tag)
            if href and ('rel="stylesheet"' in tag or 'as="style"' in tag):
                queue.append((href.group(1), "css"))
        queue += [(imports.get(url, url), "js") for url in SCRIPT.findall(html)]
        seen = {path}
        while queue:
            url, kind = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            resource, content, _ = fetcher.get(url, kind)
            report.resources.append(resource)
            text = content.decode("utf-8", "replace")
            if kind == "js":
                for found in IMPORT.findall(text):
                    target = urljoin(url, found)
                    queue.append((imports.get(target, target), "js"))
            elif kind == "css":
                queue += [(urljoin(url, font), "font") for font in FONT.findall(text)]
        for url in dict.fromkeys(IMAGE.findall(html)):
            if url.startswith("/") and url not in seen:
                seen.add(url)
                report.images.append(fetcher.get(url, "image")[0])
    finally:
        fetcher.close()
    return report


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port for the block; yields its base URL."""
    from werkzeug.serving import make_server

    from skyframe.web.serving import QuietRequestHandler

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def demo_app(workdir: Path, seed_args: list[str], **overrides):
    """An app on a fresh demo database under ``workdir``, and seed-demo's output."""
    from flask_migrate import upgrade

    from skyframe import create_app

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'demo.db'}",
        UPLOAD_FOLDER=str(workdir / "uploads"),
        **overrides,
    )
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["seed-demo", *seed_args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return app, result.output


def demo_client(posts: int, workdir: Path):
    """A test client of an app on a fresh demo database under ``workdir``."""
    app, _ = demo_app(workdir, ["--users", "8", "--posts", str(posts)])
    return app.test_client()


def print_report(report: Report, budget_kb: int) -> None:
    print(f"{report.path}")
    print(f"{'resource':<62} {'raw':>9} {'sent':>9}  encoding")
    for r in report.resources:
        print(f"{r.url[:62]:<62} {r.raw / 1024:8.1f}K {r.sent / 1024:8.1f}K  {r.encoding or '-'}")
    print(
        f"{'HTML + CSS + JS + fonts':<62} {report.total_raw / 1024:8.1f}K "
        f"{report.total_sent / 1024:8.1f}K  (budget {budget_kb} KB)"
    )
    for image in report.images:
        print(f"not counted (image): {image.url[:60]} {image.sent / 1024:.1f}K")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--budget-kb", type=int, default=BUDGET_KB)
    parser.add_argument("--path", default="/")
    parser.add_argument("--accept-encoding", default=BROWSER_ACCEPT_ENCODING)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="skyframe-weight-") as folder:
        app, _ = demo_app(Path(folder), ["--users", "8", "--posts", str(args.posts)])
        with serve(app) as base_url:
            report = measure(base_url, args.path, args.accept_encoding)
    print_report(report, args.budget_kb)
    over = report.total_sent > args.budget_kb * 1024
    print("OVER BUDGET" if over else "within budget")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
