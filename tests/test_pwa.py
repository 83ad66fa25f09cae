"""The manifest, the service worker script and the offline page."""

from __future__ import annotations

import json
import re

import pytest
from flask import url_for

from tests.conftest import login

pytestmark = pytest.mark.one_database


def test_manifest_describes_an_installable_standalone_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "SkyFrame"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    purposes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    assert [s["url"] for s in manifest["shortcuts"]] == ["/upload", "/search"]
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_every_page_links_the_manifest_and_the_worker(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-sw-url="/sw.js"' in html


def test_the_worker_is_served_at_the_root_uncached_with_a_versioned_shell(app, client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    version = re.search(r'const VERSION = "([0-9a-f]{12})";', script).group(1)
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert "/offline" in shell
    # The precache names the content-hashed URLs the pages use.
    with app.test_request_context():
        assert url_for("static", filename="css/app.css") in shell
        assert url_for("static", filename="css/bootstrap.css") in shell
        assert url_for("bootstrap.static", filename="js/bootstrap.min.js") in shell
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", url) for url in shell if url != "/offline")
    for url in shell:
        assert client.get(url).status_code == 200, url
    assert 'url.pathname.startsWith("/api/")' in script  # never cached
    # The version follows the shell's bytes: a deploy that changes one replaces the caches.
    from skyframe.main import pwa

    with app.test_request_context():
        app.extensions.pop("skyframe.shell_version", None)
        original = pwa.SHELL_STATIC
        pwa.SHELL_STATIC = [*original, "icons/icon-512.png"]
        try:
            assert pwa.shell_version() != version
        finally:
            pwa.SHELL_STATIC = original
            app.extensions.pop("skyframe.shell_version", None)
        assert pwa.shell_version() == version


def test_the_offline_page_holds_nothing_about_the_visitor(client, make_user):
    make_user("vega")
    login(client, "vega")
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You are offline" in html
    assert "csrf-token" not in html
    assert "csrf_token" not in html
    assert "vega" not in html.lower()


def test_the_offline_page_needs_only_what_the_worker_precaches(client):
    """Offline after a deploy: the offline page and the shell are precached
    together, under the same content-hashed URLs, so it paints from the cache."""
    script = client.get("/sw.js").get_data(as_text=True)
    shell = set(json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1)))
    html = client.get("/offline").get_data(as_text=True)
    needed = re.findall(r'(?:href|src)="(/(?:bootstrap/)?static/[^"]+)"', html)
    assert needed
    assert set(needed) <= shell
    imports = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', html).group(1))
    offline_module = imports["imports"]["/static/js/offline.js"]
    assert offline_module in shell
