"""The first feed paint stays within its weight budget (benchmarks/page_weight.py),
measured over real HTTP as a browser asks for it."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARK = ROOT / "benchmarks" / "page_weight.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("page_weight", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_first_feed_paint_is_under_250_kb_as_sent(app, make_user, make_post):
    page_weight = load_benchmark()
    owner = make_user("vega")
    for n in range(12):
        make_post(owner, title=f"Capture {n}", notes="A long night. " * 40, age=timedelta(hours=n))
    with page_weight.serve(app) as base_url:
        report = page_weight.measure(base_url)
    urls = [r.url.rsplit("/", 1)[-1] for r in report.resources]
    assert report.resources[0].url == "/"
    # Module imports are followed through the import map to the hashed files.
    for module in ("feed", "comments", "viewer", "blurhash", "api", "pwa"):
        assert any(url.startswith(f"{module}.") and url.endswith(".js") for url in urls), module
    assert report.total_sent < page_weight.BUDGET_KB * 1024
    # The server compressed every text resource itself (fonts are compressed already).
    for resource in report.resources:
        if resource.kind != "font" and resource.raw > 1024:
            assert resource.encoding == "br", resource.url
            assert resource.sent < resource.raw


def test_bootstraps_script_waits_for_the_first_paint_and_is_named_only_where_used(
    client, make_user, make_post
):
    """Its evaluation would hold a phone's main thread before the first card
    shows: pages name it (data-bootstrap-js) and components.js loads it when
    the page is idle or a sheet opens; pages without its components do not."""
    make_post(make_user("vega"), title="Capture")
    feed = client.get("/").get_data(as_text=True)
    assert '<script src="/bootstrap/static/js/bootstrap.min.' not in feed
    assert 'data-bootstrap-js="/bootstrap/static/js/bootstrap.min.' in feed
    assert 'data-bootstrap-js=""' in client.get("/search?q=m42").get_data(as_text=True)


def test_the_stylesheet_closes_every_rule():
    """An unclosed rule makes Chromium nest everything after it, silently."""
    text = re.sub(r"/\*.*?\*/", "", (ROOT / "static/css/app.css").read_text(), flags=re.S)
    depth = 0
    for character in text:
        depth += (character == "{") - (character == "}")
        assert depth >= 0, "a } without its {"
    assert depth == 0, "a rule is never closed"
