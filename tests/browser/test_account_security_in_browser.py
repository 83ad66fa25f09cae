"""A person who forgot their password resets it from the e-mailed link,
then signs another device out and changes the password, on a phone."""

from __future__ import annotations

import email
import re
from pathlib import Path

from tests.conftest import login

NEW_PASSWORD = "Crab-Pulsar-1054"
NEWER_PASSWORD = "Vela-Pulsar-0833"


def test_reset_password_then_manage_sessions(phone, live_server, app, make_user, artifacts_dir):
    make_user("leavitt")
    laptop = app.test_client()  # another device, signed in
    assert login(laptop, "leavitt").status_code == 200

    page = phone
    page.goto(live_server + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill("leavitt@example.org")
    page.get_by_role("button", name="Send the link").click()
    assert page.get_by_text("a link to reset its password is on its way").is_visible()
    (mail,) = Path(app.config["MAIL_FILE_DIR"]).glob("*.eml")
    text = email.message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode()
    path = re.search(r"/reset-password/[A-Za-z0-9_-]+", text).group(0)

    page.goto(live_server + path)
    page.get_by_label("New password").fill("Password1!")
    page.get_by_role("button", name="Set the new password").click()
    assert page.get_by_text("too common").is_visible()
    page.screenshot(path=artifacts_dir / "reset-password-refused.png")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_url(live_server + "/login")
    assert laptop.get("/api/v1/me").status_code == 401  # every session ended

    page.get_by_label("E-mail or handle").fill("leavitt")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/")
    assert login(laptop, "leavitt", NEW_PASSWORD).status_code == 200

    page.goto(live_server + "/settings/sessions")
    assert page.get_by_text("This device").is_visible()
    page.screenshot(path=artifacts_dir / "settings-sessions.png", full_page=True)
    page.get_by_role("button", name="Sign out", exact=True).click()
    assert page.get_by_text("That session is signed out.").is_visible()
    assert laptop.get("/api/v1/me").status_code == 401

    page.goto(live_server + "/settings/password")
    page.get_by_label("Current password").fill(NEW_PASSWORD)
    page.get_by_label("New password").fill(NEWER_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(live_server + "/settings")
    assert page.get_by_text("Password changed.").is_visible()
    page.screenshot(path=artifacts_dir / "password-changed.png")
    assert page.problems == []
