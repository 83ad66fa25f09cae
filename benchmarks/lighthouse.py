"""Lighthouse (mobile profile: simulated 150 ms RTT, 1.6 Mbps, 4x CPU) against a
demo site: the feed ``/``, a post page, a profile and a search, served by the
embedded default (``make run``'s scripts/run_dev.py) or by gunicorn (the
production configuration, over plain HTTP on loopback). Prints performance,
accessibility, LCP, FCP, CLS, TBT and the bytes transferred per page, against
issue #17's targets.

Lighthouse is installed with npm at first use into ``--lighthouse-dir``
(default ~/.cache/skyframe-lighthouse); Chromium is Debian's
(``apt-get install chromium``), run headless.

    .venv/bin/python benchmarks/lighthouse.py [--server embedded|gunicorn] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIGHTHOUSE_VERSION = "12.2.3"  # 13 wants Node 22
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
TARGETS = {
    "performance": (">=", 0.95),
    "accessibility": (">=", 0.98),
    "lcp_s": ("<=", 2.0),
    "fcp_s": ("<=", 1.5),
    "cls": ("<=", 0.02),
    "transfer_kb": ("<=", 250),
}


def lighthouse_bin(folder: Path) -> Path:
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Installing Lighthouse {LIGHTHOUSE_VERSION} into {folder} ...", file=sys.stderr)
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("Lighthouse needs npm (apt-get install npm)")
        subprocess.run(
            [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund",
             "-E", f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
        )  # fmt: skip
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(workdir: Path, env: dict[str, str], posts: int) -> dict[str, str]:
    """A demo site in ``workdir``; returns the pages to measure."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import select

    from skyframe import create_app
    from skyframe.extensions import db
    from skyframe.models import Post, User

    app = create_app("development")
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(
        args=["seed-demo", "--users", "8", "--posts", str(posts)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        post_id, name, handle = db.session.execute(
            select(Post.id, Post.object_name, User.handle)
            .join(User, User.id == Post.owner_id)
            .where(Post.object_name.is_not(None))
            .order_by(Post.created_at.desc())
        ).first()
        db.engine.dispose()
    return {
        "feed": "/",
        "post": f"/p/{post_id}",
        "profile": f"/u/{handle}",
        "search": f"/search?q={quote(name)}",
    }


def start_server(kind: str, env: dict[str, str], port: int) -> subprocess.Popen:
    python = sys.executable
    if kind == "embedded":
        command = [python, str(ROOT / "scripts" / "run_dev.py")]
    else:
        gunicorn = Path(python).with_name("gunicorn")
        command = [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the {kind} server exited with {process.returncode}") from None
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"the {kind} server did not answer in time")


def audit(binary: Path, url: str, chromium: str, report_path: Path) -> dict[str, float]:
    subprocess.run(
        [str(binary), url, "--quiet", "--output=json", f"--output-path={report_path}",
         "--only-categories=performance,accessibility", "--form-factor=mobile",
         f"--chrome-flags={CHROME_FLAGS}"],
        check=True,
        env={**os.environ, "CHROME_PATH": chromium},
    )  # fmt: skip
    report = json.loads(report_path.read_text())
    audits = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "transfer_kb": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def meets(name: str, value: float) -> bool:
    if name not in TARGETS:
        return True
    op, limit = TARGETS[name]
    return value >= limit if op == ">=" else value <= limit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=["embedded", "gunicorn"], default="embedded")
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="runs per page (median shown)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--reports", type=Path, help="keep each page's Lighthouse JSON here")
    parser.add_argument(
        "--lighthouse-dir", type=Path, default=Path.home() / ".cache" / "skyframe-lighthouse"
    )
    args = parser.parse_args()
    binary = lighthouse_bin(args.lighthouse_dir)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="skyframe-lighthouse-") as folder:
        workdir = Path(folder)
        env = {
            **os.environ,
            "SKYFRAME_ENV_FILE": str(workdir / "none.env"),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": f"sqlite:///{workdir / 'demo.db'}",
            "UPLOAD_FOLDER": str(workdir / "uploads"),
            "MAIL_FILE_DIR": str(workdir / "mail"),
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        if args.server == "gunicorn":
            # Production settings, less what needs HTTPS (loopback is plain HTTP).
            env.update(
                SKYFRAME_CONFIG="production",
                PUBLIC_URL=f"http://127.0.0.1:{port}",
                FORCE_HTTPS="false",
                HSTS_ENABLED="false",
            )
        pages = seed(workdir, {k: v for k, v in env.items() if k != "SKYFRAME_CONFIG"}, args.posts)
        server = start_server(args.server, env, port)
        try:
            rows = {}
            for name, path in pages.items():
                folder = args.reports or workdir
                folder.mkdir(parents=True, exist_ok=True)
                runs = [
                    audit(
                        binary,
                        f"http://127.0.0.1:{port}{path}",
                        args.chromium,
                        folder / f"{args.server}-{name}-{run}.json",
                    )
                    for run in range(args.runs)
                ]
                rows[name] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile, {args.server} server, {args.runs} run(s)")
    header = ("page", "perf", "a11y", "LCP s", "FCP s", "CLS", "TBT ms", "KB")
    print("{:<26} {:>5} {:>5} {:>6} {:>6} {:>6} {:>7} {:>7}".format(*header))
    failed = False
    for name, row in rows.items():
        marks = {key: "" if meets(key, value) else "!" for key, value in row.items()}
        failed = failed or any(marks.values())
        print(
            f"{name + ' ' + pages[name][:18]:<26} "
            f"{row['performance']:>4.2f}{marks['performance']:1}"
            f"{row['accessibility']:>5.2f}{marks['accessibility']:1}"
            f"{row['lcp_s']:>6.2f}{marks['lcp_s']:1}"
            f"{row['fcp_s']:>6.2f}{marks['fcp_s']:1}"
            f"{row['cls']:>6.3f}{marks['cls']:1}"
            f"{row['tbt_ms']:>7.0f} "
            f"{row['transfer_kb']:>7.1f}{marks['transfer_kb']:1}"
        )
    print("targets: perf >= 0.95, a11y >= 0.98, LCP <= 2.0 s, FCP <= 1.5 s, CLS <= 0.02, "
          "<= 250 KB; ! marks a miss")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
