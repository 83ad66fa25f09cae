"""Where a viewer of a hosting channel goes, and its banners
(skyframe.live.hosting.redirects and /live/<handle>)."""

from __future__ import annotations

import pytest

from skyframe.extensions import db
from skyframe.live.hosting import redirects
from skyframe.models import HostingStatus, User
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
