"""ADMIN_ALLOWED_NETWORKS: staff reach /admin and /api/v1/admin only from the
configured networks; from anywhere else both answer 404 (the ordinary page or
JSON error), managers included. The address judged is the client's after
ProxyFix: a forwarded address counts only when PROXY_FIX_X_FOR trusts the
proxy that set it."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError
from skyframe.models import Role
from skyframe.web.admin_networks import address_allowed, is_admin_path, parse_networks
from tests.conftest import login

OFFICE = "192.0.2.0/24,2001:db8:5::/48"
PATHS = ("/admin/", "/admin/audit", "/api/v1/admin/audit", "/api/v1/admin/reports")


# -- the rule itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("192.0.2.17", True),
        ("192.0.3.1", False),
        ("2001:db8:5::9", True),
        ("2001:db8:6::9", False),
        ("::ffff:192.0.2.17", True),  # an IPv4 client on a dual-stack socket
        ("::ffff:198.51.100.1", False),
        ("", False),
        (None, False),
        ("not an address", False),
    ],
)
def test_an_address_is_inside_or_outside(address, allowed):
    assert address_allowed(address, parse_networks(OFFICE)) is allowed


def test_no_networks_means_anywhere():
    assert parse_networks("") == ()
    assert address_allowed("203.0.113.5", ())
    assert address_allowed(None, ())


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=8, max_value=32))
def test_every_address_of_a_network_is_inside_and_its_neighbours_are_not(number, prefix):
    network = ipaddress.ip_network((number, prefix), strict=False)
    networks = (network,)
    assert address_allowed(str(network.network_address), networks)
    assert address_allowed(str(network.broadcast_address), networks)
    assert address_allowed(f"::ffff:{network.broadcast_address}", networks)
    if int(network.broadcast_address) < 2**32 - 1:
        assert not address_allowed(str(network.broadcast_address + 1), networks)


@pytest.mark.parametrize("path", ["/admin", "/admin/", "/admin/users/x", "/api/v1/admin/audit"])
def test_staff_paths(path):
    assert is_admin_path(path)


@pytest.mark.parametrize("path", ["/administrator", "/api/v1/adminx", "/api/v1/me", "/"])
def test_other_paths(path):
    assert not is_admin_path(path)


@pytest.mark.parametrize("value", ["10.0.0.1/8", "10.0.0.0/33", "office", "10.0.0.0/8;::1"])
def test_an_invalid_setting_stops_the_app_with_a_clear_error(app_factory, value):
    with pytest.raises(ConfigError, match="ADMIN_ALLOWED_NETWORKS: .* is not a network"):
        app_factory(ADMIN_ALLOWED_NETWORKS=value)


# -- through the app -------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    make_user("mod", role=Role.MODERATOR)
    make_user("boss", role=Role.MANAGER)


def signed_in(app, who: str, address: str, **environ):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, **environ})
    assert login(client, who).status_code == 200  # signing in works from anywhere
    return client


def statuses(client) -> list[int]:
    return [client.get(path).status_code for path in PATHS]


@pytest.mark.parametrize("address", ["192.0.2.40", "2001:db8:5:1::40", "::ffff:192.0.2.40"])
def test_a_manager_inside_the_networks_reaches_both(app_factory, staff, address):
    app = app_factory(ADMIN_ALLOWED_NETWORKS=OFFICE)
    client = signed_in(app, "boss", address)
    assert statuses(client) == [200, 200, 200, 200]
    assert 'href="/admin/"' in client.get("/search").get_data(as_text=True)


@pytest.mark.parametrize("address", ["198.51.100.7", "2001:db8:6::40", "::ffff:198.51.100.7"])
@pytest.mark.parametrize("who", ["boss", "mod"])
def test_staff_outside_the_networks_find_nothing(app_factory, staff, address, who):
    app = app_factory(ADMIN_ALLOWED_NETWORKS=OFFICE)
    client = signed_in(app, who, address)
    assert statuses(client) == [404, 404, 404, 404]
    page = client.get("/admin/")
    assert "There is nothing here" in page.get_data(as_text=True)  # the ordinary 404 page
    assert client.get("/api/v1/admin/audit").get_json()["error"]["code"] == "not_found"
    # Writes too, before the CSRF check could answer 400.
    assert client.post("/api/v1/admin/users/mod/suspend", json={}, csrf=False).status_code == 404
    assert client.get("/admin").status_code == 404  # not even the slash redirect
    # The header does not show the way in either; the rest of the site works.
    search = client.get("/search")
    assert search.status_code == 200
    assert 'href="/admin/"' not in search.get_data(as_text=True)


def test_visitors_outside_get_404_not_the_login(app_factory, staff):
    app = app_factory(ADMIN_ALLOWED_NETWORKS=OFFICE)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert client.get("/api/v1/admin/reports").status_code == 404


def test_behind_proxyfix_the_forwarded_address_is_judged(app_factory, staff):
    app = app_factory(ADMIN_ALLOWED_NETWORKS=OFFICE, PROXY_FIX_X_FOR=1)
    # The proxy (127.0.0.1) appends the client's address it saw.
    inside = signed_in(app, "boss", "127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.40")
    assert statuses(inside) == [200, 200, 200, 200]
    outside = signed_in(app, "boss", "192.0.2.40", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert statuses(outside) == [404, 404, 404, 404]
    # A client's own entry before the proxy's is not believed (one proxy trusted).
    forged = signed_in(app, "boss", "127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.40, 198.51.100.7")
    assert statuses(forged) == [404, 404, 404, 404]
    v6 = signed_in(app, "boss", "127.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8:5::40")
    assert statuses(v6) == [200, 200, 200, 200]


def test_without_proxyfix_a_forwarded_header_does_not_help(app_factory, staff):
    app = app_factory(ADMIN_ALLOWED_NETWORKS=OFFICE)
    client = signed_in(app, "boss", "198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.40")
    assert statuses(client) == [404, 404, 404, 404]


def test_inside_the_networks_the_staff_rules_still_apply(app_factory, staff, make_user):
    make_user("vega")
    app = app_factory(ADMIN_ALLOWED_NETWORKS=OFFICE)
    user = signed_in(app, "vega", "192.0.2.40")
    assert user.get("/admin/").status_code == 404
    assert user.get("/api/v1/admin/audit").status_code == 403
    moderator = signed_in(app, "mod", "192.0.2.40")
    assert moderator.get("/admin/audit").status_code == 403  # managers only


def test_an_untrusted_host_from_outside_is_still_the_host_check_s_400(app_factory):
    client = app_factory(ADMIN_ALLOWED_NETWORKS=OFFICE).test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert client.get("/admin/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/v1/admin/audit", headers={"Host": "evil.example"}).status_code == 400
