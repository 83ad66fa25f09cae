"""Where a viewer of a hosting channel goes, and its banners
(skyframe.live.hosting.redirects and /live/<handle>)."""

from __future__ import annotations

import re

import pytest

from skyframe.extensions import db
from skyframe.live.hosting import redirects
from skyframe.models import HostingStatus, User
from tests.conftest import login
from tests.hosting_helpers import add_target, go_live, go_offline, qualify

HOSTING = HostingStatus.HOSTING


@pytest.fixture
def hosting(app, make_user):
    """``host`` (offline) hosting ``vega`` (live); ``viewer`` a third user."""
    host, vega, viewer = make_user("host"), make_user("vega"), make_user("viewer")
    with app.app_context():
        for user in (host, vega):
            qualify(user.id)
        go_live(vega.id)
        add_target(host.id, vega.id, status=HOSTING)
    return host.id, vega.id, viewer.id


def users(*ids):
    return [db.session.get(User, user_id) for user_id in ids]


def where(viewer, owner, follow=True):
    found = redirects.where_to(db.session, viewer, owner, follow)
    return found and found.handle


def test_a_viewer_of_an_offline_host_goes_to_its_live_target(app, hosting):
    with app.app_context():
        host, _, viewer = users(*hosting)
        assert where(viewer, host) == "vega"
        assert where(None, host) == "vega"  # visitors too


def test_the_owner_is_never_redirected(app, hosting):
    with app.app_context():
        host, _, _ = users(*hosting)
        assert where(host, host) is None


def test_follow_host_false_never_redirects(app, hosting):
    with app.app_context():
        host, _, viewer = users(*hosting)
        assert where(viewer, host, follow=False) is None


def test_a_host_that_went_live_stops_redirecting_before_the_job_runs(app, hosting):
    host_id, _vega_id, _ = hosting
    with app.app_context():
        go_live(host_id)
        host, _, viewer = users(*hosting)
        assert where(viewer, host) is None
        assert (
            redirects.banner(db.session, viewer, host, host_handle=None, follow_host=False) is None
        )


def test_a_target_that_went_offline_is_not_followed(app, hosting):
    _host_id, vega_id, _ = hosting
    with app.app_context():
        go_offline(vega_id)
        host, vega, viewer = users(*hosting)
        assert where(viewer, host) is None
        assert (
            redirects.banner(db.session, viewer, vega, host_handle="host", follow_host=True) is None
        )


def test_only_a_hosting_row_redirects(app, hosting):
    _host_id, _vega_id, _ = hosting
    with app.app_context():
        row = db.session.query(redirects.HostingTarget).one()
        row.status = HostingStatus.READY
        db.session.commit()
        host, _, viewer = users(*hosting)
        assert where(viewer, host) is None


def test_the_banners(app, hosting):
    with app.app_context():
        host, vega, viewer = users(*hosting)
        hosted = redirects.banner(db.session, viewer, vega, host_handle="HOST", follow_host=True)
        assert (hosted.kind, hosted.host.handle, hosted.target.handle) == ("hosted", "host", "vega")
        assert hosted.text == "@host is hosting @vega"
        stayed = redirects.banner(db.session, viewer, host, host_handle=None, follow_host=False)
        assert (stayed.kind, stayed.text) == ("hosting", "@host is hosting @vega")
        own = redirects.banner(db.session, host, host, host_handle=None, follow_host=True)
        assert own.kind == "hosting"
        # Not from a host hosting this page: no banner.
        assert (
            redirects.banner(db.session, viewer, vega, host_handle="viewer", follow_host=True)
            is None
        )
        assert (
            redirects.banner(db.session, viewer, vega, host_handle="nobody", follow_host=True)
            is None
        )
        assert (
            redirects.banner(db.session, viewer, vega, host_handle=None, follow_host=True) is None
        )


# -- through the channel page ---------------------------------------------------------


def banner_text(response) -> str | None:

    page = response.get_data(as_text=True)
    found = re.search(r'data-role="hosting-banner-text">(.*?)</span>', page)
    return found and re.sub(r"<[^>]+>", "", found.group(1))


def test_a_visitor_is_sent_to_the_target_with_the_hosted_banner(client, hosting):
    response = client.get("/live/host")
    assert response.status_code == 302
    assert response.headers["Location"] == "/live/vega?host=host"
    page = client.get("/live/vega?host=host")
    assert page.status_code == 200
    assert banner_text(page) == "@host is hosting @vega"
    text = page.get_data(as_text=True)
    assert 'data-kind="hosted"' in text
    assert 'href="/live/host?follow_host=false"' in text  # Return to host
    assert "Return to host" in text


def test_return_to_host_stays_and_offers_go_there(client, hosting):
    page = client.get("/live/host?follow_host=false")
    assert page.status_code == 200
    assert banner_text(page) == "@host is hosting @vega"
    text = page.get_data(as_text=True)
    assert 'data-kind="hosting"' in text
    assert 'href="/live/vega?host=host"' in text
    assert "Go there" in text


def test_the_owner_stays_on_their_channel_and_sees_where_it_sends(client, hosting):
    login(client, "host")
    page = client.get("/live/host")
    assert page.status_code == 200
    assert 'data-kind="hosting"' in page.get_data(as_text=True)


def test_a_signed_in_viewer_is_redirected_too(client, hosting):
    login(client, "viewer")
    assert client.get("/live/HOST").headers["Location"] == "/live/vega?host=host"


def test_no_redirect_once_the_host_is_live_or_the_target_offline(app, client, hosting):
    host_id, vega_id, _ = hosting
    with app.app_context():
        go_offline(vega_id)
    assert client.get("/live/host").status_code == 200
    assert banner_text(client.get("/live/vega?host=host")) is None
    with app.app_context():
        go_live(vega_id)
        go_live(host_id)
    page = client.get("/live/host")
    assert page.status_code == 200
    assert banner_text(page) is None


def test_a_forged_host_parameter_shows_no_banner(client, hosting):
    for host in ("viewer", "nobody", "vega", "x" * 300):
        page = client.get("/live/vega", query_string={"host": host})
        assert page.status_code == 200
        assert banner_text(page) is None
