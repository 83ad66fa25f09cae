"""Memory of a long feed session: the JS heap, the DOM and the feed's cards
after N swipes, measured in headless Chromium through the DevTools protocol.

The app runs in a thread on a throwaway SQLite demo site (``flask seed-demo``
with images, more posts than swipes). A signed-in phone-sized page moves
through the feed card by card (J key, no smooth scrolling); at checkpoints
the script forces a garbage collection and reads ``Performance.getMetrics``
(JSHeapUsedSize, Nodes, JSEventListeners) and the number of card elements.

    .venv/bin/python benchmarks/feed_memory.py [--swipes 300] [--every 50]

It prints a table and the growth from the first checkpoint after warming up
to a last sample taken after 5 s idle (Chromium frees the DOM of removed
cards lazily: mid-session samples can show thousands of detached nodes that
the idle collection finds gone); it sets no threshold (tests/browser/test_feed_session_in_browser.py
holds the bounds on cards and data).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_weight import demo_app

from tests.browser.helpers import settle

CHROMIUM = os.environ.get("SKYFRAME_CHROMIUM", "/usr/bin/chromium")


def serve(app):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sample(page, session, swipes: int) -> dict:
    for _ in range(2):  # the second pass frees what the first one detached
        session.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    state = page.evaluate("async () => (await import('/static/js/feed.js')).feedState()")
    return {
        "swipes": swipes,
        "position": state["current"],
        "ids": state["ids"],
        "end": state["end"],
        "data": state["data"],
        "heap_kb": metrics["JSHeapUsedSize"] / 1024,
        "nodes": int(metrics["Nodes"]),
        "listeners": int(metrics["JSEventListeners"]),
        "cards": page.locator(".feed-card").count(),
        "images": page.locator(".feed-card img").count(),
    }


def run(base_url: str, user: str, password: str, swipes: int, every: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.emulate_media(reduced_motion="reduce")
        page.goto(base_url + "/login")
        page.get_by_label("E-mail or handle").fill(user)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base_url + "/")
        page.locator(".feed-card__media.is-loaded").first.wait_for()
        session = context.new_cdp_session(page)
        session.send("Performance.enable")
        rows.append(sample(page, session, 0))
        for step in range(1, swipes + 1):
            page.keyboard.press("j")
            settle(page)
            if step % every == 0:
                page.wait_for_load_state("networkidle")
                rows.append(sample(page, session, step))
        page.wait_for_timeout(5000)  # idle: what a later collection still finds
        rows.append({**sample(page, session, swipes), "idle": True})
        browser.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swipes", type=int, default=300)
    parser.add_argument("--every", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="skyframe-memory-") as folder:
        app, output = demo_app(
            Path(folder),
            ["--users", "12", "--posts", str(args.swipes + 40), "--days", "20", "--seen", "0"],
            FEED_FRESH_DAYS=0,
        )
        user, password = re.search(
            r"Sign in as (\S+) with password (\S+?)\.?$", output, re.M
        ).groups()
        server = serve(app)
        try:
            rows = run(
                f"http://127.0.0.1:{server.server_port}", user, password, args.swipes, args.every
            )
        finally:
            server.shutdown()
    print(
        f"{'swipes':>10} {'card':>5} {'JS heap':>10} {'DOM nodes':>10} {'listeners':>10}"
        f" {'cards':>6} {'imgs':>5} {'ids':>5} {'data':>5} {'loaded':>6}"
    )
    for row in rows:
        swipes = f"{row['swipes']}{' +5s' if row.get('idle') else ''}"
        print(
            f"{swipes:>10} {row['position']:>5} {row['heap_kb']:>8.0f}KB {row['nodes']:>10}"
            f" {row['listeners']:>10} {row['cards']:>6} {row['images']:>5} {row['ids']:>5}"
            f" {row['data']:>5} {row['end']:>6}"
        )
    # From the first checkpoint after warming up (modules compiled, pages cached) to the last.
    first, last = rows[min(1, len(rows) - 1)], rows[-1]
    heap = last["heap_kb"] - first["heap_kb"]
    nodes = last["nodes"] - first["nodes"]
    print(
        f"from {first['swipes']} to {last['swipes']} swipes and 5 s idle: JS heap {heap:+.0f} KB,"
        f" DOM nodes {nodes:+d}, cards {last['cards'] - first['cards']:+d}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
