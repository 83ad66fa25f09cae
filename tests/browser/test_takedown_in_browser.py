"""A moderator takes a post down through the API; its owner, on a phone, reads
why in their notifications, on the post's page and on their profile."""

from __future__ import annotations

from playwright.sync_api import expect

from skyframe.models import Role
from tests.browser.helpers import sign_in, signed_in_client, upload_as

REASON = "This is someone else's photograph."


def test_the_owner_sees_the_post_removed_with_the_reason(
    app, phone, live_server, make_user, tmp_path, artifacts_dir
):
    make_user("messier")
    make_user("mod", role=Role.MODERATOR)
    post = upload_as(signed_in_client(app, "messier"), "Crab Nebula", tmp_path, object="M1")
    answer = signed_in_client(app, "mod").post(
        f"/api/v1/admin/posts/{post}/take-down", json={"reason": REASON}
    )
    assert answer.status_code == 200

    page = phone
    sign_in(page, live_server, "messier")
    page.goto(live_server + "/notifications")
    notice = page.get_by_role("link", name=f"A moderator removed your post “Crab Nebula”: {REASON}")
    expect(notice).to_be_visible()
    notice.click()
    page.wait_for_url(f"{live_server}/p/{post}")
    removed = page.get_by_role("status").filter(has_text="Removed by a moderator")
    expect(removed).to_be_visible()
    expect(removed).to_contain_text(REASON)
    page.screenshot(path=str(artifacts_dir / "take-down-post-page.png"))

    page.goto(live_server + "/u/messier")
    tile = page.get_by_role("link", name=f"Crab Nebula (removed by a moderator: {REASON})")
    expect(tile).to_be_visible()
    expect(tile.get_by_text("Removed by a moderator")).to_be_visible()
    page.goto(live_server + "/settings/standing")
    expect(page.get_by_text(REASON)).to_be_visible()
    assert page.problems == []
