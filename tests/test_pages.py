"""The server-rendered pages of the front end: the feeds' first page, profiles,
Saved, notifications. They work without JavaScript."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import Follow, PostSave, PostStatus
from tests import media_samples as samples
from tests.conftest import login
from tests.test_posts import upload

pytestmark = pytest.mark.one_database


def feed_items(html: str) -> list[dict]:
    found = re.search(
        r'<script type="application/json" id="feed-items" nonce="[^"]+">(.*?)</script>', html, re.S
    )
    assert found, "the first page's data is in the page"
    return json.loads(found.group(1))


def card_ids(html: str) -> list[int]:
    return [
        int(i)
        for i in re.findall(
            r'<article class="feed-card" data-index="\d+" data-post-id="(\d+)"', html
        )
    ]


@pytest.fixture
def uploaded(client, make_user, tmp_path):
    """Vega's capture with real renditions."""
    make_user("vega")
    login(client, "vega")
    data = samples.write_image(tmp_path / "m42.jpg", 600, 400).read_bytes()
    post = upload(client, data, title="Orion Nebula", object="M42").get_json()
    client.post("/api/v1/auth/logout")
    return post


def test_the_feed_page_carries_its_first_page_and_the_first_image_is_prioritised(
    client, uploaded, make_user, make_post
):
    owner = make_user("hubble")
    older = [make_post(owner, title=f"Old {n}", age=timedelta(hours=n + 1)) for n in range(3)]
    html = client.get("/").get_data(as_text=True)
    assert card_ids(html) == [uploaded["id"], *older]
    assert [item["id"] for item in feed_items(html)] == card_ids(html)
    assert html.count('fetchpriority="high"') == 2  # the first <img> and its preload
    first_img = re.search(r'<img data-role="image"[^>]*>', html).group(0)
    assert 'fetchpriority="high"' in first_img
    assert 'loading="eager"' in first_img
    assert 'width="600"' in first_img
    assert 'height="400"' in first_img
    assert 'alt="Orion Nebula"' in first_img
    assert '<link rel="preload" as="image"' in html
    assert f'href="/p/{uploaded["id"]}"' in html
    assert 'data-next-cursor=""' in html  # four posts: one page
    assert 'data-seen-url=""' in html  # visitors report no impressions


def test_the_feed_page_pages_like_the_api(app_factory, make_user, make_post):
    app = app_factory(FEED_PAGE_SIZE=2)
    client = app.test_client()
    owner = make_user("hubble")
    ids = [make_post(owner, age=timedelta(hours=n)) for n in range(5)]
    html = client.get("/").get_data(as_text=True)
    assert card_ids(html) == ids[:2]
    cursor = re.search(r'data-next-cursor="([^"]+)"', html).group(1)
    following = client.get("/api/v1/feed", query_string={"cursor": cursor}).get_json()
    assert [item["id"] for item in following["items"]] == ids[2:4]


def test_signed_in_viewers_get_flags_and_report_impressions(client, uploaded, make_user):
    make_user("mira")
    login(client, "mira")
    client.post(f"/api/v1/posts/{uploaded['id']}/like")
    html = client.get("/").get_data(as_text=True)
    (item,) = feed_items(html)
    assert item["liked"] is True
    assert item["following"] is False
    assert 'data-seen-url="/api/v1/feed/seen"' in html
    assert 'aria-pressed="true"' in html


def test_an_empty_site_invites_the_first_upload(client):
    html = client.get("/").get_data(as_text=True)
    assert "No captures yet." in html
    assert card_ids(html) == []


def test_the_following_feed_shows_only_followed_uploaders(app, client, make_user, make_post):
    me = make_user("mira")
    vega = make_user("vega")
    other = make_user("other")
    theirs = [make_post(vega, age=timedelta(hours=n)) for n in range(3)]
    make_post(other)
    make_post(vega, status=PostStatus.PROCESSING)
    with app.app_context():
        db.session.add(Follow(follower_id=me.id, followee_id=vega.id))
        db.session.commit()
    assert client.get("/following").status_code == 302  # log in first
    login(client, "mira")
    html = client.get("/following").get_data(as_text=True)
    assert card_ids(html) == theirs
    assert all(item["following"] for item in feed_items(html))

    first = client.get("/api/v1/feed/following", query_string={"limit": 2}).get_json()
    assert [item["id"] for item in first["items"]] == theirs[:2]
    assert first["has_more"] is True
    rest = client.get(
        "/api/v1/feed/following", query_string={"limit": 2, "cursor": first["next_cursor"]}
    ).get_json()
    assert [item["id"] for item in rest["items"]] == theirs[2:]
    assert rest["has_more"] is False
    assert rest["next_cursor"] is None


def test_the_following_feed_api_needs_a_session_and_a_real_cursor(client, make_user):
    assert client.get("/api/v1/feed/following").status_code == 401
    make_user("mira")
    login(client, "mira")
    answer = client.get("/api/v1/feed/following", query_string={"cursor": "forged"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_cursor"
    empty = client.get("/following").get_data(as_text=True)
    assert "Nothing from the people you follow yet." in empty


def test_a_profile_shows_posts_counts_and_a_follow_form_that_works_without_js(
    app, client, make_user, make_post
):
    vega = make_user("vega")
    make_user("mira")
    posts = [make_post(vega, title=f"Capture {n}", age=timedelta(hours=n)) for n in range(3)]
    hidden = make_post(vega, title="Still processing", status=PostStatus.PROCESSING)
    page = client.get("/u/VEGA")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<meta property="og:title" content="Vega (@vega)">' in html
    assert "Log in to follow" in html
    assert [int(i) for i in re.findall(r'href="/p/(\d+)" class="post-grid__link"', html)] == posts
    assert f"/p/{hidden}" not in html
    assert '<strong data-role="post-count">3</strong>' in html

    login(client, "mira")
    html = client.get("/u/vega").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post(
        "/u/vega/follow", data={"csrf_token": token, "action": "follow"}, csrf=False
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/u/vega"
    html = client.get("/u/vega").get_data(as_text=True)
    assert '<strong data-role="follower-count">1</strong>' in html
    assert 'aria-pressed="true"' in html
    client.post("/u/vega/follow", data={"csrf_token": token, "action": "unfollow"}, csrf=False)
    assert '<strong data-role="follower-count">0</strong>' in client.get("/u/vega").get_data(
        as_text=True
    )
    assert client.post("/u/vega/follow", data={"action": "follow"}, csrf=False).status_code == 403


def test_owners_see_their_unfinished_uploads_and_the_edit_link(client, make_user, make_post):
    vega = make_user("vega")
    processing = make_post(vega, status=PostStatus.PROCESSING)
    login(client, "vega")
    html = client.get("/u/vega").get_data(as_text=True)
    assert f"/p/{processing}" in html
    assert "Processing" in html
    assert "Edit profile and avatar" in html
    assert "/u/vega/follow" not in html  # nobody follows themselves


def test_unknown_and_disabled_profiles_are_404(client, make_user):
    make_user("ghost", disabled=True)
    assert client.get("/u/nobody").status_code == 404
    assert client.get("/u/ghost").status_code == 404


def test_profile_pages_page_with_a_signed_cursor(client, make_user, make_post):
    vega = make_user("vega")
    ids = [make_post(vega, age=timedelta(minutes=n)) for n in range(26)]
    html = client.get("/u/vega").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'href="/p/(\d+)" class="post-grid__link"', html)]
    assert shown == ids[:24]
    older = re.search(r'href="(/u/vega\?cursor=[^"]+)" rel="next"', html).group(1)
    html = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'href="/p/(\d+)" class="post-grid__link"', html)] == ids[
        24:
    ]
    assert client.get("/u/vega?cursor=forged").status_code == 400


def test_saved_lists_what_the_viewer_saved(app, client, make_user, make_post):
    mira = make_user("mira")
    vega = make_user("vega")
    saved, unsaved = make_post(vega, title="Kept"), make_post(vega, title="Not kept")
    with app.app_context():
        db.session.add(PostSave(user_id=mira.id, post_id=saved))
        db.session.commit()
    assert client.get("/saved").status_code == 302
    login(client, "mira")
    html = client.get("/saved").get_data(as_text=True)
    assert f'href="/p/{saved}"' in html
    assert f'href="/p/{unsaved}"' not in html


def test_notifications_page_lists_and_marks_read_without_js(client, make_user, uploaded):
    make_user("mira")
    login(client, "mira")
    client.post("/api/v1/users/vega/follow")
    client.post(f"/api/v1/posts/{uploaded['id']}/like")
    client.post("/api/v1/auth/logout")
    login(client, "vega")
    html = client.get("/u/vega").get_data(as_text=True)
    assert 'aria-label="Notifications, 2 unread"' in html  # the badge on every page
    html = client.get("/notifications").get_data(as_text=True)
    assert "Mira liked your post" in html
    assert "Mira started following you" in html
    assert html.count("notification is-unread") == 2
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post("/notifications/read", data={"csrf_token": token}, csrf=False)
    assert answer.status_code == 302
    html = client.get("/notifications").get_data(as_text=True)
    assert "is-unread" not in html
    assert 'aria-label="Notifications"' in html


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_post_page_likes_saves_and_follows_without_js(client, make_user, uploaded):
    post_id = uploaded["id"]
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert "Log in to like, save or comment" in html
    make_user("mira")
    login(client, "mira")
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    token = csrf_of(html)
    answer = client.post(
        f"/p/{post_id}/like", data={"csrf_token": token, "action": "do"}, csrf=False
    )
    assert answer.headers["Location"] == f"/p/{post_id}#actions"
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert "Liked · 1" in html
    client.post(f"/p/{post_id}/like", data={"csrf_token": token, "action": "undo"}, csrf=False)
    assert "Like · 0" in client.get(f"/p/{post_id}").get_data(as_text=True)

    client.post(f"/p/{post_id}/save", data={"csrf_token": token, "action": "do"}, csrf=False)
    assert f'href="/p/{post_id}"' in client.get("/saved").get_data(as_text=True)

    answer = client.post(
        "/u/vega/follow",
        data={"csrf_token": token, "action": "follow", "next": f"/p/{post_id}#actions"},
        csrf=False,
    )
    assert answer.headers["Location"] == f"/p/{post_id}#actions"
    assert "Following @vega" in client.get(f"/p/{post_id}").get_data(as_text=True)
    assert client.post(f"/p/{post_id}/like", data={"action": "do"}, csrf=False).status_code == 403


def test_the_post_page_lists_and_takes_comments_without_js(client, make_user, uploaded):
    post_id = uploaded["id"]
    make_user("mira")
    login(client, "mira")
    token = csrf_of(client.get(f"/p/{post_id}").get_data(as_text=True))
    answer = client.post(
        f"/p/{post_id}/comments", data={"csrf_token": token, "body": "Sharp!"}, csrf=False
    )
    assert answer.status_code == 302
    anchor = answer.headers["Location"].split("#")[1]
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert f'<li class="comment" id="{anchor}">' in html  # where notifications point
    assert "Sharp!" in html
    assert "Comments (1)" in html
    refused = client.post(
        f"/p/{post_id}/comments", data={"csrf_token": token, "body": "   "}, csrf=False
    )
    assert refused.headers["Location"] == f"/p/{post_id}#comments"
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert "Comments (1)" in html
    assert 'class="alert alert-danger' in html

    client.post("/api/v1/auth/logout")
    login(client, "vega")  # the post's owner may delete any comment on it
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    comment_id = anchor.removeprefix("comment-")
    assert f'action="/comments/{comment_id}/delete"' in html
    client.post(f"/comments/{comment_id}/delete", data={"csrf_token": csrf_of(html)}, csrf=False)
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert "Sharp!" not in html
    assert "Comments (0)" in html
