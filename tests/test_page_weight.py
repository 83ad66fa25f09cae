"""The first feed paint stays within its weight budget (benchmarks/page_weight.py)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "page_weight.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("page_weight", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_first_feed_paint_is_under_250_kb_compressed(client, make_user, make_post):
    page_weight = load_benchmark()
    owner = make_user("vega")
    for n in range(12):
        make_post(owner, title=f"Capture {n}", notes="A long night. " * 40, age=timedelta(hours=n))
    report = page_weight.measure(client)
    urls = [r.url for r in report.resources]
    assert urls[0] == "/"
    # Module imports are followed: the feed's own modules are counted.
    for module in ("feed.js", "comments.js", "viewer.js", "blurhash.js", "api.js", "pwa.js"):
        assert f"/static/js/{module}" in urls
    assert "/bootstrap/static/css/bootstrap.min.css" in urls
    assert report.total_gzipped < page_weight.BUDGET_KB * 1024
    assert all(0 < r.gzipped < r.raw for r in report.resources if r.raw > 1024)
