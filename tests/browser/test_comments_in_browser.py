"""The comments sheet on a phone: pages of comments, liking someone's
comment, adding, editing and deleting one's own, and the form staying above
the on-screen keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import card, sign_in, signed_in_client, upload_as

PAGE = 20  # static/js/comments.js


@pytest.fixture
def app(app_factory):
    return app_factory(COMMENT_LIMIT="1000 per minute")


@pytest.fixture
def conversation(app, make_user, tmp_path) -> int:
    """A post with more than a page of comments by its owner."""
    make_user("messier")
    messier = signed_in_client(app, "messier")
    post = upload_as(messier, "Crab Nebula", tmp_path, object="M1")
    for n in range(PAGE + 3):
        answer = messier.post(f"/api/v1/posts/{post}/comments", json={"body": f"Note {n}"})
        assert answer.status_code == 201
    return post


def test_comments_sheet_pages_likes_adds_edits_and_deletes(
    phone, live_server, conversation, make_user, artifacts_dir
):
    make_user("shapley")
    page = phone
    page.emulate_media(reduced_motion="reduce")
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete this comment?"
    sign_in(page, live_server, "shapley")
    crab = card(page, conversation)
    count = crab.locator("[data-role=comment-count]")
    expect(count).to_have_text(str(PAGE + 3))
    crab.get_by_role("button", name="Comments").click()
    sheet = page.get_by_role("dialog", name="Comments · Crab Nebula")
    comments = sheet.locator(".comment")
    expect(comments).to_have_count(PAGE)
    sheet.get_by_role("button", name="Show more comments").click()
    expect(comments).to_have_count(PAGE + 3)
    expect(sheet.get_by_role("button", name="Show more comments")).to_be_hidden()

    first = sheet.locator(".comment", has_text="Note 0")
    like = first.get_by_role("button", name="Like the comment by")
    with page.expect_response(lambda r: r.url.endswith("/like") and r.status == 200):
        like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_have_text("1")
    expect(first.get_by_role("button", name="Edit")).to_have_count(0)  # not ours

    sheet.get_by_label("Add a comment").fill("Wonderful filaments.")
    sheet.get_by_role("button", name="Post").click()
    mine = sheet.locator(".comment", has_text="Wonderful filaments.")
    expect(mine).to_be_visible()
    expect(count).to_have_text(str(PAGE + 4))

    mine.get_by_role("button", name="Edit").click()
    editor = mine.get_by_label("Edit your comment")
    expect(editor).to_be_focused()
    editor.fill("Wonderful filaments and a pulsar.")
    mine.get_by_role("button", name="Save").click()
    edited = sheet.locator(".comment", has_text="Wonderful filaments and a pulsar.")
    expect(edited).to_contain_text("edited")
    page.screenshot(path=artifacts_dir / "comments-sheet-edited.png")

    with page.expect_response(lambda r: r.request.method == "DELETE" and r.status == 204):
        edited.get_by_role("button", name="Delete").click()
    expect(edited).to_have_count(0)
    expect(count).to_have_text(str(PAGE + 3))

    # Reopened, the sheet shows what the server keeps.
    sheet.get_by_role("button", name="Close comments").click()
    expect(sheet).to_be_hidden()
    crab.get_by_role("button", name="Comments").click()
    expect(comments).to_have_count(PAGE)
    expect(sheet.locator(".comment", has_text="Wonderful")).to_have_count(0)
    assert page.problems == []


def test_the_comment_form_stays_above_the_keyboard(
    phone, live_server, conversation, make_user, artifacts_dir
):
    make_user("shapley")
    page = phone
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "shapley")
    card(page, conversation).get_by_role("button", name="Comments").click()
    sheet = page.get_by_role("dialog", name="Comments · Crab Nebula")
    field = sheet.get_by_label("Add a comment")
    field.click()
    expect(field).to_be_focused()
    # The on-screen keyboard takes the lower part of the screen: the page is
    # resized to what is left (interactive-widget=resizes-content).
    page.set_viewport_size({"width": 412, "height": 520})
    for control in (field, sheet.get_by_role("button", name="Post")):
        expect(control).to_be_in_viewport(ratio=1)
    expect(sheet.get_by_role("button", name="Close comments")).to_be_in_viewport(ratio=1)
    page.screenshot(path=artifacts_dir / "comments-keyboard.png")
    field.fill("Typed with the keyboard up.")
    sheet.get_by_role("button", name="Post").click()
    expect(sheet.get_by_text("Typed with the keyboard up.")).to_be_visible()
    assert page.problems == []
