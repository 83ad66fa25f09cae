"""Moderation over JSON: take-downs and restores, labels, strikes, suspensions,
a user's own standing, and the notices their owners read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import AuditEntry, Report, Role, Strike, utcnow
from skyframe.social.notifications import Kind, notify
from tests.conftest import login


@pytest.fixture
def people(make_user):
    """Vega posts; Mira is another user; Mod moderates; Boss manages."""
    return {
        "vega": make_user("vega"),
        "mira": make_user("mira"),
        "mod": make_user("mod", role=Role.MODERATOR),
        "mod2": make_user("mod2", role=Role.MODERATOR),
        "boss": make_user("boss", role=Role.MANAGER),
    }


@pytest.fixture
def as_user(app, people):
    clients = {}

    def get(handle):
        if handle not in clients:
            clients[handle] = app.test_client()
            assert login(clients[handle], handle).status_code == 200
        return clients[handle]

    return get


@pytest.fixture
def post_id(people, make_post):
    return make_post(people["vega"], title="M42")


def audit_rows(app, action: str | None = None) -> list[tuple[str, str, int, str, str]]:
    with app.app_context():
        query = db.select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return [
            (row.action, row.target_type, row.target_id, row.reason, row.source)
            for row in db.session.scalars(query)
        ]


def notices(client) -> list[dict]:
    return client.get("/api/v1/notifications").get_json()["items"]


def take_down(client, post_id, reason="Not a sky image."):
    return client.post(f"/api/v1/admin/posts/{post_id}/take-down", json={"reason": reason})


def test_a_moderator_takes_a_post_down_and_its_owner_is_told_why(app, client, as_user, post_id):
    response = take_down(as_user("mod"), post_id)
    assert response.status_code == 200
    body = response.get_json()
    assert body["post_id"] == post_id
    assert body["post_title"] == "M42"
    assert body["reason"] == "Not a sky image."
    assert body["restored"] is False
    assert audit_rows(app, "post.take_down") == [
        ("post.take_down", "post", post_id, "Not a sky image.", "api")
    ]
    # Gone for visitors and other users, there for the owner with the reason.
    assert client.get(f"/api/v1/posts/{post_id}").status_code == 404
    assert as_user("mira").get(f"/api/v1/posts/{post_id}").status_code == 404
    own = as_user("vega").get(f"/api/v1/posts/{post_id}").get_json()
    assert own["take_down"]["reason"] == "Not a sky image."
    assert as_user("mod").get(f"/api/v1/posts/{post_id}").get_json()["take_down"] is not None
    (notice,) = notices(as_user("vega"))
    assert notice["kind"] == "take_down"
    assert notice["actor"] is None
    assert notice["message"] == "A moderator removed your post “M42”: Not a sky image."
    assert notice["reason"] == "Not a sky image."
    assert notice["url"] == f"/p/{post_id}"


def test_taking_down_twice_is_409_and_audited_once(app, as_user, post_id):
    assert take_down(as_user("mod"), post_id).status_code == 200
    again = take_down(as_user("mod2"), post_id)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_taken_down"
    assert len(audit_rows(app, "post.take_down")) == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/posts/{post}/take-down", {"reason": "x"}),
        ("/posts/{post}/restore", {"note": ""}),
        ("/posts/{post}/labels", {"labels": []}),
        ("/strikes/{post}/resolve", {"note": ""}),
        ("/users/vega/suspend", {"reason": "x"}),
        ("/users/vega/unsuspend", None),
    ],
)
def test_staff_endpoints_are_401_anonymous_403_for_users_404_for_unknown_targets(
    client, as_user, post_id, path, body
):
    url = "/api/v1/admin" + path.format(post=post_id)
    method = "put" if url.endswith("/labels") else "post"
    send = {"json": body} if body is not None else {}
    assert getattr(client, method)(url, **send).status_code == 401
    refused = getattr(as_user("mira"), method)(url, **send)
    assert refused.status_code == 403
    missing = url.replace(str(post_id), "999999").replace("/vega/", "/nobody/")
    assert getattr(as_user("boss"), method)(missing, **send).status_code == 404


def test_only_a_manager_restores_and_restoring_a_listed_post_is_409(app, as_user, post_id):
    take_down(as_user("mod"), post_id)
    url = f"/api/v1/admin/posts/{post_id}/restore"
    assert as_user("mod").post(url, json={"note": "Oops"}).status_code == 403
    restored = as_user("boss").post(url, json={"note": "It is M42 after all."})
    assert restored.status_code == 200
    assert restored.get_json()["restored"] is True
    assert restored.get_json()["restore_note"] == "It is M42 after all."
    assert as_user("mira").get(f"/api/v1/posts/{post_id}").status_code == 200
    again = as_user("boss").post(url, json={"note": ""})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "not_taken_down"
    assert [r[:3] for r in audit_rows(app, "post.restore")] == [("post.restore", "post", post_id)]
    kinds = [n["kind"] for n in notices(as_user("vega"))]
    assert kinds == ["restored", "take_down"]
    assert notices(as_user("vega"))[0]["message"] == "A moderator restored your post “M42”"


def test_staff_label_any_post_and_every_post_json_carries_labels(app, client, as_user, post_id):
    url = f"/api/v1/admin/posts/{post_id}/labels"
    response = as_user("mod").put(url, json={"labels": ["sensitive", "flashing", "flashing"]})
    assert response.status_code == 200
    assert response.get_json() == {"post_id": post_id, "labels": ["flashing", "sensitive"]}
    assert client.get(f"/api/v1/posts/{post_id}").get_json()["labels"] == [
        "flashing",
        "sensitive",
    ]
    assert client.get("/api/v1/feed").get_json()["items"][0]["labels"] == [
        "flashing",
        "sensitive",
    ]
    unknown = as_user("mod").put(url, json={"labels": ["gory"]})
    assert unknown.status_code == 422
    assert "labels" in unknown.get_json()["error"]["fields"]
    # One audit row per change; the same labels again change nothing.
    as_user("mod").put(url, json={"labels": ["flashing", "sensitive"]})
    assert audit_rows(app, "post.label") == [
        ("post.label", "post", post_id, "flashing sensitive", "api")
    ]


def test_the_owner_labels_when_editing_and_others_cannot(app, as_user, post_id):
    url = f"/api/v1/posts/{post_id}"
    edited = as_user("vega").patch(url, json={"labels": ["processed", "ai_generated"]})
    assert edited.status_code == 200
    assert edited.get_json()["labels"] == ["processed", "ai_generated"]
    assert as_user("vega").patch(url, json={"labels": "flashing, processed"}).get_json()[
        "labels"
    ] == ["flashing", "processed"]
    bad = as_user("vega").patch(url, json={"labels": ["nsfw"]})
    assert bad.status_code == 422
    assert "labels" in bad.get_json()["error"]["fields"]
    assert as_user("mira").patch(url, json={"labels": []}).status_code == 403
    assert as_user("vega").patch(url, json={"labels": []}).get_json()["labels"] == []
    assert audit_rows(app, "post.label") == []  # owners' own labels are not staff actions
    # A moderator's edit of the labels is audited.
    as_user("mod").patch(url, json={"labels": ["sensitive"]})
    assert len(audit_rows(app, "post.label")) == 1


def strike_ids(app, handle_id) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(Strike.id).where(Strike.user_id == handle_id).order_by(Strike.id)
            )
        )


def test_two_take_downs_strike_and_staff_resolve_the_strike_once(app, as_user, people, make_post):
    for _ in range(2):
        assert take_down(as_user("mod"), make_post(people["vega"])).status_code == 200
    (strike_id,) = strike_ids(app, people["vega"].id)
    assert notices(as_user("vega"))[0]["message"] == "You received a strike"
    assert notices(as_user("vega"))[0]["url"] == "/settings/standing"
    url = f"/api/v1/admin/strikes/{strike_id}/resolve"
    resolved = as_user("mod").post(url, json={"note": "Fair enough."})
    assert resolved.status_code == 200
    assert resolved.get_json()["active"] is False
    assert resolved.get_json()["resolve_note"] == "Fair enough."
    again = as_user("mod2").post(url, json={"note": ""})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "strike_resolved"
    assert [r[0] for r in audit_rows(app, "strike.resolve")] == ["strike.resolve"]
    notice = notices(as_user("vega"))[0]
    assert notice["kind"] == "strike_resolved"
    assert notice["reason"] == "Fair enough."


def test_strike_rules_come_from_the_config(app_factory, make_user, make_post, people):
    app = app_factory(STRIKE_TAKEDOWNS_PER_STRIKE=1, STRIKE_SUSPEND_AT=1)
    mod = app.test_client()
    login(mod, "mod")
    assert take_down(mod, make_post(people["vega"])).status_code == 200
    vega = app.test_client()
    login(vega, "vega")
    standing = vega.get("/api/v1/me/strikes").get_json()["standing"]
    assert standing == {
        "suspended": True,
        "suspended_by": "strikes",
        "until": None,
        "reason": None,
        "active_strikes": 1,
        "suspend_at": 1,
        "take_downs_per_strike": 1,
    }


def test_me_strikes_lists_strikes_take_downs_and_standing(client, as_user, people, make_post):
    assert client.get("/api/v1/me/strikes").status_code == 401
    first = make_post(people["vega"], title="First")
    second = make_post(people["vega"], title="Second")
    take_down(as_user("mod"), first, "Spam")
    take_down(as_user("mod"), second, "Stolen")
    as_user("boss").post(f"/api/v1/admin/posts/{first}/restore", json={"note": "secret"})
    mine = as_user("vega").get("/api/v1/me/strikes").get_json()
    assert [(t["post_title"], t["reason"], t["restored"]) for t in mine["take_downs"]] == [
        ("Second", "Stolen", False),
        ("First", "Spam", True),
    ]
    assert all(t["restore_note"] is None for t in mine["take_downs"])
    # The strike for both was withdrawn when the first was restored.
    assert [s["active"] for s in mine["strikes"]] == [False]
    assert mine["standing"]["suspended"] is False
    assert mine["standing"]["active_strikes"] == 0
    assert mine["standing"]["suspend_at"] == 3


def test_staff_suspend_until_a_time_and_lift_it(app, as_user):
    until = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    url = "/api/v1/admin/users/vega/suspend"
    response = as_user("mod").post(url, json={"until": until.isoformat(), "reason": "Spam"})
    assert response.status_code == 200
    standing = response.get_json()["standing"]
    assert standing["suspended"] is True
    assert standing["suspended_by"] == "staff"
    assert standing["reason"] == "Spam"
    assert standing["until"].startswith(until.strftime("%Y-%m-%dT%H:%M:%S"))
    notice = notices(as_user("vega"))[0]
    assert notice["kind"] == "suspended"
    assert notice["message"] == f"Your account is suspended until {until:%Y-%m-%d %H:%M} UTC"
    assert notice["reason"] == "Spam"
    assert as_user("vega").get("/api/v1/me/strikes").get_json()["standing"]["suspended"]
    lifted = as_user("mod").post("/api/v1/admin/users/vega/unsuspend")
    assert lifted.status_code == 200
    assert lifted.get_json()["standing"]["suspended"] is False
    again = as_user("mod").post("/api/v1/admin/users/vega/unsuspend")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "not_suspended"
    assert notices(as_user("vega"))[0]["message"] == "Your account is no longer suspended"
    assert [r[0] for r in audit_rows(app) if r[0].startswith("account.")] == [
        "account.suspend",
        "account.unsuspend",
    ]


def test_suspensions_follow_the_policy(as_user):
    past = (utcnow() - timedelta(hours=1)).isoformat()
    url = "/api/v1/admin/users/{}/suspend"
    assert as_user("mod").post(url.format("mod2"), json={"reason": "x"}).status_code == 403
    assert as_user("mod").post(url.format("mod"), json={"reason": "x"}).status_code == 403
    assert as_user("boss").post(url.format("mod2"), json={"reason": "x"}).status_code == 200
    ended = as_user("mod").post(url.format("vega"), json={"until": past, "reason": "x"})
    assert ended.status_code == 422
    assert as_user("mod").post(url.format("vega"), json={"until": "soon"}).status_code == 422


def test_a_handled_report_and_a_warning_read_as_notices(app, as_user, people):
    """Reports are issue-reports' door; their notices are presented here."""
    with app.app_context():
        report = Report(
            reporter_id=people["mira"].id,
            target_type="user",
            target_id=people["vega"].id,
            reason="spam",
            note="Please stop posting adverts.",
        )
        db.session.add(report)
        db.session.flush()
        notify(
            db.session,
            recipient_id=people["mira"].id,
            actor=None,
            kind=Kind.REPORT_HANDLED,
            report_id=report.id,
        )
        notify(
            db.session,
            recipient_id=people["vega"].id,
            actor=None,
            kind=Kind.WARNING,
            report_id=report.id,
        )
        db.session.commit()
    (handled,) = notices(as_user("mira"))
    assert handled["message"] == "Your report was handled — thank you"
    assert handled["actor"] is None
    assert handled["reason"] is None  # the reporter hears no details
    (warning,) = notices(as_user("vega"))
    assert warning["message"] == "A moderator sent you a warning: Please stop posting adverts."
    page = as_user("vega").get("/notifications").get_data(as_text=True)
    assert "A moderator sent you a warning: Please stop posting adverts." in page
