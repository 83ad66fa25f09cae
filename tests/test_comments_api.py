"""Comments, comment likes and notifications through the HTTP client."""

from __future__ import annotations

import pytest

from skyframe.extensions import db
from skyframe.models import Comment, PostStatus, Role
from tests.conftest import login


@pytest.fixture
def people(make_user):
    """Vega owns the post; Mira and Lyra talk about it; Mod moderates."""
    return {
        "vega": make_user("vega"),
        "mira": make_user("mira"),
        "lyra": make_user("lyra"),
        "mod": make_user("mod", role=Role.MODERATOR),
    }


@pytest.fixture
def post_id(people, make_post):
    return make_post(people["vega"], title="M42")


@pytest.fixture
def as_user(app):
    clients = {}

    def get(handle):
        if handle not in clients:
            clients[handle] = app.test_client()
            assert login(clients[handle], handle).status_code == 200
        return clients[handle]

    return get


def comment(client, post_id, body="Lovely detail in the core", **extra):
    return client.post(f"/api/v1/posts/{post_id}/comments", json={"body": body, **extra})


def test_a_conversation_pages_oldest_first(client, as_user, post_id):
    mira = as_user("mira")
    made = [comment(mira, post_id, f"Comment {i}").get_json()["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/posts/{post_id}/comments", query_string=query).get_json()
        seen += [item["id"] for item in page["items"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == made
    first = client.get(f"/api/v1/posts/{post_id}/comments").get_json()["items"][0]
    assert first["author"]["handle"] == "mira"
    assert first["liked"] is None
    assert first["can_edit"] is False
    assert client.get(f"/api/v1/posts/{post_id}").get_json()["comment_count"] == 5


def test_comment_cursors_belong_to_their_post(client, as_user, post_id, make_post, people):
    other = make_post(people["vega"])
    for i in range(3):
        comment(as_user("mira"), post_id, f"c{i}")
    cursor = client.get(f"/api/v1/posts/{post_id}/comments?limit=1").get_json()["next_cursor"]
    response = client.get(f"/api/v1/posts/{other}/comments", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_comments_are_created_by_signed_in_users_with_clean_text(client, as_user, post_id):
    assert comment(client, post_id).status_code == 401
    mira = as_user("mira")
    created = comment(mira, post_id, "  Clear skies!\r\n\r\n\r\n  Seeing 2/5  ")
    assert created.status_code == 201
    body = created.get_json()
    assert body["body"] == "Clear skies!\n\n  Seeing 2/5"
    assert body["can_edit"] is True
    assert body["can_delete"] is True
    for bad in ("", "   \n ", "x" * 2001, "bell\x07"):
        response = comment(mira, post_id, bad)
        assert response.status_code == 422, bad
        assert "body" in response.get_json()["error"]["fields"]
    assert mira.post(f"/api/v1/posts/{post_id}/comments", json={"text": "hi"}).status_code == 422
    assert comment(mira, 999_999).status_code == 404


def test_processing_posts_take_no_comments(as_user, make_post, people):
    hidden = make_post(people["vega"], status=PostStatus.PROCESSING)
    assert comment(as_user("mira"), hidden).status_code == 404
    assert as_user("mira").get(f"/api/v1/posts/{hidden}/comments").status_code == 404


def test_replies_point_at_their_parent_on_the_same_post(as_user, post_id, make_post, people):
    mira, lyra = as_user("mira"), as_user("lyra")
    parent = comment(mira, post_id).get_json()["id"]
    reply = comment(lyra, post_id, "Agreed", reply_to=parent).get_json()
    assert reply["reply_to"]["id"] == parent
    assert reply["reply_to"]["author"]["handle"] == "mira"
    elsewhere = make_post(people["vega"])
    response = comment(lyra, elsewhere, "Lost", reply_to=parent)
    assert response.status_code == 422
    assert "reply_to" in response.get_json()["error"]["fields"]
    # Deleting the parent leaves the reply, no longer pointing anywhere.
    assert mira.delete(f"/api/v1/comments/{parent}").status_code == 204
    items = lyra.get(f"/api/v1/posts/{post_id}/comments").get_json()["items"]
    assert [(i["id"], i["reply_to"]) for i in items] == [(reply["id"], None)]


def test_only_the_author_edits(as_user, post_id):
    mine = comment(as_user("mira"), post_id).get_json()["id"]
    url = f"/api/v1/comments/{mine}"
    for other in ("lyra", "vega", "mod"):
        assert as_user(other).patch(url, json={"body": "hijacked"}).status_code == 403
    edited = as_user("mira").patch(url, json={"body": "Better words"})
    assert edited.status_code == 200
    assert edited.get_json()["body"] == "Better words"
    assert edited.get_json()["edited_at"] is not None
    assert as_user("mira").patch(url, json={"body": ""}).status_code == 422
    assert as_user("mira").patch("/api/v1/comments/999999", json={"body": "x"}).status_code == 404


@pytest.mark.parametrize("deleter", ["mira", "vega", "mod"])
def test_author_post_owner_and_moderators_delete(as_user, post_id, deleter):
    mine = comment(as_user("mira"), post_id).get_json()["id"]
    assert as_user("lyra").delete(f"/api/v1/comments/{mine}").status_code == 403
    assert as_user(deleter).delete(f"/api/v1/comments/{mine}").status_code == 204
    assert as_user(deleter).delete(f"/api/v1/comments/{mine}").status_code == 404
    post = as_user("lyra").get(f"/api/v1/posts/{post_id}").get_json()
    assert post["comment_count"] == 0


def test_comment_likes_are_idempotent(as_user, post_id):
    mine = comment(as_user("mira"), post_id).get_json()["id"]
    lyra = as_user("lyra")
    url = f"/api/v1/comments/{mine}/like"
    assert lyra.post(url).get_json() == {"liked": True, "like_count": 1}
    assert lyra.post(url).get_json() == {"liked": True, "like_count": 1}
    listed = lyra.get(f"/api/v1/posts/{post_id}/comments").get_json()["items"][0]
    assert listed["liked"] is True
    assert listed["like_count"] == 1
    assert lyra.delete(url).get_json() == {"liked": False, "like_count": 0}
    assert lyra.delete(url).get_json() == {"liked": False, "like_count": 0}
    assert lyra.post("/api/v1/comments/999999/like").status_code == 404


def test_concurrent_comment_likes_leave_exact_counts(app, post_from_many, as_user, post_id):
    target = comment(as_user("mira"), post_id).get_json()["id"]
    assert post_from_many(f"/api/v1/comments/{target}/like") == {200}
    with app.app_context():
        assert db.session.get(Comment, target).like_count == 6


def notices(client):
    return client.get("/api/v1/notifications").get_json()


def test_likes_follows_comments_and_replies_notify(as_user, post_id):
    mira, lyra, vega = as_user("mira"), as_user("lyra"), as_user("vega")
    for _ in range(2):  # like, unlike, like again: one notification
        mira.post(f"/api/v1/posts/{post_id}/like")
        mira.delete(f"/api/v1/posts/{post_id}/like")
    mira.post(f"/api/v1/posts/{post_id}/like")
    mira.post("/api/v1/users/vega/follow")
    mira.delete("/api/v1/users/vega/follow")
    mira.post("/api/v1/users/vega/follow")
    parent = comment(mira, post_id).get_json()["id"]
    comment(lyra, post_id, "Me too", reply_to=parent)
    vega.post(f"/api/v1/posts/{post_id}/like")  # one's own doing notifies nobody
    comment(vega, post_id, "Thanks!")

    inbox = notices(vega)
    assert [(n["kind"], n["actor"]["handle"]) for n in inbox["items"]] == [
        ("comment", "lyra"),
        ("comment", "mira"),
        ("follow", "mira"),
        ("like", "mira"),
    ]
    assert inbox["unread_count"] == 4
    assert inbox["items"][-1]["message"] == "Mira liked your post"
    assert inbox["items"][-1]["url"] == f"/p/{post_id}"
    reply = notices(mira)["items"]
    assert [(n["kind"], n["actor"]["handle"]) for n in reply] == [("reply", "lyra")]
    assert reply[0]["url"].startswith(f"/p/{post_id}#comment-")


def test_notifications_are_marked_read_some_or_all(as_user, post_id):
    mira, lyra, vega = as_user("mira"), as_user("lyra"), as_user("vega")
    mira.post(f"/api/v1/posts/{post_id}/like")
    lyra.post(f"/api/v1/posts/{post_id}/like")
    mira.post("/api/v1/users/vega/follow")
    items = notices(vega)["items"]
    first = items[0]["id"]
    read = vega.post("/api/v1/notifications/read", json={"ids": [first]})
    assert read.get_json() == {"unread_count": 2}
    assert [n["read"] for n in notices(vega)["items"]] == [True, False, False]
    # Someone else's ids are left alone.
    assert (
        mira.post("/api/v1/notifications/read", json={"ids": [items[1]["id"]]}).status_code == 200
    )
    assert notices(vega)["unread_count"] == 2
    assert vega.post("/api/v1/notifications/read", json={}).get_json() == {"unread_count": 0}
    assert vega.post("/api/v1/notifications/read", json={"ids": ["x"]}).status_code == 422


def test_notifications_page_and_need_a_session(client, as_user, make_post, people):
    assert client.get("/api/v1/notifications").status_code == 401
    mira = as_user("mira")
    for _ in range(5):
        mira.post(f"/api/v1/posts/{make_post(people['vega'])}/like")
    vega = as_user("vega")
    first = vega.get("/api/v1/notifications?limit=3").get_json()
    assert len(first["items"]) == 3
    assert first["has_more"] is True
    rest = vega.get("/api/v1/notifications", query_string={"cursor": first["next_cursor"]})
    ids = [n["id"] for n in first["items"] + rest.get_json()["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 5
    bad = vega.get("/api/v1/notifications", query_string={"cursor": "forged"})
    assert bad.status_code == 400


def test_comments_are_rate_limited_per_user(app_factory, make_user, make_post):
    app = app_factory(COMMENT_LIMIT="2 per minute")
    owner = make_user("owner")
    make_user("chatty")
    post = make_post(owner)
    client = app.test_client()
    login(client, "chatty")
    statuses = [comment(client, post, f"c{i}").status_code for i in range(3)]
    assert statuses == [201, 201, 429]
