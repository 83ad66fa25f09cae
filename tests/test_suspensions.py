"""A suspended account cannot post, comment or reply, through any door, but
can sign in, read, like, save, follow, report, and edit or delete its own."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import Comment, User, utcnow
from tests import media_samples as samples
from tests.conftest import login

MESSAGE = "Your account is suspended"


@pytest.fixture
def suspend(app):
    def run(user, *, until=None, by_strikes=False):
        with app.app_context():
            stored = db.session.get(User, user.id)
            if by_strikes:
                stored.strike_suspended = True
            else:
                stored.suspended_at = utcnow()
                stored.suspended_until = until
                stored.suspension_reason = "Adverts"
            db.session.commit()

    return run


@pytest.fixture
def scene(app, client, make_user, make_post):
    """Vega (suspended) owns a post and a comment on Mira's post."""
    vega, mira = make_user("vega"), make_user("mira")
    own_post = make_post(vega, title="Mine")
    other_post = make_post(mira, title="Hers")
    with app.app_context():
        comment = Comment(post_id=other_post, author_id=vega.id, body="Before.")
        mira_comment = Comment(post_id=other_post, author_id=mira.id, body="Hello")
        db.session.add_all([comment, mira_comment])
        db.session.commit()
        ids = {"comment": comment.id, "mira_comment": mira_comment.id}
    return {"vega": vega, "own": own_post, "other": other_post, **ids}


def jpeg(tmp_path) -> bytes:
    return samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()


def upload_form(data: bytes) -> dict:
    return {"file": (io.BytesIO(data), "m31.jpg"), "title": "M31", "category": "deep-sky"}


@pytest.mark.parametrize("how", ["staff", "strikes"])
def test_a_suspended_account_cannot_post_comment_or_reply(client, scene, suspend, tmp_path, how):
    suspend(scene["vega"], by_strikes=how == "strikes")
    assert login(client, "vega").status_code == 200
    refused = client.post(
        "/api/v1/posts", data=upload_form(jpeg(tmp_path)), content_type="multipart/form-data"
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "suspended"
    url = f"/api/v1/posts/{scene['other']}/comments"
    comment = client.post(url, json={"body": "Nice"})
    assert (comment.status_code, comment.get_json()["error"]["code"]) == (403, "suspended")
    reply = client.post(url, json={"body": "Nice", "reply_to": scene["mira_comment"]})
    assert (reply.status_code, reply.get_json()["error"]["code"]) == (403, "suspended")


def test_the_html_doors_say_so(client, scene, suspend, tmp_path):
    suspend(scene["vega"], until=utcnow() + timedelta(days=1))
    login(client, "vega")
    page = client.get("/upload")
    assert page.status_code == 200
    assert MESSAGE in page.get_data(as_text=True)
    refused = client.post(
        "/upload", data=upload_form(jpeg(tmp_path)), content_type="multipart/form-data"
    )
    assert refused.status_code == 403
    assert "you cannot post or comment" in refused.get_data(as_text=True)
    answer = client.post(f"/p/{scene['other']}/comments", data={"body": "Nice"})
    assert answer.status_code == 302
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert MESSAGE in shown
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 2


def test_a_suspended_account_still_reads_reacts_and_tends_its_own(client, scene, suspend):
    suspend(scene["vega"])
    login(client, "vega")
    other, own = scene["other"], scene["own"]
    assert client.get("/api/v1/feed").status_code == 200
    assert client.get(f"/api/v1/posts/{other}").status_code == 200
    assert client.post(f"/api/v1/posts/{other}/like").status_code == 200
    assert client.post(f"/api/v1/posts/{other}/favorite").status_code == 200
    assert client.post("/api/v1/users/mira/follow").status_code == 200
    comment_url = f"/api/v1/comments/{scene['comment']}"
    assert client.patch(comment_url, json={"body": "Edited."}).status_code == 200
    assert client.delete(comment_url).status_code == 204
    assert client.patch(f"/api/v1/posts/{own}", json={"title": "Renamed"}).status_code == 200
    assert client.delete(f"/api/v1/posts/{own}").status_code == 204


def test_a_suspension_that_ended_no_longer_holds(app, client, scene, suspend):
    suspend(scene["vega"], until=utcnow() + timedelta(seconds=1))
    with app.app_context():
        stored = db.session.get(User, scene["vega"].id)
        stored.suspended_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    login(client, "vega")
    url = f"/api/v1/posts/{scene['other']}/comments"
    assert client.post(url, json={"body": "Back again"}).status_code == 201


def test_the_standing_page_says_until_when_and_why(client, scene, suspend):
    until = utcnow() + timedelta(days=2)
    suspend(scene["vega"], until=until)
    login(client, "vega")
    assert 'href="/settings/standing"' in client.get("/settings").get_data(as_text=True)
    page = client.get("/settings/standing").get_data(as_text=True)
    assert (
        f'until {until:%Y-%m-%d %H:%M} UTC by a moderator: <span dir="auto">Adverts</span>' in page
    )
    assert "No strikes." in page
    assert "No posts removed." in page


def test_the_standing_page_is_for_signed_in_users(client):
    assert client.get("/settings/standing").status_code == 302
