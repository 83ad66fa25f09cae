"""Collections without JavaScript: every change is a POST form with its CSRF
token (taken from the page, as a browser sends it), and refusals are shown
as messages on the page."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

pytestmark = pytest.mark.one_database

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def mira(make_user):
    return make_user("mira")


@pytest.fixture
def vega(client, make_user, mira):
    make_user("vega")
    login(client, "vega")
    return client


@pytest.fixture
def posts(mira, make_post):
    return [make_post(mira, title=title) for title in ("Orion", "Pleiades", "Rosette")]


def token_of(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return TOKEN.search(page.get_data(as_text=True)).group(1)


def post_form(client, path: str, page: str, **data):
    return client.post(path, data={"csrf_token": token_of(client, page), **data}, csrf=False)


def arranged(client, collection_id: int) -> list[int]:
    html = client.get(f"/c/{collection_id}/edit").get_data(as_text=True)
    return [int(i) for i in re.findall(r'<li class="arrange-item" id="item-(\d+)"', html)]


def created(answer) -> int:
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return int(re.search(r"/c/(\d+)", answer.headers["Location"]).group(1))


def test_create_add_move_remove_and_delete_with_forms(vega, posts):
    orion, pleiades, rosette = posts
    assert f'href="/p/{orion}/collect"' in vega.get(f"/p/{orion}").get_data(as_text=True)
    # A new collection from a post's "Add to collection" page, with it in.
    answer = post_form(vega, "/c/new", f"/c/new?post_id={orion}", title="Winter", post_id=orion)
    assert answer.headers["Location"] == f"/p/{orion}/collect"
    collection_id = int(
        re.search(
            r'action="/c/(\d+)/items/', vega.get(f"/p/{orion}/collect").get_data(as_text=True)
        )[1]
    )
    for post_id in (pleiades, rosette):
        added = post_form(
            vega,
            f"/c/{collection_id}/items",
            f"/p/{post_id}/collect",
            post_id=post_id,
            next=f"/p/{post_id}/collect",
        )
        assert added.headers["Location"] == f"/p/{post_id}/collect"
    assert "Added to “Winter”." in vega.get(f"/p/{rosette}/collect").get_data(as_text=True)
    assert arranged(vega, collection_id) == [orion, pleiades, rosette]

    edit = f"/c/{collection_id}/edit"
    moved = post_form(vega, f"/c/{collection_id}/items/{rosette}/move", edit, direction="up")
    assert moved.headers["Location"] == f"{edit}#item-{rosette}"
    assert arranged(vega, collection_id) == [orion, rosette, pleiades]
    post_form(vega, f"/c/{collection_id}/items/{orion}/move", edit, direction="down")
    assert arranged(vega, collection_id) == [rosette, orion, pleiades]
    post_form(vega, f"/c/{collection_id}/items/{rosette}/move", edit, direction="up")  # first
    assert arranged(vega, collection_id) == [rosette, orion, pleiades]

    post_form(vega, f"/c/{collection_id}/items/{orion}/remove", edit)
    assert arranged(vega, collection_id) == [rosette, pleiades]

    gone = post_form(vega, f"/c/{collection_id}/delete", edit)
    assert gone.headers["Location"] == "/u/vega/collections"
    assert vega.get(f"/c/{collection_id}").status_code == 404


def test_form_errors_are_shown_on_the_page(vega, posts):
    empty = post_form(vega, "/c/new", "/c/new", title="   ")
    assert empty.status_code == 422
    assert "Give the collection a title." in empty.get_data(as_text=True)
    collection_id = created(post_form(vega, "/c/new", "/c/new", title="Winter"))
    edit = f"/c/{collection_id}/edit"
    long = post_form(vega, edit, edit, title="x" * 81)
    assert long.status_code == 422
    assert "Keep the title under 80 characters." in long.get_data(as_text=True)
    post_form(vega, f"/c/{collection_id}/items", edit, post_id=posts[0])
    again = post_form(vega, f"/c/{collection_id}/items", edit, post_id=posts[0])
    assert again.status_code == 302
    assert "That post is already in this collection." in vega.get(edit).get_data(as_text=True)


def test_forms_need_their_csrf_token(vega):
    assert vega.post("/c/new", data={"title": "Winter"}, csrf=False).status_code == 403


def test_the_profile_tab_shows_private_collections_to_their_owner_only(vega, client, app):
    created(post_form(vega, "/c/new", "/c/new", title="Shown to all", public="y"))
    created(post_form(vega, "/c/new", "/c/new", title="Kept to myself"))
    mine = vega.get("/u/vega/collections").get_data(as_text=True)
    assert "Shown to all" in mine
    assert "Kept to myself" in mine
    assert 'aria-current="page" href="/u/vega/collections"' in mine
    visitor = app.test_client()
    theirs = visitor.get("/u/vega/collections").get_data(as_text=True)
    assert "Shown to all" in theirs
    assert "Kept to myself" not in theirs
