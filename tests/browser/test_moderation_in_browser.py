"""What a person does with moderation on a phone: reporting a post from the
feed through the report sheet, and tapping through a warning-label cover
(which stays open for that post for the rest of the session)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from skyframe.extensions import db
from skyframe.models import Post, Report
from tests.browser.helpers import card, sign_in, signed_in_client, upload_as


@pytest.fixture
def app(app_factory):
    return app_factory(REPORT_LIMIT="1 per hour")


@pytest.fixture
def captures(app, make_user, tmp_path) -> list[int]:
    """Two posts by Messier, the newest first in the feed."""
    make_user("messier")
    messier = signed_in_client(app, "messier")
    older = upload_as(messier, "Crab Nebula", tmp_path, object="M1")
    newer = upload_as(messier, "Orion Nebula", tmp_path, object="M42")
    return [newer, older]


def label(app, post_id: int, labels: str) -> None:
    with app.app_context():
        db.session.get(Post, post_id).labels = labels
        db.session.commit()


def report_from_the_feed(page, post_id: int, reason: str):
    crab = card(page, post_id)
    crab.scroll_into_view_if_needed()
    crab.get_by_role("button", name="Details").click()
    page.locator("#info-sheet").get_by_role("button", name="Report").click()
    sheet = page.get_by_role("dialog", name="Report this post")
    expect(sheet).to_be_visible()
    sheet.get_by_label(reason).check()
    return sheet


def test_a_user_reports_a_post_from_the_feed(
    app, phone, live_server, captures, make_user, artifacts_dir
):
    make_user("shapley")
    page = phone
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "shapley")
    newer, older = captures

    sheet = report_from_the_feed(page, newer, "Someone else's image")
    sheet.get_by_label("Anything the moderators should know?").fill("It is from APOD 2021.")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/reports") and r.status == 201):
        sheet.get_by_role("button", name="Send report").click()
    expect(sheet.get_by_text("Thanks — a moderator will look at it")).to_be_visible()
    page.screenshot(path=artifacts_dir / "report-sheet-thanks.png")
    sheet.get_by_role("button", name="Done").click()
    expect(sheet).to_be_hidden()
    with app.app_context():
        (filed,) = db.session.scalars(db.select(Report)).all()
        assert (filed.target_type, filed.target_id, filed.reason) == ("post", newer, "stolen")
        assert filed.details == "It is from APOD 2021."

    # Over REPORT_LIMIT (one an hour here) the sheet says so and stays open.
    sheet = report_from_the_feed(page, older, "Spam or advertising")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/reports") and r.status == 429):
        sheet.get_by_role("button", name="Send report").click()
    expect(sheet.get_by_role("alert")).to_contain_text("many reports")
    expect(sheet.get_by_role("button", name="Send report")).to_be_visible()
    assert [p for p in page.problems if "429" not in p] == []


def uncover_and_reload(page, cover, names: str) -> None:
    expect(cover).to_be_visible()
    expect(cover).to_contain_text(names)
    cover.click()
    expect(cover).to_be_hidden()
    page.reload()


def test_a_label_cover_on_the_post_page_is_tapped_through_for_the_session(
    app, phone, live_server, captures, make_user
):
    newer, _ = captures
    label(app, newer, "flashing")
    page = phone
    page.goto(f"{live_server}/p/{newer}")
    cover = page.locator(".post-image .label-cover")
    uncover_and_reload(page, cover, "Flashing light")
    expect(page.locator(".post-image img")).to_be_visible()
    expect(cover).to_be_hidden()  # remembered after the reload
    assert page.problems == []


def test_a_label_cover_on_the_feed_is_tapped_through_and_stays_open(
    app, phone, live_server, captures, make_user, artifacts_dir
):
    newer, older = captures
    label(app, newer, "sensitive ai_generated")
    label(app, older, "processed")
    page = phone
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server + "/")
    cover = card(page, newer).locator(".label-cover")
    expect(cover).to_be_visible()
    page.screenshot(path=artifacts_dir / "label-cover-feed.png")
    uncover_and_reload(page, cover, "Sensitive · AI-generated")
    expect(card(page, newer).locator(".feed-card__media img")).to_be_visible()
    expect(cover).to_be_hidden()
    # Only that post: the other one's cover is still there.
    other = card(page, older).locator(".label-cover")
    other.scroll_into_view_if_needed()
    expect(other).to_be_visible()
    expect(other).to_contain_text("Composite or heavily processed")
    assert page.problems == []
