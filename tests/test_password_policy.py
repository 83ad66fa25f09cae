"""Weak passwords are refused: common ones (a shipped list, under the usual
decoration), repetitive ones, and ones containing the handle or the e-mail's
name part."""

from __future__ import annotations

import pytest

from skyframe.accounts.passwords import (
    COMMON_PASSWORDS_FILE,
    TOO_COMMON_MESSAGE,
    TOO_PERSONAL_MESSAGE,
    common_passwords,
    password_refusal,
)
from skyframe.demo.site import DEMO_PASSWORD
from tests.conftest import STRONG_PASSWORD


@pytest.mark.parametrize(
    "password",
    ["Password1!", "Aaaaaaaa1!", "P@ssw0rd123!", "Qwerty1234!", "1Dragon2024!", "Abcdefgh1!"],
)
def test_common_and_repetitive_passwords_are_refused(password):
    assert password_refusal(password, handle="vega", email="vega@example.org") == (
        TOO_COMMON_MESSAGE
    )


@pytest.mark.parametrize(
    "password", ["Vega-Sky-1234", "xVEGA-rises-9!", "Sky-Deneb.Star-7", "My-deneb-Sky-7"]
)
def test_passwords_containing_the_handle_or_the_email_name_are_refused(password):
    assert (
        password_refusal(password, handle="Vega", email="Deneb.Star+sky@example.org")
        == TOO_PERSONAL_MESSAGE
        or password_refusal(password, handle="Vega", email="deneb@example.org")
        == TOO_PERSONAL_MESSAGE
    )


def test_short_handles_do_not_count_as_personal():
    assert password_refusal("Jet-Stream-Abc-42", handle="abc", email="ab@example.org") is None


def test_the_suite_and_demo_passwords_pass_the_policy():
    assert password_refusal(STRONG_PASSWORD, handle="observer1", email="o@example.org") is None
    for handle in ("demo1", "demo50", "demo1234"):
        assert password_refusal(DEMO_PASSWORD, handle=handle, email=f"{handle}@example.org") is None


def test_the_shipped_list_is_generated_from_zxcvbn():
    pytest.importorskip("zxcvbn")
    from scripts.make_common_passwords import render

    assert COMMON_PASSWORDS_FILE.read_text(encoding="utf-8") == render()
    assert len(common_passwords()) > 25_000
    assert "password" in common_passwords()


def test_registration_refuses_a_common_password(client):
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": "vega@example.org",
            "handle": "vega",
            "display_name": "Vega",
            "password": "Password1!",
        },
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["password"] == TOO_COMMON_MESSAGE


def test_registration_form_refuses_the_handle_in_the_password(client):
    response = client.post(
        "/register",
        data={
            "email": "mira@example.org",
            "handle": "mira",
            "display_name": "Mira",
            "password": "Mira-Ceti-2026!",
        },
    )
    assert response.status_code == 422
    assert "cannot contain your handle" in response.get_data(as_text=True)
