"""Page weight of the first feed paint: the HTML of / and every stylesheet and
script it loads (module imports followed), each gzip-compressed (level 6, what
a typical reverse proxy sends), against the 250 KB budget of issue #5.

The app runs in-process on a throwaway SQLite database holding a demo site
(``flask seed-demo``), so the HTML carries a full first page of cards. Fonts
and images are listed apart: they are not HTML, CSS or JS. Exits 1 over budget.

    .venv/bin/python benchmarks/page_weight.py [--posts 20] [--budget-kb 250]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_KB = 250
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
SCRIPT = re.compile(r'<script[^>]*\bsrc="([^"]+)"')
IMPORT = re.compile(r'^\s*import\s+(?:[^"\']+\s+from\s+)?["\']([^"\']+)["\']', re.MULTILINE)
FONT = re.compile(r'url\("?([^")]+\.woff2)[^")]*"?\)')


@dataclass
class Resource:
    url: str
    kind: str
    raw: int
    gzipped: int


@dataclass
class Report:
    resources: list[Resource] = field(default_factory=list)
    fonts: list[Resource] = field(default_factory=list)

    @property
    def total_gzipped(self) -> int:
        return sum(r.gzipped for r in self.resources)

    @property
    def total_raw(self) -> int:
        return sum(r.raw for r in self.resources)


def _resource(url: str, kind: str, body: bytes) -> Resource:
    return Resource(url, kind, len(body), len(gzip.compress(body, compresslevel=6, mtime=0)))


def measure(client, path: str = "/") -> Report:
    """Fetch ``path`` and everything it needs to paint, with a Flask test client."""
    report = Report()
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    report.resources.append(_resource(path, "html", page.data))
    queue = [(url, "css") for url in STYLESHEET.findall(html)]
    queue += [(url, "js") for url in SCRIPT.findall(html)]
    seen = set()
    while queue:
        url, kind = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        answer = client.get(url)
        assert answer.status_code == 200, url
        body = answer.data
        answer.close()
        report.resources.append(_resource(url, kind, body))
        text = body.decode("utf-8", "replace")
        if kind == "js":
            queue += [(urljoin(url, found), "js") for found in IMPORT.findall(text)]
        else:
            for font in FONT.findall(text):
                font_url = urljoin(url, font)
                if font_url not in seen:
                    seen.add(font_url)
                    font_answer = client.get(font_url)
                    report.fonts.append(_resource(font_url, "font", font_answer.data))
                    font_answer.close()
    return report


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
    print(f"{'resource':<58} {'raw':>9} {'gzip':>9}")
    for r in report.resources:
        print(f"{r.url[:58]:<58} {r.raw / 1024:8.1f}K {r.gzipped / 1024:8.1f}K")
    print(
        f"{'HTML + CSS + JS':<58} {report.total_raw / 1024:8.1f}K "
        f"{report.total_gzipped / 1024:8.1f}K   (budget {budget_kb} KB)"
    )
    for font in report.fonts:
        print(f"not counted (font): {font.url.split('?')[0]} {font.raw / 1024:.1f}K")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--budget-kb", type=int, default=BUDGET_KB)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="skyframe-weight-") as folder:
        client = demo_client(args.posts, Path(folder))
        report = measure(client)
    print_report(report, args.budget_kb)
    over = report.total_gzipped > args.budget_kb * 1024
    print("OVER BUDGET" if over else "within budget")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
