"""Collections as people use them: on a phone, a post goes into a new
collection from the card's rail and the collection is reordered with the
up/down buttons; at a desktop, by dragging."""

from __future__ import annotations

import pytest

from tests.browser.a11y import contrast_report, unnamed_controls
from tests.browser.conftest import watch
from tests.browser.helpers import card, sign_in, signed_in_client, upload_as


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    watch(page)
    yield page
    context.close()


@pytest.fixture
def captures(app, make_user, tmp_path):
    """Mira uploads three captures (the newest first in the feed); Vega collects."""
    make_user("vega")
    make_user("mira")
    mira = signed_in_client(app, "mira")
    return [upload_as(mira, title, tmp_path) for title in ("Orion", "Pleiades", "Rosette")]


def arranged(page) -> list[int]:
    return page.eval_on_selector_all(
        "#arrange-list > li", "items => items.map(i => +i.dataset.postId)"
    )


def accessible(page) -> list:
    """AA contrast and a name for every control (tests/browser/a11y.py)."""
    low, unshadowed = contrast_report(page)
    return [*low, *unshadowed, *unnamed_controls(page)]


def wait_for_order(page, post_ids: list[int]) -> None:
    page.wait_for_function(
        "ids => [...document.querySelectorAll('#arrange-list > li')]"
        ".map(i => +i.dataset.postId).join() === ids.join()",
        arg=post_ids,
    )


def test_add_from_the_rail_to_a_new_collection_then_reorder_with_the_buttons(
    app, phone, live_server, captures, artifacts_dir
):
    page = phone
    orion, pleiades, rosette = captures
    sign_in(page, live_server, "vega")
    first = card(page, rosette)
    first.locator("[data-action=collect]").click()
    sheet = page.locator("#collect-sheet")
    sheet.get_by_label("New collection").fill("Winter favourites")
    sheet.get_by_role("button", name="Create and add").click()
    added = sheet.get_by_role("button", name="Remove from Winter favourites")
    added.wait_for()
    assert added.get_attribute("aria-pressed") == "true"
    page.screenshot(path=artifacts_dir / "collect-sheet.png")
    assert accessible(page) == []

    vega = signed_in_client(app, "vega")
    (collection,) = vega.get("/api/v1/users/vega/collections").get_json()["items"]
    for post_id in (orion, pleiades):
        items = f"/api/v1/collections/{collection['id']}/items"
        assert vega.post(items, json={"post_id": post_id}).status_code == 201

    page.goto(live_server + collection["url"] + "/edit")
    assert arranged(page) == [rosette, orion, pleiades]
    for name in ("Move “Pleiades” up", "Move “Rosette” down"):
        with page.expect_response(lambda r: r.request.method == "PATCH") as moved:
            page.get_by_role("button", name=name).click()
        assert moved.value.ok
    wait_for_order(page, [pleiades, rosette, orion])
    page.screenshot(path=artifacts_dir / "collection-arrange-phone.png")
    assert accessible(page) == []
    page.reload()
    assert arranged(page) == [pleiades, rosette, orion]

    page.goto(live_server + collection["url"])  # swipe through it like the feed
    assert card(page, pleiades).is_visible()
    page.screenshot(path=artifacts_dir / "collection-swipe.png")
    assert accessible(page) == []
    page.goto(live_server + "/u/vega/collections")
    assert page.get_by_role("link", name="Winter favourites 3 posts").is_visible()
    page.screenshot(path=artifacts_dir / "profile-collections.png")
    assert accessible(page) == []
    assert page.problems == []


def test_drag_to_reorder_at_a_desktop(app, desktop, live_server, captures, artifacts_dir):
    page = desktop
    orion, pleiades, rosette = captures
    vega = signed_in_client(app, "vega")
    made = vega.post("/api/v1/collections", json={"title": "Nebulae"}).get_json()
    for post_id in captures:
        vega.post(f"/api/v1/collections/{made['id']}/items", json={"post_id": post_id})
    sign_in(page, live_server, "vega")
    page.goto(live_server + made["url"] + "/edit")
    assert arranged(page) == [orion, pleiades, rosette]
    handle = page.locator(f"#item-{rosette} [data-role=drag-handle]")
    with page.expect_response(lambda r: r.request.method == "PATCH") as moved:
        handle.drag_to(page.locator(f"#item-{orion}"), target_position={"x": 20, "y": 5})
    assert moved.value.ok
    assert arranged(page) == [rosette, orion, pleiades]
    page.screenshot(path=artifacts_dir / "collection-arrange-desktop.png")
    page.reload()
    assert arranged(page) == [rosette, orion, pleiades]
    assert page.problems == []
