"""The Host header: only trusted hosts are served (400 otherwise, before any
work), and PUBLIC_URL starts every absolute URL the app builds."""

from __future__ import annotations

import pytest
from flask import url_for

from config import ConfigError, load_config
from skyframe import create_app
from skyframe.web.hosts import is_trusted
from tests.test_share_meta import meta_of

pytestmark = pytest.mark.one_database

PRODUCTION_KEY = "x" * 40 + "production-test-key"


@pytest.mark.parametrize("path", ["/", "/login", "/p//1", "/api/v1/auth/csrf", "/healthz/"])
def test_a_forged_host_is_400_before_anything(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers  # no slash redirect to the forged host
    assert "evil.example" not in response.get_data(as_text=True)
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "untrusted_host"


def test_probes_answer_whatever_host_the_load_balancer_names(client):
    # Health checks call the server by its address; the probes build no URL.
    for path in ("/healthz", "/readyz"):
        assert client.get(path, headers={"Host": "10.0.3.7:8000"}).status_code == 200


def test_a_forged_host_on_a_post_is_400_before_the_body_or_csrf(client):
    response = client.post(
        "/login", data={"login": "vega"}, headers={"Host": "evil.example"}, csrf=False
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:5000", "127.0.0.1:8000", "[::1]", "[::1]:5000", "LOCALHOST"]
)
def test_local_names_are_trusted_by_default_with_any_port(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


def test_the_configured_host_is_trusted(app_factory):
    app = app_factory(HOST="skyframe.lan")
    assert app.test_client().get("/", headers={"Host": "skyframe.lan:5000"}).status_code == 200


def test_trusted_hosts_replace_the_defaults_and_a_dot_trusts_subdomains(app_factory):
    client = app_factory(TRUSTED_HOSTS=[".sky.example"]).test_client()
    assert client.get("/", headers={"Host": "sky.example"}).status_code == 200
    assert client.get("/", headers={"Host": "www.sky.example"}).status_code == 200
    assert client.get("/", headers={"Host": "evilsky.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400


def test_a_host_set_by_a_trusted_proxy_is_checked_too(app_factory):
    client = app_factory(PROXY_FIX_X_HOST=1).test_client()
    assert client.get("/", headers={"X-Forwarded-Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"X-Forwarded-Host": "localhost"}).status_code == 200


def test_share_tags_use_the_public_url_whatever_host_was_asked(app_factory, make_user, make_post):
    app = app_factory(PUBLIC_URL="https://sky.example/")
    owner = make_user("vega")
    post = make_post(owner, title="Comet tonight")
    client = app.test_client()
    tags = meta_of(client.get(f"/p/{post}", headers={"Host": "127.0.0.1:5000"}).get_data(True))
    assert tags["og:url"] == f"https://sky.example/p/{post}"
    profile = meta_of(client.get("/u/vega").get_data(as_text=True))
    assert profile["og:url"] == "https://sky.example/u/vega"
    assert profile["og:image"] == "https://sky.example/u/vega/avatar"


def test_the_public_url_host_is_trusted(app_factory):
    client = app_factory(PUBLIC_URL="https://sky.example").test_client()
    assert client.get("/", headers={"Host": "sky.example"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_urls_built_outside_a_request_use_the_public_url(app_factory):
    app = app_factory(PUBLIC_URL="https://sky.example")
    with app.app_context():
        assert url_for("auth.login", next="/x") == "https://sky.example/login?next=/x"
        assert url_for("main.profile", handle="vega", _anchor="top").endswith("/u/vega#top")
    with app.test_request_context("/"):
        assert url_for("main.profile", handle="vega") == "/u/vega"  # relative stays relative


def production(**settings):
    return {"SECRET_KEY": PRODUCTION_KEY, **settings}


def test_production_refuses_to_start_without_trusted_hosts_or_a_public_url():
    with pytest.raises(ConfigError, match="PUBLIC_URL .* or TRUSTED_HOSTS"):
        load_config("production", environ=production())
    assert load_config("production", environ=production(TRUSTED_HOSTS="sky.example"))
    settings = load_config("production", environ=production(PUBLIC_URL="https://sky.example"))
    assert "sky.example" in settings["TRUSTED_HOSTS"]


@pytest.mark.parametrize(
    "url", ["sky.example", "ftp://sky.example", "https://sky.example/app", "https://sky.example/?a"]
)
def test_a_public_url_is_an_origin(url):
    with pytest.raises(ConfigError, match="PUBLIC_URL must be the site's origin"):
        load_config("development", environ={"PUBLIC_URL": url})


def test_production_wants_an_https_public_url():
    with pytest.raises(ConfigError, match="https://"):
        load_config("production", environ=production(PUBLIC_URL="http://sky.example"))


def test_trusted_hosts_are_read_as_a_list_and_normalised():
    settings = load_config(
        "development",
        environ={"TRUSTED_HOSTS": "Sky.Example:443, ::1 ,.lan", "PUBLIC_URL": "https://b.example"},
    )
    assert settings["TRUSTED_HOSTS"] == ["sky.example", "[::1]", ".lan", "b.example"]


def test_the_https_redirect_goes_to_the_public_url(database_url, app_factory):
    app_factory()  # empties the tables afterwards
    app = create_app(
        "production",
        SECRET_KEY=PRODUCTION_KEY,
        SQLALCHEMY_DATABASE_URI=database_url,
        PUBLIC_URL="https://sky.example",
    )
    client = app.test_client()
    response = client.get("/p/1?x=1", headers={"Host": "127.0.0.1:8000"})
    assert response.status_code == 301
    assert response.headers["Location"] == "https://sky.example/p/1?x=1"
    forged = client.get("/login", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert "Location" not in forged.headers


@pytest.mark.parametrize(
    ("host", "trusted", "expected"),
    [
        ("a.example", ["a.example"], True),
        ("a.example:8080", ["a.example:443"], True),
        ("b.a.example", [".a.example"], True),
        ("ba.example", [".a.example"], False),
        ("[::1]:80", ["[::1]"], True),
        ("[::2]", ["[::1]"], False),
        ("", ["a.example"], False),
    ],
)
def test_host_matching(host, trusted, expected):
    assert is_trusted(host, trusted) is expected
