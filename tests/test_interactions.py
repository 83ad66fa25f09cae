"""Likes, favourites and follows: idempotent, counts exact under concurrency."""

from __future__ import annotations

import pytest

from tests import media_samples as samples
from tests.conftest import login
from tests.test_posts import upload


@pytest.fixture
def post_id(client, make_user, tmp_path):
    make_user("vega")
    login(client, "vega")
    data = samples.write_image(tmp_path / "m31.jpg", 300, 200).read_bytes()
    post = upload(client, data).get_json()
    client.post("/api/v1/auth/logout")
    return post["id"]


@pytest.fixture
def fan(client, make_user, post_id):
    """Mira, signed in, and Vega's post to like."""
    make_user("mira")
    login(client, "mira")
    return client


@pytest.mark.parametrize(
    ("kind", "flag", "count"),
    [("like", "liked", "like_count"), ("favorite", "favorited", "favorite_count")],
)
def test_liking_and_saving_are_idempotent(fan, post_id, kind, flag, count):
    url = f"/api/v1/posts/{post_id}/{kind}"
    assert fan.post(url).get_json() == {flag: True, count: 1}
    assert fan.post(url).get_json() == {flag: True, count: 1}
    post = fan.get(f"/api/v1/posts/{post_id}").get_json()
    assert post[flag] is True
    assert post[count] == 1
    assert fan.delete(url).get_json() == {flag: False, count: 0}
    assert fan.delete(url).get_json() == {flag: False, count: 0}


def test_anonymous_visitors_see_counts_without_flags(client, post_id):
    post = client.get(f"/api/v1/posts/{post_id}").get_json()
    assert post["like_count"] == 0
    assert post["liked"] is None
    assert client.post(f"/api/v1/posts/{post_id}/like").status_code == 401


def test_following_is_idempotent_and_not_of_oneself(fan):
    assert fan.post("/api/v1/users/VEGA/follow").get_json()["follower_count"] == 1
    assert fan.post("/api/v1/users/vega/follow").get_json()["follower_count"] == 1
    assert fan.delete("/api/v1/users/vega/follow").get_json() == {
        "following": False,
        "follower_count": 0,
        "following_count": 0,
    }
    assert fan.delete("/api/v1/users/vega/follow").status_code == 200
    assert fan.post("/api/v1/users/mira/follow").status_code == 422
    assert fan.post("/api/v1/users/nobody/follow").status_code == 404


def test_unknown_posts_cannot_be_liked(fan):
    assert fan.post("/api/v1/posts/9999/like").status_code == 404


def test_concurrent_likes_leave_exact_counts(app, post_from_many, post_id):
    from skyframe.extensions import db
    from skyframe.models import Post, PostLike

    assert post_from_many(f"/api/v1/posts/{post_id}/like") == {200}
    with app.app_context():
        assert db.session.get(Post, post_id).like_count == 6
        assert db.session.query(PostLike).count() == 6


@pytest.fixture
def saved_five(app, client, make_user, tmp_path):
    """Mira saved five of Vega's posts (oldest saved first)."""
    make_user("vega")
    make_user("mira")
    login(client, "vega")
    data = samples.write_image(tmp_path / "s.jpg", 120, 80).read_bytes()
    ids = [upload(client, data, title=f"Capture {i}").get_json()["id"] for i in range(5)]
    client.post("/api/v1/auth/logout")
    login(client, "mira")
    for post_id in ids:
        client.post(f"/api/v1/posts/{post_id}/favorite")
    return ids


def test_saved_list_pages_through_without_duplicates(client, saved_five):
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/me/favorites", query_string=query).get_json()
        pages += 1
        seen += [item["id"] for item in page["items"]]
        assert all(item["favorited"] for item in page["items"])
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3
    assert seen == list(reversed(saved_five))  # most recently saved first


def test_unsaving_removes_from_the_list(client, saved_five):
    client.delete(f"/api/v1/posts/{saved_five[0]}/favorite")
    items = client.get("/api/v1/me/favorites").get_json()["items"]
    assert saved_five[0] not in [item["id"] for item in items]


@pytest.mark.parametrize("cursor", ["garbage", "WyIyMDI2LTAxLTAxIiwgMV0", "a" * 400])
def test_forged_cursors_are_400(client, saved_five, cursor):
    response = client.get("/api/v1/me/favorites", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_page_size_is_capped(client, saved_five):
    assert client.get("/api/v1/me/favorites?limit=500").status_code == 422


def test_saved_list_costs_the_same_queries_for_any_page_size(app, client, saved_five):
    from sqlalchemy import event

    from skyframe.extensions import db

    def count_queries(limit):
        statements = []
        with app.app_context():
            engine = db.engine

        def record(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", record)
        try:
            client.get("/api/v1/me/favorites", query_string={"limit": limit})
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    assert count_queries(1) == count_queries(5)


def test_a_page_of_posts_comes_with_the_viewers_flags_in_the_same_query(app, make_user, make_post):
    from sqlalchemy import event

    from skyframe.extensions import db
    from skyframe.models import Post, User
    from skyframe.posts import views as post_views
    from skyframe.posts.views import load_post_views, load_post_views_for
    from skyframe.social import interactions

    viewer, followed, other = make_user("viewer"), make_user("followed"), make_user("other")
    liked, saved, plain, theirs = (
        make_post(other),
        make_post(other),
        make_post(other),
        make_post(followed),
    )
    ids = [theirs, plain, saved, liked]
    with app.app_context():
        reader = db.session.get(User, viewer.id)
        interactions.set_like(db.session, reader, db.session.get(Post, liked), True)
        interactions.set_saved(db.session, reader, db.session.get(Post, saved), True)
        interactions.set_follow(db.session, reader, db.session.get(User, followed.id), True)
        db.session.commit()
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        views, flags = load_post_views_for(db.session, ids, viewer.id)
        assert len(statements) == 1
        assert views == load_post_views(db.session, ids)
        assert [view.id for view in views] == ids
        assert flags == post_views.viewer_flags(db.session, reader, views)
        assert flags == post_views.ViewerFlags(
            liked=frozenset({liked}),
            saved=frozenset({saved}),
            following=frozenset({followed.id}),
        )
        # Someone who has done nothing to them gets no flags.
        assert load_post_views_for(db.session, ids, other.id)[1] == post_views.ViewerFlags()
