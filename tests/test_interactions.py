"""Likes, favourites and follows: idempotent, counts exact under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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


def test_concurrent_likes_leave_exact_counts(app, make_user, post_id):
    from skyframe.extensions import db
    from skyframe.models import Post, PostLike

    handles = [f"fan{i}" for i in range(6)]
    for handle in handles:
        make_user(handle)

    def like_many_times(handle):
        client = app.test_client()
        login(client, handle)
        return [client.post(f"/api/v1/posts/{post_id}/like").status_code for _ in range(3)]

    # Six users, each liking three times, all at once.
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [s for result in pool.map(like_many_times, handles) for s in result]
    assert set(statuses) == {200}
    with app.app_context():
        assert db.session.get(Post, post_id).like_count == 6
        assert db.session.query(PostLike).count() == 6
