"""A taken-down post disappears for everyone but its owner and staff: from
every listing (for all, the owner and staff too: listings show listed posts
only, but for the owner's profile and staff's view of it), and its own URLs
(page, JSON, comments, files, download) answer 404 to the rest, so its
existence does not leak."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.feed import pools
from skyframe.models import Post, Role, utcnow
from tests import media_samples as samples
from tests.conftest import login

ACTORS = ("visitor", "other", "owner", "moderator")
HIDDEN = dict.fromkeys(ACTORS, "hidden")
SIGNED_IN_HIDDEN = {**HIDDEN, "visitor": "sign-in"}
OWNER_AND_STAFF = {"visitor": 404, "other": 404, "owner": 200, "moderator": 200}

# (name, URL, what each actor gets): "hidden" — a listing without the post;
# "shown" — a listing with it; a status — the post's own URL answers that;
# "sign-in" — the listing is for signed-in users (401, or a redirect to log in).
CASES = [
    ("feed (JSON)", "/api/v1/feed", HIDDEN),
    ("feed (page)", "/", HIDDEN),
    ("following (JSON)", "/api/v1/feed/following", SIGNED_IN_HIDDEN),
    ("following (page)", "/following", SIGNED_IN_HIDDEN),
    ("search (JSON)", "/api/v1/search?tag=nebula", HIDDEN),
    ("search (page)", "/search?q=Nebulosity", HIDDEN),
    ("object page", "/o/{object_id}", HIDDEN),
    ("tag page", "/t/nebula", HIDDEN),
    ("related (JSON)", "/api/v1/posts/{sibling}/related", HIDDEN),
    ("related (post page)", "/p/{sibling}", HIDDEN),
    ("profile", "/u/vega", {**HIDDEN, "owner": "shown", "moderator": "shown"}),
    ("saved (JSON)", "/api/v1/me/favorites", SIGNED_IN_HIDDEN),
    ("saved (page)", "/saved", SIGNED_IN_HIDDEN),
    ("collection (JSON)", "/api/v1/collections/{collection}/items", HIDDEN),
    ("collection (page)", "/c/{collection}", HIDDEN),
    # Mira's reply notice is on the post; the owner reads the take-down's.
    ("notifications (JSON)", "/api/v1/notifications", {**SIGNED_IN_HIDDEN, "owner": "shown"}),
    ("notifications (page)", "/notifications", {**SIGNED_IN_HIDDEN, "owner": "shown"}),
    ("post page and share tags", "/p/{taken}", OWNER_AND_STAFF),
    ("post JSON", "/api/v1/posts/{taken}", OWNER_AND_STAFF),
    ("comments", "/api/v1/posts/{taken}/comments", OWNER_AND_STAFF),
    ("display file", "{display}", OWNER_AND_STAFF),
    ("thumbnail file", "{thumb}", OWNER_AND_STAFF),
    ("original file", "{original}", OWNER_AND_STAFF),
    ("download", "/p/{taken}/download", OWNER_AND_STAFF),
]


@pytest.fixture
def scene(app, make_user, make_post, tmp_path):
    """Vega uploads "Nebulosity sample" of M42 (taken down by Mod) and
    "Nebulosity again";
    Mira and Mod follow Vega and like and save the first; Mira comments on
    it and Vega replies."""
    make_user("vega")
    make_user("mira")
    make_user("mod", role=Role.MODERATOR)
    clients = {"visitor": app.test_client()}
    for actor, handle in (("owner", "vega"), ("other", "mira"), ("moderator", "mod")):
        clients[actor] = app.test_client()
        assert login(clients[actor], handle).status_code == 200
    vega, mira, mod = clients["owner"], clients["other"], clients["moderator"]
    image = samples.write_image(tmp_path / "m42.png", 300, 200, fmt="png").read_bytes()
    uploaded = vega.post(
        "/api/v1/posts",
        data={
            "file": (io.BytesIO(image), "m42.png"),
            "title": "Nebulosity sample",
            "category": "deep-sky",
            "object": "M42",
            "tags": "nebula",
        },
        content_type="multipart/form-data",
    ).get_json()
    taken = uploaded["id"]
    with app.app_context():
        object_id = db.session.get(Post, taken).object_id
        owner_id = db.session.get(Post, taken).owner_id
    sibling = make_post(owner_id, title="Nebulosity again", object="M42", tags=["nebula"])
    for client in (mira, mod):
        client.post("/api/v1/users/vega/follow")
        client.post(f"/api/v1/posts/{taken}/like")
        client.post(f"/api/v1/posts/{taken}/favorite")
    said = mira.post(f"/api/v1/posts/{taken}/comments", json={"body": "Lovely"}).get_json()
    vega.post(f"/api/v1/posts/{taken}/comments", json={"body": "Thanks", "reply_to": said["id"]})
    collection = mira.post("/api/v1/collections", json={"title": "Favourites"}).get_json()["id"]
    for post_id in (taken, sibling):  # the sibling stays listed in it
        mira.post(f"/api/v1/collections/{collection}/items", json={"post_id": post_id})
    media = uploaded["media"]
    removal = mod.post(f"/api/v1/admin/posts/{taken}/take-down", json={"reason": "Stolen"})
    assert removal.status_code == 200
    return {
        "clients": clients,
        "values": {
            "taken": taken,
            "sibling": sibling,
            "object_id": object_id,
            "collection": collection,
            "display": media["display"][0]["url"],
            "thumb": media["thumb"][0]["url"],
            "original": media["original"]["url"],
        },
    }


def listed_ids(response) -> set[int]:
    """The post ids a listing answered with (JSON or HTML)."""
    if response.is_json:
        items = response.get_json()["items"]
        return {item["post_id"] if "post_id" in item else item["id"] for item in items}
    return {int(found) for found in re.findall(r'/p/(\d+)(?=["#?])', response.get_data(True))}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("name", "url", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_taken_down_post_is_only_for_its_owner_and_staff(scene, actor, name, url, expected):
    client, values = scene["clients"][actor], scene["values"]
    response = client.get(url.format(**values))
    want = expected[actor]
    taken = values["taken"]
    if want == "sign-in":
        assert response.status_code in (302, 401)
    elif want in ("hidden", "shown"):
        assert response.status_code == 200
        assert (taken in listed_ids(response)) == (want == "shown")
        if want == "hidden":
            assert "Nebulosity sample" not in response.get_data(as_text=True)
    else:
        assert response.status_code == want
        if want == 200 and name.startswith("post page"):
            page = response.get_data(as_text=True)
            assert 'property="og:' not in page  # nothing to share
            assert "Removed by a moderator" in page
            assert "Stolen" in page


def test_the_owner_s_profile_marks_it_removed_and_others_never_see_it(scene):
    page = scene["clients"]["owner"].get("/u/vega").get_data(as_text=True)
    assert "Removed by a moderator" in page
    assert "Stolen" in page
    other = scene["clients"]["other"].get("/u/vega").get_data(as_text=True)
    assert "Removed by a moderator" not in other


def test_the_feed_s_random_fallback_leaves_it_out(app, scene):
    with app.app_context():
        window = pools.Window(
            viewer_id=None, as_of=utcnow(), fresh_from=None, seen_from=None, exclude_seen=False
        )
        found = {c.post_id for c in pools.random_batch(db.session, window, 50, 0.0)}
    assert scene["values"]["sibling"] in found
    assert scene["values"]["taken"] not in found


def test_a_post_taken_down_after_the_feed_kept_it_is_not_served(app, make_user, make_post):
    """The feed keeps candidates a few pages ahead (feed.ahead); what was
    taken down since is dropped when the page is made."""
    owner = make_user("vega")
    make_user("mira")
    make_user("mod", role=Role.MODERATOR)
    posts = [make_post(owner, age=timedelta(minutes=i)) for i in range(6)]
    mira, mod = app.test_client(), app.test_client()
    login(mira, "mira")
    login(mod, "mod")
    first = mira.get("/api/v1/feed", query_string={"limit": 2}).get_json()
    shown = {item["id"] for item in first["items"]}
    for post_id in set(posts) - shown:
        mod.post(f"/api/v1/admin/posts/{post_id}/take-down", json={"reason": "Spam"})
    rest = mira.get(
        "/api/v1/feed", query_string={"limit": 4, "cursor": first["next_cursor"]}
    ).get_json()
    assert {item["id"] for item in rest["items"]} <= shown
