"""Compression and caching done by the app itself (issue #17): static files
precompressed with gzip and Brotli under content-hashed, immutable URLs
(WhiteNoise), pages and JSON compressed above a size threshold (Flask-Compress)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for
from werkzeug.test import Client

from skyframe.paths import PROJECT_ROOT
from skyframe.web.static_files import StaticFiles, StaticTree

pytestmark = pytest.mark.one_database

HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def static_url(app, endpoint: str, name: str) -> str:
    with app.test_request_context():
        return url_for(endpoint, filename=name)


@pytest.mark.parametrize(
    ("endpoint", "name", "source"),
    [
        ("static", "css/app.css", PROJECT_ROOT / "static"),
        ("static", "js/feed.js", PROJECT_ROOT / "static"),
        ("static", "css/bootstrap.css", PROJECT_ROOT / "static"),
        ("bootstrap.static", "js/bootstrap.min.js", None),
    ],
)
def test_static_files_are_sent_compressed_as_asked(app, client, endpoint, name, source):
    if source is None:
        source = Path(app.blueprints["bootstrap"].static_folder)
    original = (source / name).read_bytes()
    url = static_url(app, endpoint, name)
    assert HASHED.search(url), url
    for encoding in ("br", "gzip"):
        response = client.get(url, headers={"Accept-Encoding": f"{encoding}, deflate"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Vary"] == "Accept-Encoding"
        assert DECODE[encoding](response.data) == original
        assert len(response.data) < len(original) / 2
    # Brotli first when both are accepted (it is the smaller).
    both = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert both.headers["Content-Encoding"] == "br"
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"
    assert plain.data == original


def test_hashed_static_urls_are_immutable_and_carry_a_content_etag(app, client):
    name = "css/app.css"
    url = static_url(app, "static", name)
    digest = hashlib.sha256((PROJECT_ROOT / "static" / name).read_bytes()).hexdigest()[:12]
    assert url == f"/static/css/app.{digest}.css"
    response = client.get(url, headers={"Accept-Encoding": "br"})
    control = response.headers["Cache-Control"]
    assert "immutable" in control
    assert "public" in control
    assert int(re.search(r"max-age=(\d+)", control).group(1)) >= 365 * 24 * 3600
    assert response.headers["ETag"] == f'"{digest}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": f'"{digest}"'})
    assert again.status_code == 304
    # The plain name still answers (module imports, old pages), cached briefly.
    plain = client.get("/static/css/app.css", headers={"Accept-Encoding": "br"})
    assert plain.status_code == 200
    assert plain.headers["Content-Encoding"] == "br"
    assert "immutable" not in plain.headers["Cache-Control"]


def test_a_changed_file_gets_a_new_url_and_the_old_one_keeps_working(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    sheet = source / "css" / "site.css"
    sheet.write_text("body { color: white; }\n" * 200)
    build = tmp_path / "build"

    def built() -> StaticFiles:
        files = StaticFiles(build, [StaticTree("static", source, "/static/")])
        files.build()
        return files

    first = built()
    old_name = first.url_name("static", "css/site.css")
    sheet.write_text("body { color: black; }\n" * 200)
    second = built()
    new_name = second.url_name("static", "css/site.css")
    assert HASHED.search(new_name)
    assert HASHED.search(old_name)
    assert new_name != old_name
    # Pages still cached by a client name the old file: it is served until the build is cleared.
    client = Client(second.wrap(lambda environ, start: []))
    for name, colour in ((old_name, b"white"), (new_name, b"black")):
        response = client.get(f"/static/{name}", headers={"Accept-Encoding": "br"}, buffered=True)
        assert response.status_code == 200, name
        assert colour in brotli.decompress(response.data)
    assert client.get("/static/css/site.css", buffered=True).data.startswith(b"body { color: black")


def test_pages_are_compressed_when_asked_and_not_when_not(client, make_user, make_post):
    owner = make_user("vega")
    for n in range(3):
        make_post(owner, title=f"Capture {n}")
    plain = client.get("/")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    html = plain.data
    for encoding in ("br", "gzip"):
        response = client.get("/", headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert len(response.data) < len(html) / 2
        page = DECODE[encoding](response.data)
        assert b"<title>" in page


def test_json_is_compressed_above_the_threshold_only(app, client):
    document = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip, br"})
    assert document.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in document.headers["Vary"]
    assert json.loads(brotli.decompress(document.data))["openapi"]
    small = client.get("/api/v1/auth/csrf", headers={"Accept-Encoding": "gzip, br"})
    assert len(small.data) < app.config["COMPRESS_MIN_SIZE"]
    assert "Content-Encoding" not in small.headers


def test_pages_name_hashed_files_and_map_module_imports_to_them(app, client):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/(?:bootstrap/)?static/[^"]+)"', html)
    assert urls
    assert all(HASHED.search(url) for url in urls), urls
    found = re.search(r'<script type="importmap" nonce="[^"]+">(.*?)</script>', html)
    imports = json.loads(found.group(1))["imports"]
    scripts = PROJECT_ROOT / "static" / "js"
    modules = sorted(path.relative_to(scripts).as_posix() for path in scripts.rglob("*.js"))
    assert sorted(name.split("/static/js/", 1)[-1] for name in imports) == modules
    for plain, hashed in imports.items():
        assert HASHED.search(hashed)
        assert client.get(hashed).status_code == 200, hashed
        assert client.get(plain).data == client.get(hashed).data
