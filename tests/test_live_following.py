"""Following live (skyframe.live.following, GET /api/v1/live/following, the
Following page's strip and the navigation badge): direct ones first, each
channel once, red and blue counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.live import following
from skyframe.models import Follow, HostingStatus, User, utcnow
from tests.conftest import login
from tests.hosting_helpers import add_target, block, go_live, go_offline

HOSTING = HostingStatus.HOSTING
URL = "/api/v1/live/following"


@pytest.fixture
def people(app, make_user):
    """The viewer ``me`` and others by handle."""
    handles = ["me", "alpha", "bravo", "carina", "delta", "echo", "fornax"]
    made = {handle: make_user(handle).id for handle in handles}
    return made


def follow(*ids, by):
    for followee in ids:
        db.session.add(Follow(follower_id=by, followee_id=followee))
    db.session.commit()


def strip(me_id):
    me = db.session.get(User, me_id)
    found = following.following_live(db.session, me, utcnow())
    items = [(i.channel.handle, i.hosted_by) for i in found.items]
    return items, found.live_count, found.hosted_count


def test_direct_first_then_hosted_without_duplicates(app, people):
    p = people
    with app.app_context():
        go_live(p["alpha"], started_ago=timedelta(hours=2))
        go_live(p["carina"], started_ago=timedelta(minutes=1))  # newer, but hosted
        go_live(p["echo"], started_ago=timedelta(hours=1))
        add_target(p["bravo"], p["carina"], status=HOSTING)  # bravo (offline) hosts carina
        add_target(p["delta"], p["alpha"], status=HOSTING)  # delta hosts alpha, followed directly
        follow(p["alpha"], p["bravo"], p["delta"], p["echo"], by=p["me"])
        assert strip(p["me"]) == ([("echo", None), ("alpha", None), ("carina", "bravo")], 2, 1)


def test_a_channel_two_followed_hosts_host_shows_once(app, people):
    p = people
    with app.app_context():
        go_live(p["carina"])
        add_target(p["delta"], p["carina"], status=HOSTING)
        add_target(p["bravo"], p["carina"], status=HOSTING)
        follow(p["bravo"], p["delta"], by=p["me"])
        assert strip(p["me"]) == ([("carina", "bravo")], 0, 1)


def test_only_hosting_rows_of_offline_hosts_for_live_targets(app, people):
    p = people
    with app.app_context():
        go_live(p["carina"])
        go_live(p["echo"])
        add_target(p["bravo"], p["carina"], status=HostingStatus.READY)  # not hosting
        add_target(p["delta"], p["echo"], status=HOSTING)
        add_target(p["fornax"], p["alpha"], status=HOSTING)  # alpha is offline
        follow(p["bravo"], p["delta"], p["fornax"], by=p["me"])
        assert strip(p["me"]) == ([("echo", "delta")], 0, 1)
        go_live(p["delta"])  # the host went live: at once, before the job runs
        assert strip(p["me"]) == ([("delta", None)], 1, 0)
        go_offline(p["delta"])
        go_offline(p["echo"])  # the target went offline
        assert strip(p["me"]) == ([], 0, 0)


def test_hosted_channels_that_block_me_or_are_disabled_are_left_out(app, people):
    p = people
    with app.app_context():
        go_live(p["carina"])
        go_live(p["echo"])
        add_target(p["bravo"], p["carina"], status=HOSTING)
        add_target(p["delta"], p["echo"], status=HOSTING)
        follow(p["bravo"], p["delta"], by=p["me"])
        block(p["carina"], p["me"])
        db.session.get(User, p["echo"]).disabled = True
        db.session.commit()
        assert strip(p["me"]) == ([], 0, 0)


def test_the_api(app, client, people):
    p = people
    with app.app_context():
        go_live(p["alpha"])
        go_live(p["carina"])
        add_target(p["bravo"], p["carina"], status=HOSTING)
        follow(p["alpha"], p["bravo"], by=p["me"])
    assert client.get(URL).status_code == 401
    login(client, "me")
    body = client.get(URL).get_json()
    assert (body["live_count"], body["hosted_count"]) == (1, 1)
    assert [(i["channel"], i["hosted_by"]) for i in body["items"]] == [
        ("alpha", None),
        ("carina", "bravo"),
    ]
    session = body["items"][1]["session"]
    assert session["owner"]["handle"] == "carina"
    assert session["status"] == "live"


def test_the_api_for_someone_following_nobody(client, people):
    login(client, "me")
    assert client.get(URL).get_json() == {"items": [], "live_count": 0, "hosted_count": 0}


# -- the Following page and the navigation badge ------------------------------------


def badge(page) -> tuple[str, str] | None:
    found = re.search(
        r'data-role="following-badge" data-kind="(\w+)" aria-hidden="true">(\d+)<',
        page.get_data(as_text=True),
    )
    return found and (found.group(1), found.group(2))


def test_the_badge_is_red_for_live_then_blue_for_hosted(app, client, people):
    p = people
    login(client, "me")
    assert badge(client.get("/settings")) is None
    with app.app_context():
        go_live(p["carina"])
        go_live(p["echo"])
        add_target(p["bravo"], p["carina"], status=HOSTING)
        add_target(p["delta"], p["echo"], status=HOSTING)
        follow(p["bravo"], p["delta"], by=p["me"])
    page = client.get("/settings")
    assert badge(page) == ("hosted", "2")
    assert 'aria-label="Following, 2 hosted"' in page.get_data(as_text=True)
    with app.app_context():
        go_live(p["alpha"])
        follow(p["alpha"], by=p["me"])
    page = client.get("/settings")
    assert badge(page) == ("live", "1")  # red wins: the hosted ones are not counted
    assert 'aria-label="Following, 1 live"' in page.get_data(as_text=True)


def test_the_following_page_has_a_live_strip_with_hosted_badges(app, client, people):
    p = people
    with app.app_context():
        go_live(p["alpha"])
        go_live(p["carina"])
        add_target(p["bravo"], p["carina"], status=HOSTING)
        follow(p["alpha"], p["bravo"], by=p["me"])
    login(client, "me")
    page = client.get("/following").get_data(as_text=True)
    assert re.findall(r'data-role="live-strip-item" data-channel="(\w+)"', page) == [
        "alpha",
        "carina",
    ]
    assert page.count('data-role="hosted-badge">Hosted<') == 1
    assert 'href="/live/carina?host=bravo"' in page
    assert 'href="/live/alpha"' in page


def test_no_strip_and_no_badge_when_nobody_is_live(client, people):
    login(client, "me")
    page = client.get("/following").get_data(as_text=True)
    assert 'data-role="live-strip"' not in page
    assert 'data-role="following-badge"' not in page
