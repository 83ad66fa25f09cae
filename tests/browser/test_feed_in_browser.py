"""The swipe feed on a phone: first paint, snapping, keyboard, infinite
loading with recycled cards, impressions, and no layout shift."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PHONE_HEIGHT,
    PHONE_WIDTH,
    card,
    feed_position,
    on_screen,
    settle,
    sign_in,
    signed_in_client,
    swipe_up,
    touch,
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
        # A hard flick at the end of a drag over most of the card still moves
        # one card only (Chromium's fling alone would land on the card after).
        swipe_up(page, 750, steps=4)
        assert feed_position(page)["top"] == 2 * PHONE_HEIGHT
        swipe_up(page, -750, steps=4)
        assert feed_position(page)["top"] == PHONE_HEIGHT
        swipe_up(page, 750, steps=4)
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


def open_viewer(page, live_server: str):
    """Taps the first card's picture; the full-resolution viewer, once its image
    has loaded."""
    page.goto(live_server + "/")
    media = page.locator(".feed-card__media").first
    media.locator("img").wait_for()
    media.tap()
    viewer = page.get_by_role("dialog", name="Full-resolution image")
    expect(viewer).to_be_visible()
    page.wait_for_function("() => document.querySelector('#zoom-viewer img').naturalWidth > 0")
    return viewer


def test_the_zoom_viewer_opens_from_a_tap_or_the_keyboard_and_zooms(phone, live_server, many_posts):
    page = phone
    viewer = open_viewer(page, live_server)
    image = viewer.locator("img")
    # Feed items carry no original's URL: the viewer asks the download route.
    assert image.get_attribute("src").endswith("/download?size=original")
    viewer.dblclick(position={"x": 200, "y": 450})
    assert "scale(2.5)" in image.evaluate("i => i.style.transform")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    media = page.locator(".feed-card__media").first
    media.focus()
    page.keyboard.press("Enter")
    expect(viewer).to_be_visible()
    page.keyboard.press("+")
    assert "scale(1.5)" in image.evaluate("i => i.style.transform")
    viewer.get_by_role("button", name="Close the viewer").click()
    expect(viewer).to_be_hidden()
    assert page.problems == []


def rendered(image) -> dict:
    """Where the viewer's image is drawn and at what scale: its box on screen and
    the scale of its computed transform."""
    return image.evaluate(
        """i => { const r = i.getBoundingClientRect();
          const m = new DOMMatrixReadOnly(getComputedStyle(i).transform);
          return {left: r.left, top: r.top, width: r.width, height: r.height, scale: m.a}; }"""
    )


def pinch(page, centre, start_gap: float, end_gap: float) -> None:
    """Two fingers either side of ``centre`` (level with it) spread from
    ``start_gap`` to ``end_gap`` apart, or closed when the end gap is smaller."""
    x, y = centre
    touch(
        page,
        ((x - start_gap / 2, y), (x - end_gap / 2, y)),
        ((x + start_gap / 2, y), (x + end_gap / 2, y)),
    )


def drawn_at(box: dict, point, fit: dict) -> tuple[float, float]:
    """Where the image point that the unzoomed image (``fit``) showed at ``point``
    is drawn in ``box``."""
    fx, fy = (point[0] - fit["left"]) / fit["width"], (point[1] - fit["top"]) / fit["height"]
    return box["left"] + fx * box["width"], box["top"] + fy * box["height"]


def test_a_two_finger_pinch_zooms_the_viewer_about_the_fingers_and_one_finger_pans(
    phone, live_server, many_posts
):
    page = phone
    viewer = open_viewer(page, live_server)
    image = viewer.locator("img")
    fit = rendered(image)
    assert fit["scale"] == 1
    assert fit["width"] > 300  # the stage is 412 px wide
    page.evaluate(
        """() => { window.touchPointers = new Set();
          document.querySelector('#zoom-viewer [data-role=stage]').addEventListener(
            'pointerdown', e => window.touchPointers.add(e.pointerType + ':' + e.isPrimary));
        }"""
    )

    # Unzoomed, one finger dragging does not move the picture.
    touch(page, ((200, 500), (140, 420)))
    assert rendered(image) == fit

    # Spreading two fingers 100 → 250 px apart zooms 2.5× about their midpoint
    # (off the centre of the screen), which stays over the same part of the image.
    middle = (250, 400)
    pinch(page, middle, 100, 250)
    assert page.evaluate("[...window.touchPointers].sort()") == ["touch:false", "touch:true"]
    zoomed = rendered(image)
    assert zoomed["scale"] == pytest.approx(2.5, rel=0.02)
    assert zoomed["width"] == pytest.approx(fit["width"] * zoomed["scale"], rel=0.01)
    assert drawn_at(zoomed, middle, fit) == pytest.approx(middle, abs=1)
    expect(viewer).to_have_class("zoom-viewer is-zoomed")
    expect(viewer.get_by_text("Pinch or double-tap to zoom")).to_be_hidden()

    # Spreading further stops at the viewer's largest scale, still about the fingers.
    pinch(page, middle, 60, 360)
    widest = rendered(image)
    assert widest["scale"] == pytest.approx(8)
    assert drawn_at(widest, middle, fit) == pytest.approx(middle, abs=1)

    # Pinching in zooms out by the fingers' ratio, and not below the fitted image.
    pinch(page, middle, 300, 150)
    assert rendered(image)["scale"] == pytest.approx(4, rel=0.02)
    pinch(page, middle, 300, 30)
    assert rendered(image) == pytest.approx(fit)
    expect(viewer).to_have_class("zoom-viewer")

    # Zoomed in again, one finger drags the picture with it.
    pinch(page, middle, 100, 300)
    before = rendered(image)
    touch(page, ((200, 500), (140, 420)))
    after = rendered(image)
    assert after["scale"] == before["scale"]
    assert after["left"] - before["left"] == pytest.approx(-60, abs=1)
    assert after["top"] - before["top"] == pytest.approx(-80, abs=1)
    # ... and so do two fingers moving together without spreading.
    touch(page, ((150, 400), (190, 430)), ((250, 400), (290, 430)))
    moved = rendered(image)
    assert moved["scale"] == pytest.approx(after["scale"])
    assert moved["left"] - after["left"] == pytest.approx(40, abs=1)
    assert moved["top"] - after["top"] == pytest.approx(30, abs=1)
    assert page.problems == []


def test_the_zoomed_image_stays_on_screen_and_drags_are_not_taps(phone, live_server, many_posts):
    page = phone
    viewer = open_viewer(page, live_server)
    image = viewer.locator("img")
    fit = rendered(image)
    assert fit["top"] > 100  # a portrait capture, letterboxed top and bottom

    # Two quick one-finger drags at 1× are swipes, not a double tap.
    touch(page, ((200, 600), (200, 400)), steps=5)
    touch(page, ((200, 600), (200, 400)), steps=5)
    assert rendered(image) == fit

    # A double tap near the image's top edge zooms 2.5× there, with the image's
    # top stopping at the top of the screen rather than leaving a gap.
    touch(page, ((200, 200), (200, 200)), steps=1)
    touch(page, ((200, 200), (200, 200)), steps=1)
    zoomed = rendered(image)
    assert zoomed["scale"] == pytest.approx(2.5)
    assert zoomed["top"] == pytest.approx(0, abs=1)

    # Dragged far past an edge, the image stops with that edge at the screen's.
    touch(page, ((100, 500), (400, 600)))
    assert rendered(image)["left"] == pytest.approx(0, abs=1)
    assert rendered(image)["top"] == pytest.approx(0, abs=1)
    for _ in range(2):  # the zoomed image is wider than two screens
        touch(page, ((400, 880), (10, 20)))
    dragged = rendered(image)
    assert dragged["left"] + dragged["width"] == pytest.approx(PHONE_WIDTH, abs=1)
    assert dragged["top"] + dragged["height"] == pytest.approx(PHONE_HEIGHT, abs=1)

    # Zoomed out to 1×, then a pinch about a point above the picture: the
    # fingers lead while they are down, and the image comes back on screen
    # when they lift.
    pinch(page, (206, 450), 300, 30)
    assert rendered(image) == pytest.approx(fit)
    pinch(page, (206, 150), 100, 250)
    pinched = rendered(image)
    assert pinched["scale"] == pytest.approx(2.5, rel=0.02)
    assert pinched["top"] == pytest.approx(0, abs=1)
    assert page.problems == []
