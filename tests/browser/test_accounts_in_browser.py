"""A person registers, logs out and logs back in on a phone."""

from __future__ import annotations

from datetime import timedelta

from skyframe import motd as motd_service
from skyframe.extensions import db
from skyframe.models import utcnow
from tests.conftest import STRONG_PASSWORD


def test_register_logout_login_on_a_phone(phone, live_server, artifacts_dir):
    page = phone
    page.goto(live_server + "/")
    page.screenshot(path=artifacts_dir / "home-signed-out.png")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("E-mail").fill("shapley@example.org")
    page.get_by_label("Handle").fill("shapley")
    page.get_by_label("Display name").fill("Harlow Shapley")
    page.get_by_label("Password").fill("weak")
    page.get_by_role("button", name="Sign up").click()
    assert page.get_by_text("Password needs").is_visible()
    page.screenshot(path=artifacts_dir / "register-errors.png")

    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_text("Welcome to SkyFrame, Harlow Shapley!").is_visible()
    page.screenshot(path=artifacts_dir / "home-signed-in.png")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("link", name="Log in").first.is_visible()

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("E-mail or handle").fill("shapley")
    page.get_by_label("Password").fill("Wrong-password-9")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Incorrect login or password.").is_visible()
    page.screenshot(path=artifacts_dir / "login-failed.png")
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_text("No captures yet.").is_visible()  # the feed of an empty site
    assert page.problems == []


def test_bottom_navigation_stays_on_screen(phone, live_server):
    page = phone
    page.goto(live_server + "/")
    nav = page.get_by_role("navigation", name="Main")
    box = nav.bounding_box()
    assert box["y"] + box["height"] <= 915 + 1
    assert box["width"] >= 400
    assert page.problems == []


def test_motd_modal_shows_once_and_dismissal_is_remembered(
    app, phone, live_server, make_user, artifacts_dir
):
    make_user("shapley")
    with app.app_context():
        motd_service.add_motd(
            db.session,
            title="Perseids tonight",
            body="Peak after midnight.",
            now=utcnow(),
            publish=True,
            ends_at=utcnow() + timedelta(days=1),
        )
        db.session.commit()
    page = phone
    page.emulate_media(reduced_motion="reduce")  # no fade: the screenshot shows the settled modal
    page.goto(live_server + "/login")
    page.get_by_label("E-mail or handle").fill("shapley")
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    dialog = page.get_by_role("dialog", name="Perseids tonight")
    dialog.wait_for(state="visible")
    page.screenshot(path=artifacts_dir / "motd-modal.png")
    with page.expect_response(lambda r: r.url.endswith("/ack") and r.status == 204):
        dialog.get_by_role("button", name="Got it").click()
    page.reload()
    page.wait_for_load_state("networkidle")
    assert not page.get_by_role("dialog", name="Perseids tonight").is_visible()
    assert page.problems == []


def test_api_reference_page_renders_locally(phone, live_server, artifacts_dir):
    page = phone
    page.emulate_media(reduced_motion="reduce")  # jump to anchors instead of smooth-scrolling
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/api/docs")
    assert page.get_by_role("heading", name="SkyFrame API").is_visible()
    page.get_by_role("link", name="POST /api/v1/auth/login").click()
    assert page.locator("#post__api_v1_auth_login").is_visible()
    page.screenshot(path=artifacts_dir / "api-docs.png")
    assert requested_hosts == {live_server.split("/")[2]}
    assert page.problems == []
