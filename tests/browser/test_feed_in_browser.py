"""The swipe feed on a phone: first paint, snapping, keyboard, infinite
loading with recycled cards, impressions, and no layout shift."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PHONE_HEIGHT,
    card,
    feed_position,
    on_screen,
    settle,
    sign_in,
    signed_in_client,
    swipe_up,
    upload_as,
)

POSTS = 11
PAGE_SIZE = 4


@pytest.fixture
def app(app_factory):
    return app_factory(FEED_PAGE_SIZE=PAGE_SIZE)


@pytest.fixture
def many_posts(app, make_user, tmp_path) -> list[int]:
    make_user("messier")
    client = signed_in_client(app, "messier")
    ids = [upload_as(client, f"Capture {n}", tmp_path) for n in range(POSTS)]
    return list(reversed(ids))  # newest first, as the feed serves them


def test_first_card_is_in_the_html_with_a_prioritised_sized_image(phone, live_server, many_posts):
    page = phone
    page.route("**/*.js", lambda route: route.abort())  # what the HTML alone shows
    page.goto(live_server + "/")
    first = page.locator(".feed-card").first
    assert first.get_attribute("data-post-id") == str(many_posts[0])
    image = first.locator("img[data-role=image]")
    assert image.get_attribute("fetchpriority") == "high"
    assert image.get_attribute("loading") == "eager"
    assert int(image.get_attribute("width")) > 0
    assert int(image.get_attribute("height")) > 0
    assert image.get_attribute("alt") == "Capture 10"
    assert page.locator(".feed-card").count() == PAGE_SIZE
    later = page.locator(".feed-card").nth(3).locator("img[data-role=image]")
    assert later.get_attribute("loading") == "lazy"
    assert first.get_by_role("link", name="Capture 10").get_attribute("href") == (
        f"/p/{many_posts[0]}"
    )


def test_keyboard_infinite_loading_recycling_and_no_layout_shift(
    phone, live_server, many_posts, artifacts_dir
):
    page = phone
    page.emulate_media(reduced_motion="reduce")  # jumps instead of smooth scrolls
    page.add_init_script(
        """window.__shift = 0;
        new PerformanceObserver(list => { for (const e of list.getEntries())
          if (!e.hadRecentInput) window.__shift += e.value; })
          .observe({type: 'layout-shift', buffered: true});"""
    )
    feed_requests = []
    page.on("request", lambda r: feed_requests.append(r.url) if "/api/v1/feed?" in r.url else None)
    page.goto(live_server + "/")
    page.locator(".feed-card__media.is-loaded").first.wait_for()
    page.screenshot(path=artifacts_dir / "feed.png")

    ids = [on_screen(page)]
    for step in range(1, POSTS):
        page.keyboard.press("j" if step % 2 else "ArrowDown")
        settle(page)
        page.wait_for_load_state("networkidle")
        position = feed_position(page)
        assert position["top"] == step * PHONE_HEIGHT, (
            f"card {step} is not snapped in place",
            feed_requests,
            page.problems,
        )
        ids.append(on_screen(page))
        mounted = page.locator(".feed-card").count()
        assert mounted <= 6, f"{mounted} cards in the DOM at card {step}"
        assert page.locator(".feed-card img[data-role=image]").count() <= 6

    assert ids == many_posts  # every post once, in feed order, over three pages
    assert len(feed_requests) >= 2
    caught_up = page.get_by_text("You are all caught up.")
    expect(caught_up).not_to_be_in_viewport()
    page.keyboard.press("j")
    settle(page)
    expect(caught_up).to_be_in_viewport()

    page.keyboard.press("k")
    settle(page)
    page.keyboard.press("ArrowUp")
    settle(page)
    assert feed_position(page)["top"] == (POSTS - 2) * PHONE_HEIGHT
    back = card(page, many_posts[POSTS - 2])
    back.locator(".feed-card__media.is-loaded").wait_for()  # mounted again
    assert back.get_by_role("link", name=f"Capture {1}").is_visible()
    assert page.evaluate("window.__shift") == 0
    assert page.problems == []


def test_a_swipe_snaps_to_the_next_card_and_impressions_are_reported(
    phone, live_server, many_posts, make_user
):
    make_user("shapley")
    page = phone
    sign_in(page, live_server, "shapley")
    first = page.locator(".feed-card").first
    first.locator(".feed-card__media.is-loaded").wait_for()
    with page.expect_request(lambda r: r.url.endswith("/api/v1/feed/seen"), timeout=10_000) as seen:
        page.wait_for_timeout(1200)  # the first card stays on screen for over a second
        swipe_up(page, 500)
        assert feed_position(page)["top"] == PHONE_HEIGHT  # snapped on the next card
        swipe_up(page, 750, steps=4)  # a hard flick still moves one card only
        assert feed_position(page)["top"] == 2 * PHONE_HEIGHT
        page.evaluate(
            "Object.defineProperty(document, 'visibilityState', {value: 'hidden'});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
    reported = seen.value.post_data_json["post_ids"]
    shown = int(first.get_attribute("data-post-id"))
    assert shown in reported
    assert page.problems == []


def test_signed_out_visitors_are_sent_to_log_in_to_like(phone, live_server, many_posts):
    page = phone
    page.goto(live_server + "/")
    page.locator(".feed-card").first.get_by_role("button", name="Like").click()
    page.wait_for_url(live_server + "/login?next=/")
    settle_free = page.problems == []
    assert settle_free


def test_the_zoom_viewer_opens_from_a_tap_or_the_keyboard_and_zooms(phone, live_server, many_posts):
    page = phone
    page.goto(live_server + "/")
    media = page.locator(".feed-card__media").first
    media.locator("img").wait_for()
    media.tap()
    viewer = page.get_by_role("dialog", name="Full-resolution image")
    expect(viewer).to_be_visible()
    image = viewer.locator("img")
    page.wait_for_function("() => document.querySelector('#zoom-viewer img').naturalWidth > 0")
    assert image.get_attribute("src").endswith("/original.jpg")
    viewer.dblclick(position={"x": 200, "y": 450})
    assert "scale(2.5)" in image.evaluate("i => i.style.transform")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    media.focus()
    page.keyboard.press("Enter")
    expect(viewer).to_be_visible()
    page.keyboard.press("+")
    assert "scale(1.5)" in image.evaluate("i => i.style.transform")
    viewer.get_by_role("button", name="Close the viewer").click()
    expect(viewer).to_be_hidden()
    assert page.problems == []
