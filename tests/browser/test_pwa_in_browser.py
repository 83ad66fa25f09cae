"""Installable and offline: the manifest passes Chromium's installability
checks, the service worker registers at the root, and with the network gone
a navigation shows the offline page with the images already seen."""

from __future__ import annotations

import io

import pytest
from flask import url_for
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import signed_in_client, upload_as


@pytest.fixture
def server(app):
    """A live server this test can cut off."""
    server = LiveServer(app)
    yield server
    server.stop()


def test_manifest_icons_and_installability(browser, chromium_path, live_server, tmp_path):
    from tests.browser.conftest import CHROMIUM_ARGS, PHONE

    # A profile on disk: Chromium does not offer installs in incognito contexts.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=chromium_path, args=CHROMIUM_ARGS, **PHONE
    )
    page = context.new_page()
    page.goto(live_server + "/")
    manifest = page.request.get(live_server + "/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    document = manifest.json()
    assert document["display"] == "standalone"
    assert document["start_url"].startswith("/")
    assert document["theme_color"] == document["background_color"] == "#0b1020"
    assert {s["short_name"] for s in document["shortcuts"]} == {"Upload", "Search"}
    sizes = {}
    for icon in document["icons"] + [i for s in document["shortcuts"] for i in s["icons"]]:
        answer = page.request.get(live_server + icon["src"])
        assert answer.status == 200, icon["src"]
        with Image.open(io.BytesIO(answer.body())) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes[icon.get("purpose", "any"), icon["sizes"]] = icon["src"]
    assert ("any", "192x192") in sizes
    assert ("any", "512x512") in sizes
    assert ("maskable", "512x512") in sizes

    page.evaluate("navigator.serviceWorker.ready")
    session = context.new_cdp_session(page)
    parsed = session.send("Page.getAppManifest")
    assert parsed["errors"] == []
    assert parsed["url"] == live_server + "/manifest.webmanifest"
    errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
    context.close()


def test_the_service_worker_registers_and_offline_shows_the_offline_page_with_cached_images(
    app, browser, server, make_user, tmp_path, artifacts_dir
):
    from tests.browser.conftest import PHONE

    make_user("messier")
    upload_as(signed_in_client(app, "messier"), "Crab Nebula", tmp_path, object="M1")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
    page.goto(server.url + "/")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == server.url + "/"
    page.reload()  # now the worker controls the page and sees its images
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.locator(".feed-card__media.is-loaded").first.wait_for()
    page.wait_for_function(
        """async () => {
          const cache = await caches.open('skyframe-images-1');
          return (await cache.keys()).some(r => r.url.includes('/media/'));
        }"""
    )
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys())
            for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
          return urls;
        }"""
    )
    paths = [url.removeprefix(server.url) for url in cached]
    assert "/offline" in paths
    with app.test_request_context():
        shell_css = url_for("static", filename="css/app.css")  # content-hashed
    assert shell_css in paths
    assert not [p for p in paths if p.startswith("/api/")]  # never cached
    assert "/" not in paths  # pages are per user: never cached

    server.stop()
    page.goto(server.url + "/u/messier")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    image = page.locator("img[data-role=cached-image]").first
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img[data-role=cached-image]')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    page.screenshot(path=artifacts_dir / "offline.png")
    assert [p for p in problems if "ERR_CONNECTION_REFUSED" not in p] == []
    context.close()


def test_ios_visitors_get_install_instructions_once(browser, live_server):
    from tests.browser.conftest import PHONE

    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
    )
    context = browser.new_context(**PHONE, user_agent=iphone)
    page = context.new_page()
    page.goto(live_server + "/")
    hint = page.get_by_role("complementary", name="Install SkyFrame")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Add to Home Screen")
    hint.get_by_role("button", name="Dismiss the install hint").click()
    expect(hint).to_be_hidden()
    page.reload()
    expect(page.get_by_role("complementary", name="Install SkyFrame")).to_be_hidden()
    context.close()


def test_other_browsers_see_no_ios_hint_and_no_install_button_until_offered(phone, live_server):
    page = phone
    page.goto(live_server + "/")
    expect(page.get_by_role("complementary", name="Install SkyFrame")).to_be_hidden()
    install = page.locator("#install-button")
    expect(install).to_be_hidden()
    page.evaluate(
        """() => { const e = new Event('beforeinstallprompt');
          e.prompt = () => { window.__prompted = true; };
          e.userChoice = Promise.resolve({outcome: 'accepted'});
          window.dispatchEvent(e); }"""
    )
    expect(install).to_be_visible()
    install.click()
    assert page.evaluate("window.__prompted") is True
    expect(install).to_be_hidden()
    assert page.problems == []
