"""Register, log in and log out through the HTML pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from skyframe.web.safe_redirect import safe_next_path
from tests.conftest import STRONG_PASSWORD

pytestmark = pytest.mark.one_database


def register_form(client, **fields):
    data = {
        "email": "leavitt@example.org",
        "handle": "leavitt",
        "display_name": "Henrietta Leavitt",
        "password": STRONG_PASSWORD,
        **fields,
    }
    return client.post("/register", data=data)


def test_register_page_renders_a_labelled_form(client):
    page = client.get("/register").get_data(as_text=True)
    for field in ("email", "handle", "display_name", "password"):
        assert f'for="{field}"' in page
    assert 'name="csrf_token"' in page


def test_register_signs_in_and_redirects_home(client):
    response = register_form(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "@leavitt" in home
    assert "Log out" in home


def test_register_errors_are_shown_next_to_fields(client):
    response = register_form(client, handle="not valid!", password="weak")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Handles use only letters" in page
    assert "Password needs" in page
    assert 'aria-invalid="true"' in page


def test_register_with_taken_handle_says_so(client, make_user):
    make_user("leavitt")
    response = register_form(client, email="other@example.org", handle="LEAVITT")
    assert response.status_code == 409
    assert "That handle is taken." in response.get_data(as_text=True)


def test_login_and_logout(client, make_user):
    make_user("cannon")
    response = client.post("/login", data={"login": "cannon", "password": STRONG_PASSWORD})
    assert response.status_code == 302
    assert "@cannon" in client.get("/").get_data(as_text=True)
    response = client.post("/logout")
    assert response.status_code == 302
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405


def test_failed_login_shows_one_message_for_every_cause(client, make_user):
    make_user("cannon")
    pages = [
        client.post("/login", data={"login": "nobody", "password": STRONG_PASSWORD}),
        client.post("/login", data={"login": "cannon", "password": "Wrong-pass-99"}),
    ]
    assert [p.status_code for p in pages] == [401, 401]
    for page in pages:
        assert "Incorrect login or password." in page.get_data(as_text=True)


def test_login_follows_a_safe_next_target(client, make_user):
    make_user("cannon")
    response = client.post(
        "/login", data={"login": "cannon", "password": STRONG_PASSWORD, "next": "/settings?tab=2"}
    )
    assert response.headers["Location"] == "/settings?tab=2"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%0d%0aSet-Cookie:x",
        "/ok\r\nLocation: https://evil.example",
        "///evil.example",
    ],
)
def test_login_never_redirects_off_site(client, make_user, target):
    make_user("cannon")
    response = client.post(
        "/login", data={"login": "cannon", "password": STRONG_PASSWORD, "next": target}
    )
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location
    assert urlsplit(location).netloc == ""


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", "/"),
        ("/p/12?x=1#c", "/p/12?x=1#c"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("", "/"),
        (None, "/"),
        ("/\tevil", "/"),
    ],
)
def test_safe_next_path(target, expected):
    assert safe_next_path(target) == expected


def test_login_required_pages_send_people_to_login_with_next(app, client):
    # /api/v1/me answers 401 JSON; HTML pages redirect (checked through the handler).
    from flask_login import login_required

    @app.get("/_private")
    @login_required
    def private():
        return "secret"

    response = client.get("/_private")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/_private")
