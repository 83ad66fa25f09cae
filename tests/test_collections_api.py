"""Collections through the HTTP client: the API's paths, fields and errors."""

from __future__ import annotations

import pytest

from skyframe.extensions import db
from skyframe.models import Collection, CollectionItem, Post
from tests.conftest import STRONG_PASSWORD, login


@pytest.fixture
def people(make_user):
    return {"vega": make_user("vega"), "mira": make_user("mira")}


@pytest.fixture
def posts(people, make_post):
    return [make_post(people["mira"], title=f"Capture {i}") for i in range(4)]


def create(client, **fields):
    return client.post("/api/v1/collections", json={"title": "Best of M42", **fields})


def order(client, collection_id, **query):
    page = client.get(f"/api/v1/collections/{collection_id}/items", query_string=query)
    assert page.status_code == 200, page.get_json()
    return [item["id"] for item in page.get_json()["items"]]


def test_create_add_insert_move_and_remove(as_user, posts):
    vega = as_user("vega")
    made = create(vega, description="Winter nights")
    assert made.status_code == 201
    body = made.get_json()
    assert body["title"] == "Best of M42"
    assert body["public"] is True
    assert body["item_count"] == 0
    assert body["url"] == f"/c/{body['id']}"
    assert body["can_edit"] is True
    cid = body["id"]
    items = f"/api/v1/collections/{cid}/items"
    a, b, c, d = posts
    assert vega.post(items, json={"post_id": a}).status_code == 201
    assert vega.post(items, json={"post_id": b}).status_code == 201
    assert vega.post(items, json={"post_id": c, "before": a}).status_code == 201
    assert order(vega, cid) == [c, a, b]
    moved = vega.patch(f"{items}/{c}", json={"before": None})
    assert moved.status_code == 200
    assert moved.get_json()["post_id"] == c
    assert order(vega, cid) == [a, b, c]
    assert vega.patch(f"{items}/{b}", json={"before": a}).status_code == 200
    assert order(vega, cid) == [b, a, c]
    assert vega.patch(f"{items}/{a}", json={}).status_code == 200  # no before: to the end
    assert order(vega, cid) == [b, c, a]
    assert vega.delete(f"{items}/{c}").status_code == 204
    assert vega.delete(f"{items}/{c}").status_code == 404
    assert order(vega, cid) == [b, a]
    assert vega.get(f"/api/v1/collections/{cid}").get_json()["item_count"] == 2
    before_missing = vega.post(items, json={"post_id": d, "before": c})
    assert before_missing.status_code == 422
    assert "before" in before_missing.get_json()["error"]["fields"]


def test_items_page_with_a_cursor_and_refuse_a_forged_one(as_user, client, people, make_post):
    vega = as_user("vega")
    cid = create(vega).get_json()["id"]
    made = [make_post(people["mira"], title=f"P{i}") for i in range(5)]
    for post_id in made:
        vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": post_id})
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/collections/{cid}/items", query_string=query).get_json()
        seen += [item["id"] for item in page["items"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == made
    forged = client.get(f"/api/v1/collections/{cid}/items", query_string={"cursor": "nope"})
    assert forged.status_code == 400
    assert forged.get_json()["error"]["code"] == "invalid_cursor"
    other = create(vega, title="Other").get_json()["id"]
    elsewhere = client.get(f"/api/v1/collections/{other}/items", query_string={"cursor": cursor})
    assert elsewhere.status_code == 400


def test_a_post_is_once_in_a_collection(as_user, posts):
    vega = as_user("vega")
    cid = create(vega).get_json()["id"]
    assert (
        vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": posts[0]}).status_code == 201
    )
    again = vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": posts[0]})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_in_collection"


def test_a_collection_holds_at_most_the_configured_number(app_factory, people, make_post):
    app = app_factory(COLLECTION_MAX_ITEMS=2)
    vega = app.test_client()
    login(vega, "vega")
    cid = create(vega).get_json()["id"]
    made = [make_post(people["mira"]) for _ in range(3)]
    for post_id in made[:2]:
        assert (
            vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": post_id}).status_code
            == 201
        )
    full = vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": made[2]})
    assert full.status_code == 409
    assert full.get_json()["error"]["code"] == "collection_full"


def test_private_collections_are_404_to_others(as_user, client, posts):
    vega, mira = as_user("vega"), as_user("mira")
    cid = create(vega, public=False).get_json()["id"]
    vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": posts[0]})
    for who in (client, mira):
        assert who.get(f"/api/v1/collections/{cid}").status_code == 404
        assert who.get(f"/api/v1/collections/{cid}/items").status_code == 404
        assert who.get(f"/c/{cid}").status_code == 404
    assert mira.patch(f"/api/v1/collections/{cid}", json={"title": "Mine"}).status_code == 404
    assert mira.delete(f"/api/v1/collections/{cid}").status_code == 404
    assert client.get("/api/v1/users/vega/collections").get_json()["items"] == []
    assert [c["id"] for c in vega.get("/api/v1/users/vega/collections").get_json()["items"]] == [
        cid
    ]
    assert vega.get(f"/c/{cid}").status_code == 200


def test_only_the_owner_changes_a_public_collection(as_user, posts):
    vega, mira = as_user("vega"), as_user("mira")
    cid = create(vega).get_json()["id"]
    assert mira.get(f"/api/v1/collections/{cid}").get_json()["can_edit"] is False
    assert mira.patch(f"/api/v1/collections/{cid}", json={"title": "x"}).status_code == 403
    assert (
        mira.post(f"/api/v1/collections/{cid}/items", json={"post_id": posts[0]}).status_code == 403
    )
    assert mira.delete(f"/api/v1/collections/{cid}").status_code == 403


def test_edit_and_delete_a_collection(as_user, posts):
    vega = as_user("vega")
    cid = create(vega).get_json()["id"]
    vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": posts[0]})
    edited = vega.patch(f"/api/v1/collections/{cid}", json={"title": "  Orion  ", "public": False})
    assert edited.status_code == 200
    assert edited.get_json()["title"] == "Orion"
    assert edited.get_json()["public"] is False
    too_long = vega.patch(f"/api/v1/collections/{cid}", json={"title": "x" * 81})
    assert too_long.status_code == 422
    assert "title" in too_long.get_json()["error"]["fields"]
    long_text = vega.patch(f"/api/v1/collections/{cid}", json={"description": "y" * 1001})
    assert long_text.status_code == 422
    assert vega.delete(f"/api/v1/collections/{cid}").status_code == 204
    assert vega.get(f"/api/v1/collections/{cid}").status_code == 404
    assert vega.get(f"/api/v1/posts/{posts[0]}").status_code == 200  # the post stays


def test_only_posts_the_owner_may_see_can_be_added(as_user, people, make_post):
    from skyframe.models import PostStatus

    vega = as_user("vega")
    cid = create(vega).get_json()["id"]
    hidden = make_post(people["mira"], status=PostStatus.PROCESSING)
    refused = vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": hidden})
    assert refused.status_code == 422
    assert "post_id" in refused.get_json()["error"]["fields"]
    missing = vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": 99999})
    assert missing.status_code == 422


def test_taken_down_and_deleted_posts_drop_out(app, as_user, client, posts):
    vega = as_user("vega")
    cid = create(vega).get_json()["id"]
    for post_id in posts[:3]:
        vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": post_id})
    with app.app_context():
        db.session.get(Post, posts[0]).taken_down = True
        db.session.delete(db.session.get(Post, posts[1]))
        db.session.commit()
    assert order(client, cid) == [posts[2]]
    assert order(vega, cid) == [posts[2]]  # the owner's listing too
    assert client.get(f"/api/v1/collections/{cid}").get_json()["item_count"] == 1
    with app.app_context():
        db.session.get(Post, posts[0]).taken_down = False
        db.session.commit()
    assert order(client, cid) == [posts[0], posts[2]]


def test_a_users_collections_tell_which_hold_a_post(as_user, client, posts):
    vega = as_user("vega")
    first = create(vega, title="One").get_json()["id"]
    second = create(vega, title="Two").get_json()["id"]
    vega.post(f"/api/v1/collections/{second}/items", json={"post_id": posts[0]})
    page = vega.get("/api/v1/users/vega/collections", query_string={"post_id": posts[0]})
    assert page.status_code == 200, page.get_json()
    page = page.get_json()
    assert [c["id"] for c in page["items"]] == [second, first]
    assert page["holds"] == [second]
    assert client.get("/api/v1/users/nobody/collections").status_code == 404
    assert client.get("/api/v1/users/vega/collections").get_json()["holds"] is None


def test_writes_need_a_session_and_csrf(client, as_user, people):
    assert client.post("/api/v1/collections", json={"title": "x"}).status_code == 401
    vega = as_user("vega")
    assert vega.post("/api/v1/collections", json={"title": "x"}, csrf=False).status_code == 403


def test_deleting_an_account_deletes_its_collections(app, as_user, posts):
    vega = as_user("vega")
    cid = create(vega).get_json()["id"]
    vega.post(f"/api/v1/collections/{cid}/items", json={"post_id": posts[0]})
    mira_collection = create(as_user("mira"), title="Mine").get_json()["id"]
    as_user("mira").post(f"/api/v1/collections/{mira_collection}/items", json={"post_id": posts[0]})
    assert vega.delete("/api/v1/me", json={"password": STRONG_PASSWORD}).status_code == 200
    with app.app_context():
        assert db.session.get(Collection, cid) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(CollectionItem)) == 1
    # And a deleted post leaves every collection that held it.
    assert as_user("mira").delete(f"/api/v1/posts/{posts[0]}").status_code == 204
    assert order(as_user("mira"), mira_collection) == []
