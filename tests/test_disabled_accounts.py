"""Disabling an account hides its posts and comments from everyone but staff
(skyframe.policy): every listing leaves them out, for staff too, and a
post's own URLs (page, JSON, files, download, comments) answer 404 except to
moderators and managers. Enabling it brings everything back, counts included."""

from __future__ import annotations

import re

import pytest

from skyframe.extensions import db
from skyframe.models import Post, Role
from tests import media_samples as samples
from tests.conftest import login
from tests.test_posts import upload

VIEWERS = ["visitor", "other", "moderator", "manager"]
STAFF = {"moderator", "manager"}


@pytest.fixture
def scene(app, client, make_user, tmp_path):
    """Vega's capture (real renditions) and comment; three people who follow
    Vega, like and save the capture and have a post Vega commented on, liked
    and whose owner Vega follows; then Vega's account is disabled."""
    make_user("vega")
    for handle, role in (("mira", Role.USER), ("mod", Role.MODERATOR), ("boss", Role.MANAGER)):
        make_user(handle, role=role)
    data = samples.write_image(tmp_path / "m42.jpg", 600, 400).read_bytes()
    login(client, "vega")
    vega_post = upload(client, data, title="Orion Nebula", object="M42", tags="nebula").get_json()
    client.post("/api/v1/auth/logout")
    theirs = {}
    for handle in ("mira", "mod", "boss"):
        login(client, handle)
        client.post("/api/v1/users/vega/follow")
        client.post(f"/api/v1/posts/{vega_post['id']}/like")
        client.post(f"/api/v1/posts/{vega_post['id']}/favorite")
        post = upload(client, data, title=f"Trapezium by {handle}", object="M42").get_json()
        theirs[handle] = post["id"]
        client.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "My own words"})
        client.post("/api/v1/auth/logout")
    login(client, "vega")
    for handle, post_id in theirs.items():
        client.post(f"/api/v1/posts/{post_id}/comments", json={"body": "Vega was here"})
        client.post(f"/api/v1/posts/{post_id}/like")
        client.post(f"/api/v1/users/{handle}/follow")
    client.post(f"/api/v1/posts/{vega_post['id']}/comments", json={"body": "Vega on her own post"})
    client.post("/api/v1/auth/logout")
    result = app.test_cli_runner().invoke(args=["users", "disable", "vega"])
    assert result.exit_code == 0, result.output
    return {"post": vega_post, "theirs": theirs}


def as_viewer(client, who: str):
    handle = {"other": "mira", "moderator": "mod", "manager": "boss"}.get(who)
    if handle:
        login(client, handle)
    return handle


def listings(scene, handle: str | None) -> dict[str, str]:
    """Every listing that could show Vega's post, as the viewer would ask."""
    urls = {
        "api feed": "/api/v1/feed",
        "api search text": "/api/v1/search?q=orion",
        "api search object": "/api/v1/search?object=M42",
        "api search tag": "/api/v1/search?tag=nebula",
        "api search observer": "/api/v1/search?observer=vega",
        "api search category": "/api/v1/search?category=deep-sky&sort=observed",
        "feed page": "/",
        "search page": "/search?q=orion",
        "object page": "/o/NGC1976",
        "tag page": "/t/nebula",
    }
    if handle:
        mine = scene["theirs"][handle]
        urls |= {
            "api following": "/api/v1/feed/following",
            "api saved": "/api/v1/me/favorites",
            "api related": f"/api/v1/posts/{mine}/related",
            "following page": "/following",
            "saved page": "/saved",
            "post page related": f"/p/{mine}",
        }
    return urls


@pytest.mark.parametrize("who", VIEWERS)
def test_listings_leave_a_disabled_accounts_posts_out_for_everyone(client, scene, who):
    handle = as_viewer(client, who)
    post_id = scene["post"]["id"]
    shown = re.compile(rf'/p/{post_id}"|"id": ?{post_id}\b')
    for name, url in listings(scene, handle).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert not shown.search(response.get_data(as_text=True)), f"{name} lists it"


def own_urls(scene) -> dict[str, str]:
    post = scene["post"]
    media = post["media"]
    return {
        "api post": f"/api/v1/posts/{post['id']}",
        "post page": f"/p/{post['id']}",
        "download": f"/p/{post['id']}/download",
        "thumb download": f"/p/{post['id']}/download?size=thumb",
        "display file": media["display"][0]["url"],
        "thumb file": media["thumb"][1]["url"],
        "original file": media["original"]["url"],
        "api comments": f"/api/v1/posts/{post['id']}/comments",
        "api related": f"/api/v1/posts/{post['id']}/related",
        "profile": "/u/vega",
        "avatar": "/u/vega/avatar",
    }


@pytest.mark.parametrize("who", VIEWERS)
def test_a_disabled_accounts_post_urls_are_for_staff_only(client, scene, who):
    as_viewer(client, who)
    expected = 200 if who in STAFF else 404
    for name, url in own_urls(scene).items():
        response = client.get(url)
        assert response.status_code == expected, name
        if expected == 200 and name.endswith("file"):
            assert "public" not in response.headers.get("Cache-Control", ""), name
    if who in STAFF:
        page = client.get("/u/vega").get_data(as_text=True)
        assert f'/p/{scene["post"]["id"]}"' in page  # staff see the profile's posts
        assert "This account is disabled" in page
        post_json = client.get(f"/api/v1/posts/{scene['post']['id']}").get_json()
        assert post_json["media"]["original"] is not None


@pytest.mark.parametrize("who", VIEWERS)
def test_a_disabled_accounts_comments_are_for_staff_only(client, scene, who):
    as_viewer(client, who)
    for handle, post_id in scene["theirs"].items():
        items = client.get(f"/api/v1/posts/{post_id}/comments").get_json()["items"]
        bodies = [item["body"] for item in items]
        page = client.get(f"/p/{post_id}").get_data(as_text=True)
        if who in STAFF:
            assert bodies == ["My own words", "Vega was here"], handle
            assert "Vega was here" in page
        else:
            assert bodies == ["My own words"], handle
            assert "Vega was here" not in page
            # The count says what the listing shows.
            assert client.get(f"/api/v1/posts/{post_id}").get_json()["comment_count"] == 1


def test_a_disabled_accounts_comments_cannot_be_liked_or_answered(client, scene):
    post_id = scene["theirs"]["mira"]
    with client.application.app_context():
        hidden = db.session.execute(
            db.text("SELECT id FROM comments WHERE body = 'Vega was here' AND post_id = :p"),
            {"p": post_id},
        ).scalar_one()
    login(client, "mira")
    assert client.post(f"/api/v1/comments/{hidden}/like").status_code == 404
    reply = client.post(
        f"/api/v1/posts/{post_id}/comments", json={"body": "Hello?", "reply_to": hidden}
    )
    assert reply.status_code == 422
    vega_post = scene["post"]["id"]
    assert client.post(f"/api/v1/posts/{vega_post}/like").status_code == 404
    assert (
        client.post(f"/api/v1/posts/{vega_post}/comments", json={"body": "Hi"}).status_code == 404
    )


@pytest.mark.parametrize("who", ["other", "moderator"])
def test_notifications_of_what_a_disabled_account_did_are_hidden(client, scene, who):
    login(client, "boss")
    client.post(f"/api/v1/posts/{scene['theirs'][{'other': 'mira'}.get(who, 'mod')]}/like")
    client.post("/api/v1/auth/logout")
    as_viewer(client, who)
    listing = client.get("/api/v1/notifications").get_json()
    items = listing["items"]
    assert [item["actor"]["handle"] for item in items] == ["boss"]
    assert all(item["actor"]["handle"] != "vega" for item in items if item["actor"])
    assert listing["unread_count"] == len([item for item in items if not item["read"]])
    html = client.get("/notifications").get_data(as_text=True)
    assert "Vega" not in html


def test_enabling_brings_posts_comments_and_counts_back(app, client, scene):
    post_id = scene["post"]["id"]
    mira_post = scene["theirs"]["mira"]
    assert app.test_cli_runner().invoke(args=["users", "enable", "vega"]).exit_code == 0
    assert client.get(f"/api/v1/posts/{post_id}").status_code == 200
    assert post_id in [item["id"] for item in client.get("/api/v1/feed").get_json()["items"]]
    post = client.get(f"/api/v1/posts/{mira_post}").get_json()
    assert post["comment_count"] == 2
    assert len(client.get(f"/api/v1/posts/{mira_post}/comments").get_json()["items"]) == 2
    assert client.get(f"/api/v1/posts/{post_id}").get_json()["like_count"] == 3
    # Disabling twice, or enabling an enabled account, moves nothing twice.
    runner = app.test_cli_runner()
    for command in ("disable", "disable", "enable", "enable"):
        assert runner.invoke(args=["users", command, "vega"]).exit_code == 0
    assert client.get(f"/api/v1/posts/{mira_post}").get_json()["comment_count"] == 2
    with app.app_context():
        assert not db.session.get(Post, post_id).owner_disabled


def test_staff_deleting_a_hidden_comment_leaves_the_count_right(app, client, scene):
    mira_post = scene["theirs"]["mira"]
    login(client, "mod")
    hidden = next(
        item
        for item in client.get(f"/api/v1/posts/{mira_post}/comments").get_json()["items"]
        if item["body"] == "Vega was here"
    )
    assert client.delete(f"/api/v1/comments/{hidden['id']}").status_code == 204
    assert app.test_cli_runner().invoke(args=["users", "enable", "vega"]).exit_code == 0
    assert client.get(f"/api/v1/posts/{mira_post}").get_json()["comment_count"] == 1


def test_the_feeds_kept_candidates_do_not_bring_a_hidden_post_back(app, client, scene):
    """Candidates kept between pages (feed.ahead) were chosen before the
    account was disabled: the page drops them."""
    assert app.test_cli_runner().invoke(args=["users", "enable", "vega"]).exit_code == 0
    login(client, "mira")
    first = client.get("/api/v1/feed?limit=1").get_json()
    assert app.test_cli_runner().invoke(args=["users", "disable", "vega"]).exit_code == 0
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/feed", query_string={"limit": 1, "cursor": cursor}).get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if len(seen) > 20:
            break
    assert scene["post"]["id"] not in seen[1:]
