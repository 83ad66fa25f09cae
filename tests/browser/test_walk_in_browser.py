"""The whole walk on a phone: register, upload, find the capture in the feed,
swipe, double-tap like (kept after a reload), comment in the sheet, save
(shown on Saved), follow (shown in Following)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import media_samples as samples
from tests.browser.helpers import (
    PHONE_HEIGHT,
    card,
    feed_position,
    settle,
    signed_in_client,
    swipe_up,
    upload_as,
)
from tests.conftest import STRONG_PASSWORD


def register(page, live_server: str) -> None:
    page.goto(live_server + "/register")
    page.get_by_label("E-mail").fill("leavitt@example.org")
    page.get_by_label("Handle").fill("leavitt")
    page.get_by_label("Display name").fill("Henrietta Leavitt")
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(live_server + "/")


def upload_from_the_page(page, live_server: str, tmp_path) -> int:
    page.goto(live_server + "/upload")
    image = samples.jpeg_with_exif(tmp_path / "andromeda.jpg", width=720, height=1080)
    page.get_by_label("Image").set_input_files(str(image))
    page.get_by_label("Title").fill("Andromeda from the garden")
    page.get_by_label("Category").select_option("deep-sky")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/posts")) as answer:
        page.get_by_role("button", name="Upload").click()
    assert answer.value.status == 201
    page.wait_for_url(live_server + "/p/*")
    return int(page.url.rsplit("/", 1)[1])


def go_to_card(page, post_id: int) -> None:
    """Press J until the card of ``post_id`` fills the screen."""
    for _ in range(12):
        index = page.evaluate(
            "id => [...document.querySelectorAll('.feed-card')]"
            ".findIndex(c => +c.dataset.postId === id)",
            post_id,
        )
        if index >= 0 and feed_position(page)["top"] == index * PHONE_HEIGHT:
            return
        page.keyboard.press("j")
        settle(page)
    raise AssertionError(f"post {post_id} is not in the feed")


def test_register_upload_swipe_like_comment_save_follow(
    app, phone, live_server, make_user, tmp_path, artifacts_dir
):
    make_user("messier")
    messier = signed_in_client(app, "messier")
    crab = upload_as(messier, "Crab Nebula", tmp_path, object="M1")
    ring = upload_as(messier, "Ring Nebula", tmp_path, object="M57")
    page = phone
    register(page, live_server)
    mine = upload_from_the_page(page, live_server, tmp_path)

    page.goto(live_server + "/")
    first = page.locator(".feed-card").first
    assert first.get_attribute("data-post-id") == str(mine)  # the newest upload leads
    expect(first.get_by_role("link", name="Andromeda from the garden")).to_be_visible()
    first.locator(".feed-card__media.is-loaded").wait_for()

    swipe_up(page, 500)
    assert feed_position(page)["top"] == PHONE_HEIGHT  # snapped to a card boundary
    second = page.locator(".feed-card").nth(1)
    assert second.get_attribute("data-post-id") == str(ring)
    second.locator(".feed-card__media.is-loaded").wait_for()

    like = second.get_by_role("button", name="Like")
    assert like.get_attribute("aria-pressed") == "false"
    with page.expect_response(lambda r: r.url.endswith(f"/posts/{ring}/like")) as liked:
        page.touchscreen.tap(200, 400)
        page.touchscreen.tap(200, 400)
    assert liked.value.status == 200
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(second.locator("[data-role=like-count]")).to_have_text("1")

    page.reload()
    page.emulate_media(reduced_motion="reduce")
    go_to_card(page, ring)
    ring_card = card(page, ring)
    expect(ring_card.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")

    ring_card.get_by_role("button", name="Comments").click()
    sheet = page.get_by_role("dialog", name="Comments · Ring Nebula")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_text("No comments yet.")).to_be_visible()
    sheet.get_by_label("Add a comment").fill("Lovely detail in the ring.")
    with page.expect_response(lambda r: r.url.endswith(f"/posts/{ring}/comments")) as posted:
        sheet.get_by_role("button", name="Post").click()
    assert posted.value.status == 201
    expect(sheet.get_by_text("Lovely detail in the ring.")).to_be_visible()
    expect(ring_card.locator("[data-role=comment-count]")).to_have_text("1")
    page.screenshot(path=artifacts_dir / "comments-sheet.png")
    sheet.get_by_role("button", name="Close comments").click()
    expect(sheet).to_be_hidden()

    with page.expect_response(lambda r: r.url.endswith(f"/posts/{ring}/favorite")):
        ring_card.get_by_role("button", name="Save").click()
    expect(ring_card.get_by_role("button", name="Save")).to_have_attribute("aria-pressed", "true")
    with page.expect_response(lambda r: r.url.endswith("/users/messier/follow")):
        ring_card.get_by_role("button", name="Follow @messier").click()
    expect(ring_card.get_by_role("button", name="Follow @messier")).to_have_attribute(
        "aria-pressed", "true"
    )

    page.goto(live_server + "/saved")
    expect(page.get_by_role("link", name="Ring Nebula")).to_be_visible()
    expect(page.get_by_role("link", name="Crab Nebula")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Following").click()
    page.wait_for_url(live_server + "/following")
    ids = page.eval_on_selector_all(".feed-card", "cards => cards.map(c => +c.dataset.postId)")
    assert ids == [ring, crab]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    page.wait_for_url(live_server + "/u/leavitt")
    expect(page.get_by_role("link", name="Andromeda from the garden")).to_be_visible()
    expect(page.get_by_text("1 post")).to_be_visible()
    page.screenshot(path=artifacts_dir / "profile.png", full_page=True)
    assert page.problems == []
