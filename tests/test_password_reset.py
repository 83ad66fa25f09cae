"""Password resets by e-mail: 202 whatever the address, a single-use link
that expires in an hour and is stored only as a hash, every session ended;
the HTML pages; the operator's `flask users reset-password`."""

from __future__ import annotations

import email
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from skyframe.accounts import password_reset
from skyframe.accounts.passwords import TOO_COMMON_MESSAGE
from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db
from skyframe.models import PasswordResetToken, User, utcnow
from skyframe.services import password_hashing
from tests.conftest import STRONG_PASSWORD, login

pytestmark = pytest.mark.one_database

NEW_PASSWORD = "Crab-Pulsar-1054"
LINK = re.compile(r"/reset-password/([A-Za-z0-9_-]+)")


def mails(app) -> list[email.message.Message]:
    folder = Path(app.config["MAIL_FILE_DIR"])
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def reset_token_from_mail(app) -> str:
    (message,) = mails(app)[-1:]
    return LINK.search(message.get_payload(decode=True).decode()).group(1)


def ask(client, address):
    return client.post("/api/v1/auth/password-reset", json={"email": address})


def confirm(client, token, password=NEW_PASSWORD):
    return client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


def test_mail_goes_to_the_test_folder_never_the_instance_folder(app):
    folder = Path(app.config["MAIL_FILE_DIR"])
    assert folder.is_relative_to(Path(app.config["UPLOAD_FOLDER"]).parent)  # the test's tmp_path
    assert "instance" not in folder.parts


def test_asking_answers_202_whether_or_not_the_address_exists(app, client, make_user):
    make_user("vega")
    assert ask(client, "nobody@example.org").status_code == 202
    assert mails(app) == []
    known = ask(client, "VEGA@example.org")
    assert known.status_code == 202
    assert known.get_data() == b""
    (message,) = mails(app)
    assert message["To"] == "vega@example.org"
    assert "Reset your SkyFrame password" in message["Subject"]
    assert LINK.search(message.get_payload(decode=True).decode())


def test_an_impossible_address_is_a_validation_error(client):
    response = ask(client, "not an address")
    assert response.status_code == 422
    assert "email" in response.get_json()["error"]["fields"]


def test_disabled_accounts_get_no_link(app, client, make_user):
    make_user("vega", disabled=True)
    assert ask(client, "vega@example.org").status_code == 202
    assert mails(app) == []


def test_the_link_sets_a_password_once_and_ends_every_session(app, client, make_user):
    make_user("vega")
    signed_in = app.test_client()
    assert login(signed_in, "vega").status_code == 200
    ask(client, "vega@example.org")
    token = reset_token_from_mail(app)
    assert confirm(client, token).status_code == 204
    assert signed_in.get("/api/v1/me").status_code == 401
    assert login(app.test_client(), "vega").status_code == 401
    assert login(app.test_client(), "vega", NEW_PASSWORD).status_code == 200
    again = confirm(client, token, "Another-Quasar-3C273")
    assert again.status_code == 422
    assert "token" in again.get_json()["error"]["fields"]


def test_only_the_tokens_hash_is_stored(app, client, make_user):
    make_user("vega")
    ask(client, "vega@example.org")
    token = reset_token_from_mail(app)
    with app.app_context():
        stored = db.session.scalars(select(PasswordResetToken.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_a_newer_link_replaces_the_older(app, client, make_user):
    make_user("vega")
    ask(client, "vega@example.org")
    first = reset_token_from_mail(app)
    ask(client, "vega@example.org")
    second = reset_token_from_mail(app)
    assert confirm(client, first).status_code == 422
    assert confirm(client, second).status_code == 204


def test_weak_passwords_are_refused_and_the_link_still_works(app, client, make_user):
    make_user("vega")
    ask(client, "vega@example.org")
    token = reset_token_from_mail(app)
    for weak, message in [("Password1!", TOO_COMMON_MESSAGE), ("Vega-Lyrae-25!", "handle")]:
        refused = confirm(client, token, weak)
        assert refused.status_code == 422
        assert message in refused.get_json()["error"]["fields"]["new_password"]
    assert confirm(client, token).status_code == 204


def test_links_expire_after_an_hour(app, make_user):
    user = make_user("vega")
    start = utcnow()
    with app.app_context():
        hashing = password_hashing()
        vega = db.session.get(User, user.id)
        late = password_reset.request_reset(
            db.session, vega.email, lifetime=timedelta(hours=1), now=start
        )
        with pytest.raises(ValidationFailed):
            password_reset.confirm_reset(
                db.session, hashing, late.token, NEW_PASSWORD, start + timedelta(minutes=61)
            )
        in_time = password_reset.request_reset(
            db.session, vega.email, lifetime=timedelta(hours=1), now=start
        )
        done = password_reset.confirm_reset(
            db.session, hashing, in_time.token, NEW_PASSWORD, start + timedelta(minutes=59)
        )
        assert done.id == user.id
        db.session.commit()


def test_asking_is_rate_limited_per_address(client, make_user):
    make_user("vega")
    statuses = [
        client.post(
            "/api/v1/auth/password-reset",
            json={"email": "vega@example.org"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert statuses == [202, 202, 202, 429]


def test_the_html_pages(app, client, make_user):
    make_user("vega")
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in login_page
    assert client.get("/forgot-password").status_code == 200
    sent = client.post("/forgot-password", data={"email": "vega@example.org"})
    assert sent.status_code == 302
    assert "reset its password is on its way" in client.get("/login").get_data(as_text=True)
    token = reset_token_from_mail(app)
    form = client.get(f"/reset-password/{token}")
    assert form.status_code == 200
    assert 'autocomplete="new-password"' in form.get_data(as_text=True)
    weak = client.post(f"/reset-password/{token}", data={"new_password": "Aaaaaaaa1!"})
    assert weak.status_code == 422
    done = client.post(f"/reset-password/{token}", data={"new_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get(f"/reset-password/{token}").status_code == 404
    assert login(app.test_client(), "vega", NEW_PASSWORD).status_code == 200


def test_operators_reset_a_password_from_the_cli(app, runner, make_user):
    make_user("vega")
    signed_in = app.test_client()
    login(signed_in, "vega")
    result = runner.invoke(
        args=["users", "reset-password", "vega"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Ended 1 session(s)." in result.output
    assert signed_in.get("/api/v1/me").status_code == 401
    assert login(app.test_client(), "vega", NEW_PASSWORD).status_code == 200
    weak = runner.invoke(args=["users", "reset-password", "vega", "--password", "Password1!"])
    assert weak.exit_code == 1
    assert "too common" in weak.output


def test_operators_can_print_a_reset_link_instead(app, runner, client, make_user):
    make_user("vega")
    result = runner.invoke(
        args=["users", "reset-password", "vega", "--link", "--base-url", "https://sky.example"]
    )
    assert result.exit_code == 0, result.output
    assert "https://sky.example/reset-password/" in result.output
    token = LINK.search(result.output).group(1)
    assert confirm(client, token).status_code == 204
    assert login(app.test_client(), "vega", STRONG_PASSWORD).status_code == 401
