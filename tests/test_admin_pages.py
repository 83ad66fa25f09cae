"""The staff area (/admin): only staff find it (everyone else gets 404, as if
there were none), a post's staff view takes it down, restores it and labels
it through forms that redirect back, and managers read the audit log."""

from __future__ import annotations

import re

import pytest

from skyframe.extensions import db
from skyframe.models import Post, Role
from tests.conftest import login

pytestmark = pytest.mark.one_database


@pytest.fixture
def post_id(app, make_user, make_post):
    vega = make_user("vega")
    make_user("mod", role=Role.MODERATOR)
    make_user("boss", role=Role.MANAGER)
    return make_post(vega, title="Orion Nebula")


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def submit(client, path: str, **fields):
    return client.post(path, data={"csrf_token": client.csrf_token(), **fields})


@pytest.mark.parametrize("who", [None, "vega"])
def test_the_area_is_not_there_for_visitors_and_users(client, post_id, who):
    if who:
        login(client, who)
    for path in ("/admin/", f"/admin/posts/{post_id}", "/admin/audit"):
        assert client.get(path).status_code == 404
    assert submit(client, f"/admin/posts/{post_id}/take-down", reason="x").status_code == 404
    assert 'aria-label="Staff area"' not in page(client, "/search")


def test_staff_find_it_from_every_page_s_header(client, post_id):
    login(client, "mod")
    assert 'href="/admin/"' in page(client, "/search")
    home = page(client, "/admin/")
    assert "Staff area" in home
    assert "/admin/audit" not in home  # managers only
    assert client.get("/admin/audit").status_code == 403
    found = client.get(f"/admin/posts?id={post_id}")
    assert found.headers["Location"].endswith(f"/admin/posts/{post_id}")


def test_a_moderator_takes_a_post_down_with_a_reason(app, client, post_id):
    login(client, "mod")
    view = page(client, f"/admin/posts/{post_id}")
    assert "Orion Nebula" in view
    assert "Take down" in view
    assert "Restore" not in view  # managers only
    refused = submit(client, f"/admin/posts/{post_id}/take-down", reason="  ")
    assert refused.status_code == 422
    assert "Say why." in refused.get_data(as_text=True)
    done = submit(client, f"/admin/posts/{post_id}/take-down", reason="Not a sky image.")
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/admin/posts/{post_id}")
    view = page(client, f"/admin/posts/{post_id}")
    assert "removed" in view
    assert "Not a sky image." in view
    assert "post.take_down" in view  # the history
    with app.app_context():
        assert db.session.get(Post, post_id).taken_down
    again = submit(client, f"/admin/posts/{post_id}/take-down", reason="Twice.")
    assert again.status_code == 409


def test_only_a_manager_restores_with_a_note(app, client, post_id):
    login(client, "mod")
    submit(client, f"/admin/posts/{post_id}/take-down", reason="Spam.")
    refused = submit(client, f"/admin/posts/{post_id}/restore", note="Sorry.")
    assert refused.status_code == 403
    assert "Only a manager" in refused.get_data(as_text=True)
    client.post("/api/v1/auth/logout")
    login(client, "boss")
    assert "Restore" in page(client, f"/admin/posts/{post_id}")
    assert submit(client, f"/admin/posts/{post_id}/restore", note="Sorry.").status_code == 302
    with app.app_context():
        assert not db.session.get(Post, post_id).taken_down
    assert "post.restore" in page(client, f"/admin/posts/{post_id}")


def test_staff_set_labels(app, client, post_id):
    login(client, "mod")
    response = submit(client, f"/admin/posts/{post_id}/labels", labels=["flashing", "sensitive"])
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Post, post_id).labels == "flashing sensitive"
    view = page(client, f"/admin/posts/{post_id}")
    assert re.search(r'value="flashing"[^>]*checked|checked[^>]*value="flashing"', view)
    unknown = submit(client, f"/admin/posts/{post_id}/labels", labels=["gory"])
    assert unknown.status_code == 422
    assert "Unknown label" in unknown.get_data(as_text=True)


def test_forms_need_their_csrf_token(client, post_id):
    login(client, "mod")
    response = client.post(f"/admin/posts/{post_id}/take-down", data={"reason": "x"}, csrf=False)
    assert response.status_code == 403


def test_the_audit_log_page_filters_and_pages(client, post_id, make_post, app):
    login(client, "mod")
    with app.app_context():
        owner_id = db.session.get(Post, post_id).owner_id
    for _ in range(3):
        other = make_post(owner_id)
        submit(client, f"/admin/posts/{other}/labels", labels=["processed"])
    client.post("/api/v1/auth/logout")
    login(client, "boss")
    log = page(client, "/admin/audit?actor=mod")
    assert log.count("post.label</strong>") == 3
    assert "Older entries" not in log
    unknown = client.get("/admin/audit?actor=nobody")
    assert unknown.status_code == 422
    assert "No account has this handle." in unknown.get_data(as_text=True)
    assert client.get("/admin/audit?action=post.burn").status_code == 422
    assert client.get("/admin/audit?cursor=forged").status_code == 400
