"""People pages on a phone: the owner edits the profile and avatar from the
profile page; notifications show with the unread badge and are marked read;
error pages offer a way on."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import media_samples as samples
from tests.browser.helpers import sign_in, signed_in_client, upload_as


def test_the_owner_edits_profile_and_avatar(phone, live_server, make_user, tmp_path, artifacts_dir):
    make_user("leavitt")
    page = phone
    sign_in(page, live_server, "leavitt")
    page.goto(live_server + "/u/leavitt")
    avatar = page.locator(".profile-header img.avatar")
    before = avatar.get_attribute("src")
    page.get_by_role("link", name="Edit profile and avatar").click()
    page.wait_for_url(live_server + "/settings")
    page.get_by_label("Display name").fill("Henrietta Swan Leavitt")
    page.get_by_label("Bio").fill("Cepheids and the period–luminosity relation.")
    picture = samples.write_image(tmp_path / "me.jpg", 400, 300)
    page.get_by_label("New avatar").set_input_files(str(picture))
    page.screenshot(path=artifacts_dir / "settings.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()

    page.goto(live_server + "/u/leavitt")
    expect(page.get_by_role("heading", name="Henrietta Swan Leavitt")).to_be_visible()
    expect(page.get_by_text("Cepheids and the period–luminosity relation.")).to_be_visible()
    assert avatar.get_attribute("src") != before  # a new version of the avatar
    page.wait_for_function(
        "() => { const i = document.querySelector('.profile-header img.avatar');"
        " return i.complete && i.naturalWidth > 0 && i.naturalWidth === i.naturalHeight; }"
    )  # loaded, cropped square
    page.screenshot(path=artifacts_dir / "profile-edited.png", full_page=True)
    assert page.problems == []


def test_notifications_badge_list_and_read(
    app, phone, live_server, make_user, tmp_path, artifacts_dir
):
    make_user("leavitt")
    make_user("messier")
    leavitt = signed_in_client(app, "leavitt")
    post = upload_as(leavitt, "Small Magellanic Cloud", tmp_path)
    messier = signed_in_client(app, "messier")
    assert messier.post(f"/api/v1/posts/{post}/like").status_code == 200
    assert messier.post("/api/v1/users/leavitt/follow").status_code == 200

    page = phone
    sign_in(page, live_server, "leavitt")
    bell = page.get_by_role("link", name="Notifications, 2 unread")
    expect(bell).to_be_visible()
    expect(page.locator("[data-role=notify-badge]")).to_have_text("2")
    bell.click()
    page.wait_for_url(live_server + "/notifications")
    expect(page.locator(".notification")).to_have_count(2)
    page.screenshot(path=artifacts_dir / "notifications.png", full_page=True)
    expect(page.locator("[data-role=notify-badge]")).to_have_count(0)  # read once seen
    page.goto(live_server + "/u/leavitt")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(page.locator("[data-role=notify-badge]")).to_have_count(0)
    assert page.problems == []


def test_error_pages_offer_a_way_on(app, phone, live_server, make_user, tmp_path, artifacts_dir):
    make_user("messier")
    make_user("leavitt")
    post = upload_as(signed_in_client(app, "messier"), "Crab Nebula", tmp_path)
    page = phone
    answer = page.goto(live_server + "/p/999999")
    assert answer.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the feed")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Search")).to_be_visible()
    page.screenshot(path=artifacts_dir / "error-404.png")

    sign_in(page, live_server, "leavitt")
    answer = page.goto(f"{live_server}/p/{post}/edit")  # someone else's post
    assert answer.status == 403
    expect(page.get_by_text("Only the owner or a moderator can edit this post.")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the feed")).to_be_visible()
    page.screenshot(path=artifacts_dir / "error-403.png")
    assert page.problems == []
