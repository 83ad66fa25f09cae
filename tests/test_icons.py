"""The icons are CSS masks of only the Bootstrap icons in use (scripts/make_icon_css.py)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.scripts import load_script


def test_icons_css_is_current_with_the_icons_the_pages_use():
    script = load_script("make_icon_css")
    assert Path(script.OUTPUT).read_text() == script.render(), (
        "run scripts/make_icon_css.py after using a new icon"
    )
    css = Path(script.OUTPUT).read_text()
    for name in ("heart", "heart-fill", "bookmark", "search", "bell", "download"):
        assert f".bi-{name} {{" in css
    assert len(re.findall(r"^\.bi-", css, re.MULTILINE)) < 60  # not the whole set of 2,000


def test_pages_load_no_icon_font(client):
    html = client.get("/").get_data(as_text=True)
    assert "bootstrap-icons" not in html
    assert re.search(r'href="/static/css/icons\.[0-9a-f]{12}\.css"', html)
