"""A person blocks someone from their profile's menu, unblocks them in
settings, and deletes their own account, on a phone."""

from __future__ import annotations

from tests.browser.helpers import sign_in
from tests.conftest import STRONG_PASSWORD


def test_block_from_a_profile_then_unblock_in_settings(
    phone, live_server, make_user, artifacts_dir
):
    page = phone
    make_user("hubble")
    make_user("pest")
    sign_in(page, live_server, "hubble")
    page.goto(live_server + "/u/pest")
    page.get_by_label("More actions for @pest").click()
    page.screenshot(path=artifacts_dir / "profile-menu.png")
    page.get_by_role("button", name="Block", exact=True).click()
    assert page.get_by_text("You blocked @pest.").is_visible()
    page.goto(live_server + "/settings")
    page.get_by_role("link", name="Blocked accounts").click()
    assert page.get_by_text("@pest").is_visible()
    page.screenshot(path=artifacts_dir / "blocked-accounts.png")
    page.get_by_role("button", name="Unblock").click()
    assert page.get_by_text("You unblocked @pest.").is_visible()
    assert page.get_by_text("You block nobody.").is_visible()
    assert page.problems == []


def test_delete_my_account(phone, live_server, make_user, artifacts_dir):
    page = phone
    make_user("leavitt")
    sign_in(page, live_server, "leavitt")
    page.goto(live_server + "/settings")
    page.get_by_role("link", name="Delete account").click()
    page.get_by_label("Your password").fill(STRONG_PASSWORD)
    page.screenshot(path=artifacts_dir / "delete-account.png")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_text("@leavitt is deleted.").is_visible()
    assert page.get_by_role("link", name="Log in").first.is_visible()
    assert page.problems == []
