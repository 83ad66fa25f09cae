"""Deleting accounts: DELETE /api/v1/me, DELETE /api/v1/admin/users/<handle>,
`flask users delete`; what goes (everything the account did, its files) and
what stays (its handle, reserved; reports; the audit log)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from skyframe.accounts import deletion, users
from skyframe.exceptions import AuthenticationFailed
from skyframe.extensions import db
from skyframe.models import AuditEntry, Post, Role, User, utcnow
from skyframe.services import current_storage, password_hashing
from skyframe.storage import StorageError
from tests.conftest import STRONG_PASSWORD, login


@pytest.fixture
def scene(app, make_user, make_post):
    """ada is deleted; bob and carol are the others. ada likes, saves and
    comments on bob's post (carol answers ada's comment, and likes it), bob
    likes and comments on ada's post; ada follows bob, carol follows ada."""
    ada, bob, carol = make_user("ada"), make_user("bob"), make_user("carol")
    bobs = make_post(bob)
    adas = make_post(ada)
    clients = {}
    for handle in ("ada", "bob", "carol"):
        clients[handle] = app.test_client()
        login(clients[handle], handle)
    a, b, c = clients["ada"], clients["bob"], clients["carol"]
    a.post(f"/api/v1/posts/{bobs}/like")
    a.post(f"/api/v1/posts/{bobs}/favorite")
    c.post(f"/api/v1/posts/{bobs}/like")
    said = a.post(f"/api/v1/posts/{bobs}/comments", json={"body": "Wow"}).get_json()
    c.post(f"/api/v1/posts/{bobs}/comments", json={"body": "Yes!", "reply_to": said["id"]})
    c.post(f"/api/v1/comments/{said['id']}/like")
    b.post(f"/api/v1/posts/{adas}/like")
    b.post(f"/api/v1/posts/{adas}/comments", json={"body": "Nice"})
    a.post("/api/v1/users/bob/follow")
    c.post("/api/v1/users/ada/follow")
    return {"ids": (ada.id, bob.id, carol.id), "bobs": bobs, "adas": adas, **clients}


def with_files(app, user_id: int, post_id: int) -> list[str]:
    """Give a post and its owner's avatar real files in the local storage."""
    with app.app_context():
        storage = current_storage()
        user = db.session.get(User, user_id)
        post = db.session.get(Post, post_id)
        keys = [f"posts/{post.media_key}/display.jpg", f"posts/{post.media_key}/original.jpg"]
        keys.append(f"avatars/{user_id:032x}.jpg")
        for key in keys:
            storage.save(key, b"\xff\xd8 not really a jpeg", "image/jpeg")
        user.avatar_key = keys[-1]
        db.session.commit()
        return keys


def exists(app, keys):
    with app.app_context():
        storage = current_storage()
        return [key for key in keys if storage.exists(key)]


def test_deleting_my_account_needs_my_password(scene):
    ada = scene["ada"]
    refused = ada.delete("/api/v1/me", json={"password": "Not-my-password-1"})
    assert refused.status_code == 422
    assert "password" in refused.get_json()["error"]["fields"]
    assert ada.get("/api/v1/me").status_code == 200


def test_a_deleted_account_is_gone_and_its_handle_reserved(app, scene):
    ada = scene["ada"]
    other_device = app.test_client()
    login(other_device, "ada")
    response = ada.delete("/api/v1/me", json={"password": STRONG_PASSWORD})
    assert response.status_code == 200
    assert response.get_json() == {"handle": "ada", "deleted": True}
    assert ada.get("/api/v1/me").status_code == 401
    assert other_device.get("/api/v1/me").status_code == 401  # every session ended
    assert login(app.test_client(), "ada").status_code == 401
    assert login(app.test_client(), "ada@example.org").status_code == 401
    visitor = app.test_client()
    assert visitor.get("/u/ada").status_code == 404
    assert visitor.get(f"/api/v1/posts/{scene['adas']}").status_code == 404
    again = {"display_name": "Ada", "password": STRONG_PASSWORD}
    taken = visitor.post(
        "/api/v1/auth/register", json={**again, "email": "new@example.org", "handle": "ADA"}
    )
    assert taken.status_code == 409
    assert taken.get_json()["error"]["fields"] == {"handle": "That handle is taken."}
    # The address is free again, under another handle.
    fresh = app.test_client().post(
        "/api/v1/auth/register", json={**again, "email": "ada@example.org", "handle": "ada2"}
    )
    assert fresh.status_code == 201


def test_everything_it_did_leaves_every_listing_and_count(app, scene):
    bob, carol = scene["bob"], scene["carol"]
    bobs = scene["bobs"]
    notified = bob.get("/api/v1/notifications").get_json()["items"]
    assert any(n["actor"] and n["actor"]["handle"] == "ada" for n in notified)
    scene["ada"].delete("/api/v1/me", json={"password": STRONG_PASSWORD})

    post = bob.get(f"/api/v1/posts/{bobs}").get_json()
    assert (post["like_count"], post["favorite_count"], post["comment_count"]) == (1, 0, 1)
    conversation = bob.get(f"/api/v1/posts/{bobs}/comments").get_json()["items"]
    assert [(c["author"]["handle"], c["reply_to"]) for c in conversation] == [("carol", None)]
    follows = carol.post("/api/v1/users/bob/follow").get_json()
    assert follows["follower_count"] == 1  # carol; ada's follow is gone
    assert carol.get("/api/v1/feed/following").get_json()["items"][0]["id"] == bobs
    actors = {n["actor"]["handle"] for n in bob.get("/api/v1/notifications").get_json()["items"]}
    assert actors == {"carol"}
    assert bob.get("/api/v1/users/suggest?q=ad").get_json()["items"] == []
    feed = {item["id"] for item in carol.get("/api/v1/feed").get_json()["items"]}
    assert scene["adas"] not in feed
    assert bob.post("/api/v1/users/ada/follow").status_code == 404


def test_a_disabled_account_deletes_with_counts_still_exact(app, scene):
    ada_id, _, _ = scene["ids"]
    with app.app_context():
        users.set_disabled(db.session, db.session.get(User, ada_id), True)
        db.session.commit()
    boss = _manager(app)
    assert boss.delete("/api/v1/admin/users/ada").status_code == 200
    post = scene["bob"].get(f"/api/v1/posts/{scene['bobs']}").get_json()
    assert (post["like_count"], post["favorite_count"], post["comment_count"]) == (1, 0, 1)


def _manager(app, handle="boss"):
    with app.app_context():
        users.register_user(
            db.session,
            password_hashing(),
            email=f"{handle}@example.org",
            handle=handle,
            display_name=handle,
            password=STRONG_PASSWORD,
            role=Role.MANAGER,
        )
        db.session.commit()
    client = app.test_client()
    login(client, handle)
    return client


def audit_rows(app):
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(r.action, r.target_type, r.target_id, r.source, r.actor_id) for r in rows]


def test_a_manager_deletes_accounts_staff_too_but_not_their_own(app, scene, make_user):
    ada_id, _, _ = scene["ids"]
    boss = _manager(app)
    moderator = make_user("mod", role=Role.MODERATOR)
    assert scene["bob"].delete("/api/v1/admin/users/ada").status_code == 403
    assert boss.delete("/api/v1/admin/users/nobody").status_code == 404
    assert boss.delete("/api/v1/admin/users/boss").status_code == 403
    assert boss.delete("/api/v1/admin/users/ada").get_json() == {"handle": "ada", "deleted": True}
    assert boss.delete("/api/v1/admin/users/ada").status_code == 404
    assert boss.delete("/api/v1/admin/users/mod").status_code == 200
    with app.app_context():
        boss_id = db.session.scalar(select(User.id).where(User.handle == "boss"))
    assert audit_rows(app) == [
        ("account.delete", "user", ada_id, "api", boss_id),
        ("account.delete", "user", moderator.id, "api", boss_id),
    ]


def test_files_are_purged_by_the_job(app, scene):
    ada_id, bob_id, _ = scene["ids"]
    keys = with_files(app, ada_id, scene["adas"])
    others = with_files(app, bob_id, scene["bobs"])
    assert exists(app, keys) == keys
    scene["ada"].delete("/api/v1/me", json={"password": STRONG_PASSWORD})
    assert exists(app, keys) == []  # the job runs inline in tests
    assert exists(app, others) == others


def test_the_cli_deletes_as_the_operator(app, scene, runner):
    ada_id, _, _ = scene["ids"]
    kept = runner.invoke(args=["users", "delete", "ada"], input="n\n")
    assert kept.exit_code != 0
    assert scene["ada"].get("/api/v1/me").status_code == 200
    result = runner.invoke(args=["users", "delete", "ada", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted @ada" in result.output
    assert scene["ada"].get("/api/v1/me").status_code == 401
    assert audit_rows(app) == [("account.delete", "user", ada_id, "cli", None)]
    again = runner.invoke(args=["users", "delete", "ada", "--yes"])
    assert again.exit_code == 1


def test_operators_list_deleted_accounts_as_deleted(app, scene, runner):
    runner.invoke(args=["users", "delete", "ada", "--yes"])
    listed = runner.invoke(args=["users", "list", "--json"])
    states = {u["handle"]: u["state"] for u in json.loads(listed.output)["users"]}
    assert states["ada"] == "deleted"
    assert states["bob"] == "active"
    deleted = runner.invoke(args=["users", "list", "--state", "deleted", "--json"])
    assert [u["handle"] for u in json.loads(deleted.output)["users"]] == ["ada"]
    active = runner.invoke(args=["users", "list", "--state", "active", "--json"])
    assert "ada" not in {u["handle"] for u in json.loads(active.output)["users"]}


def test_a_deleted_account_never_authenticates(app, scene):
    """Even were its password hash left usable, a tombstone does not sign in."""
    ada_id, _, _ = scene["ids"]
    with app.app_context():
        user = db.session.get(User, ada_id)
        kept_hash = user.password_hash
        deletion.delete_own_account(
            db.session, password_hashing(), user, STRONG_PASSWORD, now=utcnow()
        )
        db.session.get(User, ada_id).password_hash = kept_hash
        db.session.commit()
        with pytest.raises(AuthenticationFailed):
            users.authenticate(db.session, password_hashing(), "ada", STRONG_PASSWORD, utcnow())


def test_the_settings_page_deletes_and_signs_out(app, scene):
    ada = scene["ada"]
    assert "Delete account" in ada.get("/settings").get_data(as_text=True)
    assert ada.get("/settings/delete").status_code == 200
    wrong = ada.post("/settings/delete", data={"password": "Not-my-password-1"})
    assert wrong.status_code == 422
    assert "That is not your password." in wrong.get_data(as_text=True)
    done = ada.post("/settings/delete", data={"password": STRONG_PASSWORD})
    assert done.status_code == 302
    assert "is deleted" in ada.get("/").get_data(as_text=True)
    assert ada.get("/api/v1/me").status_code == 401


def test_staff_see_a_tombstone(app, scene):
    boss = _manager(app)
    boss.delete("/api/v1/admin/users/ada")
    page = boss.get("/u/ada")
    assert page.status_code == 200
    assert "This account was deleted" in page.get_data(as_text=True)


def test_a_failure_midway_deletes_nothing(app, scene, monkeypatch):
    ada_id, _, _ = scene["ids"]
    keys = with_files(app, ada_id, scene["adas"])

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(deletion.login_sessions, "end_all", broken)
    response = scene["ada"].delete("/api/v1/me", json={"password": STRONG_PASSWORD})
    assert response.status_code == 500
    monkeypatch.undo()
    assert scene["ada"].get("/api/v1/me").status_code == 200
    post = scene["bob"].get(f"/api/v1/posts/{scene['bobs']}").get_json()
    assert (post["like_count"], post["favorite_count"], post["comment_count"]) == (2, 1, 2)
    assert scene["bob"].get(f"/api/v1/posts/{scene['adas']}").status_code == 200
    assert exists(app, keys) == keys


def test_a_purge_that_fails_leaves_the_deletion_standing(app, scene, monkeypatch, caplog):
    ada_id, _, _ = scene["ids"]
    keys = with_files(app, ada_id, scene["adas"])

    def refuse(_key):
        raise StorageError("the bucket is read-only")

    with app.app_context():
        monkeypatch.setattr(current_storage(), "delete", refuse)
    response = scene["ada"].delete("/api/v1/me", json={"password": STRONG_PASSWORD})
    assert response.status_code == 200
    assert scene["ada"].get("/api/v1/me").status_code == 401
    assert exists(app, keys) == keys  # left for the job to run again
    assert "could not remove" in caplog.text
    assert "file(s) of a deleted account failed" in caplog.text
