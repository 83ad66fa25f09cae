"""Blocks and timeouts: POST|DELETE /api/v1/users/<handle>/block, GET /api/v1/me/blocks,
and what a block keeps apart (follows, comments, feeds, suggestions, notifications)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from skyframe.extensions import db
from skyframe.feed import selector
from skyframe.models import Post, User, utcnow
from skyframe.services import feed_settings
from skyframe.social import blocks
from tests.conftest import login

HOUR = timedelta(hours=1)


@pytest.fixture
def pair(app, make_user, client):
    """ada (signed in on ``client``) and bob."""
    ada = make_user("ada")
    bob = make_user("bob")
    login(client, "ada")
    return ada, bob


def signed_in(app, handle):
    other = app.test_client()
    login(other, handle)
    return other


def ids(page):
    return [item["id"] for item in page["items"]]


def feed_ids(client, pages=5):
    found, cursor = [], None
    for _ in range(pages):
        query = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/feed", query_string=query).get_json()
        found += ids(body)
        cursor = body["next_cursor"]
        if not cursor:
            break
    return found


def test_block_unblock_and_the_list(client, pair):
    response = client.post("/api/v1/users/bob/block", json={})
    assert response.status_code == 200
    assert response.get_json() == {"blocked": True, "until": None}
    # Idempotent: again is the same block; an until turns it into a timeout.
    until = (utcnow() + HOUR).replace(microsecond=0)
    again = client.post("/api/v1/users/BOB/block", json={"until": until.isoformat()})
    assert again.status_code == 200
    assert again.get_json()["until"].startswith(until.strftime("%Y-%m-%dT%H:%M:%S"))
    listed = client.get("/api/v1/me/blocks").get_json()
    assert [item["user"]["handle"] for item in listed["items"]] == ["bob"]
    assert listed["items"][0]["until"] is not None
    assert listed["has_more"] is False
    assert client.delete("/api/v1/users/bob/block").get_json() == {
        "blocked": False,
        "until": None,
    }
    assert client.delete("/api/v1/users/bob/block").status_code == 200
    assert client.get("/api/v1/me/blocks").get_json()["items"] == []


def test_the_list_is_keyset_paginated(client, pair, make_user):
    for i in range(3):
        make_user(f"pest{i}")
        client.post(f"/api/v1/users/pest{i}/block", json={})
    first = client.get("/api/v1/me/blocks?limit=2").get_json()
    assert len(first["items"]) == 2
    assert first["has_more"]
    rest = client.get("/api/v1/me/blocks", query_string={"cursor": first["next_cursor"]})
    handles = [i["user"]["handle"] for i in first["items"] + rest.get_json()["items"]]
    assert sorted(handles) == ["pest0", "pest1", "pest2"]


def test_refusals(client, pair, make_user):
    assert client.post("/api/v1/users/ada/block", json={}).status_code == 422
    assert client.post("/api/v1/users/nobody/block", json={}).status_code == 404
    make_user("gone", disabled=True)
    assert client.post("/api/v1/users/gone/block", json={}).status_code == 404
    past = (utcnow() - HOUR).isoformat()
    response = client.post("/api/v1/users/bob/block", json={"until": past})
    assert response.status_code == 422
    assert "until" in response.get_json()["error"]["fields"]
    anonymous = client.application.test_client()
    assert anonymous.get("/api/v1/me/blocks").status_code == 401


def test_blocking_ends_follows_both_ways_and_refuses_new_ones(app, client, pair):
    bob = signed_in(app, "bob")
    assert client.post("/api/v1/users/bob/follow").status_code == 200
    assert bob.post("/api/v1/users/ada/follow").status_code == 200
    client.post("/api/v1/users/bob/block", json={})
    refused = bob.post("/api/v1/users/ada/follow")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "blocked"
    assert client.post("/api/v1/users/bob/follow").status_code == 403
    counts = bob.delete("/api/v1/users/ada/follow").get_json()
    assert counts["follower_count"] == 0
    assert counts["following_count"] == 0
    client.delete("/api/v1/users/bob/block")
    assert bob.post("/api/v1/users/ada/follow").get_json()["follower_count"] == 1


def test_the_blocked_cannot_comment_or_reply_and_their_comments_are_hidden(
    app, client, pair, make_user, make_post
):
    ada, _ = pair
    carol = make_user("carol")
    mine = make_post(ada)
    theirs = make_post(carol)
    bob = signed_in(app, "bob")
    earlier = bob.post(f"/api/v1/posts/{theirs}/comments", json={"body": "Lovely"}).get_json()
    ada_said = client.post(f"/api/v1/posts/{theirs}/comments", json={"body": "Thanks"}).get_json()
    client.post("/api/v1/users/bob/block", json={})

    refused = bob.post(f"/api/v1/posts/{mine}/comments", json={"body": "Hi"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "blocked"
    reply = {"body": "Hm", "reply_to": ada_said["id"]}
    assert bob.post(f"/api/v1/posts/{theirs}/comments", json=reply).status_code == 403
    # Elsewhere bob still comments; ada does not see bob's comments, others do.
    assert bob.post(f"/api/v1/posts/{theirs}/comments", json={"body": "Ok"}).status_code == 201
    seen_by_ada = ids(client.get(f"/api/v1/posts/{theirs}/comments").get_json())
    assert seen_by_ada == [ada_said["id"]]
    seen_by_carol = ids(signed_in(app, "carol").get(f"/api/v1/posts/{theirs}/comments").get_json())
    assert earlier["id"] in seen_by_carol
    assert len(seen_by_carol) == 3
    # The counter is the post's, the same for everyone (the rule of blocks).
    assert client.get(f"/api/v1/posts/{theirs}").get_json()["comment_count"] == 3


def test_neither_sees_the_other_in_the_feed(app, client, pair, make_user, make_post):
    ada, bob_user = pair
    carol = make_user("carol")
    adas = {make_post(ada, age=timedelta(minutes=i)) for i in range(3)}
    bobs = {make_post(bob_user, age=timedelta(minutes=i)) for i in range(3)}
    carols = {make_post(carol, age=timedelta(minutes=i)) for i in range(3)}
    bob = signed_in(app, "bob")
    client.post(f"/api/v1/posts/{min(bobs)}/like")  # liked: the prioritised pool
    assert bobs & set(feed_ids(client))
    client.post("/api/v1/users/bob/block", json={})
    assert not bobs & set(feed_ids(signed_in(app, "ada")))
    assert carols <= set(feed_ids(signed_in(app, "ada")))
    assert not adas & set(feed_ids(bob))
    # Following: no follows are left between them.
    assert bob.get("/api/v1/feed/following").get_json()["items"] == []


def test_the_random_fallback_leaves_them_out_too(app_factory, make_user, make_post):
    app = app_factory(FEED_FRESH_DAYS=1, FEED_SEEN_ENABLED=False)
    ada, bob = make_user("ada"), make_user("bob")
    carol = make_user("carol")
    bobs = {make_post(bob, age=timedelta(days=5 + i)) for i in range(3)}
    carols = {make_post(carol, age=timedelta(days=5 + i)) for i in range(3)}
    client = signed_in(app, "ada")
    client.post("/api/v1/users/bob/block", json={})
    found = set(ids(client.get("/api/v1/feed").get_json()))
    assert found
    assert found <= carols
    assert not found & bobs
    assert ada.id


def test_a_page_costs_the_same_statements_with_blocks_or_without(app, make_user, make_post):
    ada, bob = make_user("ada"), make_user("bob")
    others = [make_user(f"astro{n}") for n in range(5)]
    for i in range(3):
        for uploader in [bob, *others]:
            make_post(uploader, age=timedelta(minutes=i))
    settings = feed_settings

    def statements_for_a_page(viewer_id):
        count = 0

        def counted(*_):
            nonlocal count
            count += 1

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", counted)
            try:
                page = selector.viewer_page(db.session, viewer_id, settings(), None, 5, utcnow())
            finally:
                event.remove(db.engine, "before_cursor_execute", counted)
        return count, page

    without, _ = statements_for_a_page(ada.id)
    with app.app_context():
        blocks.block(db.session, db.session.get(User, ada.id), bob, until=None, now=utcnow())
        db.session.commit()
    with_blocks, page = statements_for_a_page(ada.id)
    assert with_blocks == without == 1
    with app.app_context():
        owners = {db.session.get(Post, i).owner_id for i in page.post_ids}
    assert len(page.post_ids) == 5
    assert bob.id not in owners


def test_a_timeout_ends_by_itself(app, client, pair, make_post):
    ada, bob = pair
    bobs = {make_post(bob, age=timedelta(minutes=i)) for i in range(3)}
    until = utcnow() + HOUR
    client.post("/api/v1/users/bob/block", json={"until": until.isoformat()})
    with app.app_context():
        later = until + timedelta(seconds=1)
        assert blocks.between(db.session, ada.id, {bob.id}, utcnow())
        assert not blocks.between(db.session, ada.id, {bob.id}, later)
        now_page = selector.viewer_page(db.session, ada.id, feed_settings(), None, 10, utcnow())
        later_page = selector.viewer_page(db.session, ada.id, feed_settings(), None, 10, later)
        assert not bobs & set(now_page.post_ids)
        assert bobs & set(later_page.post_ids)
        assert (
            blocks.blocks_of(db.session, db.session.get(User, ada.id), later, limit=5, after=None)
            == []
        )


def test_suggestions_and_notifications(app, client, pair, make_post):
    ada, _ = pair
    bob = signed_in(app, "bob")
    post_id = make_post(ada)
    bob.post(f"/api/v1/posts/{post_id}/like")
    assert client.get("/api/v1/notifications").get_json()["unread_count"] == 1
    assert [u["handle"] for u in bob.get("/api/v1/users/suggest?q=ad").get_json()["items"]] == [
        "ada"
    ]
    client.post("/api/v1/users/bob/block", json={})
    shown = client.get("/api/v1/notifications").get_json()
    assert shown["items"] == []
    assert shown["unread_count"] == 0
    assert bob.get("/api/v1/users/suggest?q=ad").get_json()["items"] == []
    assert client.get("/api/v1/users/suggest?q=bo").get_json()["items"] == []
    anonymous = app.test_client()
    assert [
        u["handle"] for u in anonymous.get("/api/v1/users/suggest?q=bo").get_json()["items"]
    ] == ["bob"]


def test_blocking_from_the_profile_page_and_unblocking_in_settings(app, client, pair):
    page = client.get("/u/bob").get_data(as_text=True)
    assert 'value="block"' in page
    assert "Time out for a day" in page
    response = client.post("/u/bob/block", data={"action": "block", "for": "1d"})
    assert response.status_code == 302
    listed = client.get("/api/v1/me/blocks").get_json()["items"]
    assert [i["user"]["handle"] for i in listed] == ["bob"]
    assert listed[0]["until"]
    assert "Unblock" in client.get("/u/bob").get_data(as_text=True)
    settings = client.get("/settings/blocks").get_data(as_text=True)
    assert "@bob" in settings
    assert "until" in settings
    back = client.post("/u/bob/block", data={"action": "unblock", "next": "/settings/blocks"})
    assert back.headers["Location"].endswith("/settings/blocks")
    assert "You block nobody." in client.get("/settings/blocks").get_data(as_text=True)
    assert client.post("/u/ada/block", data={"action": "block"}).status_code == 302  # flashed
    assert client.get("/api/v1/me/blocks").get_json()["items"] == []


def test_a_block_reaches_a_feed_already_under_way(app, client, pair, make_user, make_post):
    """Candidates kept a few pages ahead (skyframe.feed.ahead) are not used
    once a block changed after they were fetched."""
    _, bob = pair
    others = [make_user(f"astro{n}") for n in range(4)]
    bobs = set()
    for i in range(5):
        bobs.add(make_post(bob, age=timedelta(minutes=i)))
        for uploader in others:
            make_post(uploader, age=timedelta(minutes=i))
    first = client.get("/api/v1/feed?limit=4").get_json()
    client.post("/api/v1/users/bob/block", json={})
    later, cursor = [], first["next_cursor"]
    for _ in range(4):
        body = client.get("/api/v1/feed", query_string={"limit": 4, "cursor": cursor}).get_json()
        later += ids(body)
        cursor = body["next_cursor"]
    assert later
    assert not bobs & set(later)


def test_a_block_refuses_likes_of_posts_and_comments_but_not_undoing_them(
    app, client, pair, make_post
):
    ada, _ = pair
    mine = make_post(ada)
    bob = signed_in(app, "bob")
    assert bob.post(f"/api/v1/posts/{mine}/like").status_code == 200
    comment = client.post(f"/api/v1/posts/{mine}/comments", json={"body": "M31"}).get_json()
    client.post("/api/v1/users/bob/block", json={})

    for path in (f"/api/v1/posts/{mine}/like", f"/api/v1/comments/{comment['id']}/like"):
        refused = bob.post(path)
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "blocked"
    assert bob.delete(f"/api/v1/posts/{mine}/like").get_json() == {"liked": False, "like_count": 0}
    # The blocker is refused the same way: a block keeps both apart.
    with app.app_context():
        bobs = make_post(db.session.query(User).filter_by(handle="bob").one())
    assert client.post(f"/api/v1/posts/{bobs}/like").status_code == 403


def test_the_like_form_says_why_it_was_refused(app, client, pair, make_post):
    ada, _ = pair
    mine = make_post(ada)
    bob = signed_in(app, "bob")
    client.post("/api/v1/users/bob/block", json={})
    response = bob.post(f"/p/{mine}/like", data={}, follow_redirects=True)
    assert response.status_code == 200
    assert "one of you has blocked the other" in response.get_data(as_text=True)
