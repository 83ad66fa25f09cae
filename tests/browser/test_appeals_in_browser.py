"""A take-down appealed and overturned, by people: its owner, on a phone,
appeals from the standing page; a manager, on a desktop, finds the appeal in
the staff area and overturns it; the owner's post is back on its page and
the standing page says the appeal was accepted."""

from __future__ import annotations

from playwright.sync_api import expect

from skyframe.models import Role
from tests.browser.conftest import watch
from tests.browser.helpers import sign_in, signed_in_client, upload_as

REASON = "This looks like someone else's photograph."
APPEAL = "It is my own capture: the raw frames are on my drive."
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def test_an_owner_appeals_a_take_down_and_a_manager_overturns_it(
    app, browser, phone, live_server, make_user, tmp_path, artifacts_dir
):
    make_user("messier")
    make_user("mod", role=Role.MODERATOR)
    make_user("boss", role=Role.MANAGER)
    post = upload_as(signed_in_client(app, "messier"), "Crab Nebula", tmp_path, object="M1")
    taken = signed_in_client(app, "mod").post(
        f"/api/v1/admin/posts/{post}/take-down", json={"reason": REASON}
    )
    assert taken.status_code == 200

    # The owner, on a phone, without needing any script: a <details> form.
    owner = phone
    sign_in(owner, live_server, "messier")
    owner.goto(live_server + "/settings/standing")
    owner.get_by_text("Appeal this removal").click()
    owner.get_by_label("Why should this change?").fill(APPEAL)
    owner.get_by_role("button", name="Send appeal").click()
    owner.wait_for_url(live_server + "/settings/standing")
    expect(owner.get_by_text("Your appeal is sent")).to_be_visible()
    expect(owner.get_by_text("Appealed · pending")).to_be_visible()
    owner.screenshot(path=str(artifacts_dir / "appeal-standing-pending.png"))
    width = owner.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 412  # nothing sticks out sideways on a phone

    # The manager, on a desktop: the staff area's appeals, then the decision.
    context = browser.new_context(**DESKTOP)
    manager = context.new_page()
    watch(manager)
    try:
        sign_in(manager, live_server, "boss")
        manager.goto(live_server + "/admin/appeals")
        manager.get_by_role("link", name="Removal of “Crab Nebula”").click()
        expect(manager.get_by_text(APPEAL)).to_be_visible()
        expect(manager.get_by_text(REASON)).to_be_visible()
        manager.get_by_label("Overturn: restore the post, or lift the strike").check()
        manager.get_by_label("Note to the appellant").fill("You are right; sorry.")
        manager.get_by_role("button", name="Decide").click()
        expect(manager.get_by_text("The appeal is decided (overturned)")).to_be_visible()
        manager.screenshot(path=str(artifacts_dir / "appeal-decided-desktop.png"))
        assert manager.problems == []
    finally:
        context.close()

    owner.goto(f"{live_server}/p/{post}")
    expect(owner.get_by_text("Removed by a moderator")).to_have_count(0)
    expect(owner.get_by_role("heading", name="Crab Nebula")).to_be_visible()
    owner.goto(live_server + "/settings/standing")
    expect(owner.get_by_text("Appeal accepted")).to_be_visible()
    expect(owner.get_by_text("You are right; sorry.")).to_be_visible()
    owner.goto(live_server + "/notifications")
    expect(
        owner.get_by_role("link", name="Your appeal was accepted: the decision is overturned")
    ).to_be_visible()
    assert owner.problems == []
