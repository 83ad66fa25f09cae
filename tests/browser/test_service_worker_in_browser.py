"""The service worker's caches in a real browser: old versions are deleted on
activation (other sites' caches are left alone), viewed images are kept up
to both caps, and API answers and pages are never stored."""

from __future__ import annotations

import pytest

from tests.browser.helpers import signed_in_client, upload_as

CACHE_CONTENTS = """async () => {
  const found = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    found[name] = [];
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      found[name].push({url: new URL(request.url).pathname,
                        bytes: (await response.blob()).size});
    }
  }
  return found;
}"""


@pytest.fixture
def app(app_factory, request):
    return app_factory(**getattr(request, "param", {}))


@pytest.fixture
def posts(app, make_user, tmp_path) -> list[int]:
    make_user("messier")
    client = signed_in_client(app, "messier")
    return [upload_as(client, f"Capture {n}", tmp_path) for n in range(4)]


def start_worker(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # controlled from now on: image requests go through the worker
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.locator(".feed-card__media.is-loaded").first.wait_for()
    page.wait_for_load_state("networkidle")


def test_activation_deletes_old_versions_of_its_caches_only(phone, live_server, posts):
    page = phone
    page.goto(live_server + "/healthz")  # same origin, no worker yet
    page.evaluate(
        """async () => {
          for (const name of ['skyframe-shell-000000000000', 'skyframe-images-0', 'another-app'])
            await (await caches.open(name)).put('/healthz', new Response('old'));
        }"""
    )
    start_worker(page, live_server)
    names = page.evaluate("caches.keys()")
    assert "another-app" in names
    assert "skyframe-shell-000000000000" not in names
    assert "skyframe-images-0" not in names
    shell = [n for n in names if n.startswith("skyframe-shell-")]
    assert len(shell) == 1
    assert "skyframe-images-1" in names


@pytest.mark.parametrize(
    "app",
    [
        {"OFFLINE_IMAGES_MAX": 2, "OFFLINE_IMAGES_MAX_KB": 50 * 1024},
        {"OFFLINE_IMAGES_MAX": 100, "OFFLINE_IMAGES_MAX_KB": 25},  # about two images
    ],
    ids=["entries", "bytes"],
    indirect=True,
)
def test_viewed_images_are_kept_up_to_the_caps_and_api_answers_never(
    app, phone, live_server, posts
):
    page = phone
    shown = set()  # images answered through the worker
    page.on(
        "response",
        lambda r: (
            shown.add(r.url)
            if r.from_service_worker and r.request.resource_type == "image"
            else None
        ),
    )
    start_worker(page, live_server)
    page.keyboard.press("j")  # more images come into view
    page.keyboard.press("j")
    page.wait_for_load_state("networkidle")  # the worker stores (and trims) before answering
    contents = page.evaluate(CACHE_CONTENTS)
    images = contents["skyframe-images-1"]
    assert 1 <= len(images) <= app.config["OFFLINE_IMAGES_MAX"]
    assert sum(i["bytes"] for i in images) <= app.config["OFFLINE_IMAGES_MAX_KB"] * 1024
    assert len(shown) > len(images)  # the cap took some out
    stored = [entry["url"] for entries in contents.values() for entry in entries]
    assert not [url for url in stored if url.startswith("/api/")]
    assert "/" not in stored
    assert page.problems == []
