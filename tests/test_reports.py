"""Reports: filing one (POST /api/v1/reports), the moderators' queue and
their decisions (/api/v1/admin/reports), through the HTTP client."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import AuditEntry, Comment, Notification, Post, Report, Role, User, utcnow
from skyframe.models.moderation import ReportStatus
from skyframe.moderation import reports
from tests.conftest import login


@pytest.fixture
def people(make_user):
    """Vega posts; Mira, Lyra and Deneb report; Mod moderates."""
    return {
        "vega": make_user("vega"),
        "mira": make_user("mira"),
        "lyra": make_user("lyra"),
        "deneb": make_user("deneb"),
        "mod": make_user("mod", role=Role.MODERATOR),
    }


@pytest.fixture
def as_user(app):
    clients = {}

    def get(handle):
        if handle not in clients:
            clients[handle] = app.test_client()
            assert login(clients[handle], handle).status_code == 200
        return clients[handle]

    return get


@pytest.fixture
def post_id(people, make_post):
    return make_post(people["vega"], title="M42 in Ha")


def report(client, target_id, target_type="post", reason="spam", **extra):
    body = {"target_type": target_type, "target_id": target_id, "reason": reason, **extra}
    return client.post("/api/v1/reports", json=body)


def queue(client, **query):
    return client.get("/api/v1/admin/reports", query_string=query)


def resolve(client, report_id, decision, note="", **extra):
    body = {"decision": decision, "note": note, **extra}
    return client.post(f"/api/v1/admin/reports/{report_id}/resolve", json=body)


def add_comment(app, post_id, author, body="Buy cheap telescopes at …"):
    with app.app_context():
        comment = Comment(post_id=post_id, author_id=author.id, body=body, created_at=utcnow())
        db.session.add(comment)
        db.session.commit()
        return comment.id


def notifications_of(app, user, kind):
    with app.app_context():
        return db.session.scalars(
            db.select(Notification).where(
                Notification.recipient_id == user.id, Notification.kind == kind
            )
        ).all()


# -- filing -------------------------------------------------------------------


def test_a_report_is_filed_with_201_and_shows_no_decision(as_user, post_id):
    response = report(as_user("mira"), post_id, reason="stolen", details="My photo from 2023.")
    assert response.status_code == 201
    filed = response.get_json()["report"]
    assert filed["target_type"] == "post"
    assert filed["target_id"] == post_id
    assert filed["reason"] == "stolen"
    assert filed["details"] == "My photo from 2023."
    assert filed["status"] == "open"
    assert filed["resolved_at"] is None
    assert "decision" not in filed


def test_reporting_again_while_open_answers_200_with_the_same_report(app, as_user, post_id):
    first = report(as_user("mira"), post_id).get_json()["report"]
    again = report(as_user("mira"), post_id, reason="other")
    assert again.status_code == 200
    assert again.get_json()["report"] == first
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 1


def test_a_race_of_two_identical_reports_answers_the_winners(app, people, post_id, monkeypatch):
    """The loser looked before the winner committed, so it inserts too: the
    partial unique index refuses it, and it answers with the winner's report."""
    with app.app_context():
        mira = db.session.get(User, people["mira"].id)
        winner = reports.file_report(
            db.session, mira, target_type="post", target_id=post_id, reason="spam", now=utcnow()
        ).report
        db.session.commit()
        looks = iter([None])
        original = reports.open_report_of
        monkeypatch.setattr(
            reports, "open_report_of", lambda *args: next(looks, None) or original(*args)
        )
        loser = reports.file_report(
            db.session, mira, target_type="post", target_id=post_id, reason="spam", now=utcnow()
        )
        assert (loser.report.id, loser.created) == (winner.id, False)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 1


def test_after_a_decision_the_same_reporter_can_report_again(as_user, post_id):
    first = report(as_user("mira"), post_id).get_json()["report"]
    assert resolve(as_user("mod"), first["id"], "dismiss").status_code == 200
    again = report(as_user("mira"), post_id)
    assert again.status_code == 201
    assert again.get_json()["report"]["id"] != first["id"]


@pytest.mark.parametrize("target_type", ["post", "comment", "user"])
def test_reporting_yourself_or_your_own_content_is_422(app, people, as_user, post_id, target_type):
    target_id = {
        "post": post_id,
        "comment": add_comment(app, post_id, people["vega"]),
        "user": people["vega"].id,
    }[target_type]
    response = report(as_user("vega"), target_id, target_type)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_failed"


def test_what_the_reporter_cannot_see_is_404(app, people, as_user, make_post, make_user):
    hidden_post = make_post(people["vega"], status="processing")
    gone = make_user("gone", disabled=True)
    mira = as_user("mira")
    assert report(mira, hidden_post).status_code == 404
    assert report(mira, 999_999).status_code == 404
    assert report(mira, 999_999, "comment").status_code == 404
    assert report(mira, gone.id, "user").status_code == 404
    assert report(mira, 999_999, "user").status_code == 404


def test_a_comment_and_a_user_can_be_reported(app, people, as_user, post_id):
    comment_id = add_comment(app, post_id, people["lyra"])
    assert report(as_user("mira"), comment_id, "comment", "harassment").status_code == 201
    assert report(as_user("mira"), people["lyra"].id, "user", "spam").status_code == 201
    with app.app_context():
        owners = {r.target_type: r.target_owner_id for r in db.session.scalars(db.select(Report))}
    assert owners == {"comment": people["lyra"].id, "user": people["lyra"].id}


def test_a_suspended_user_may_still_report(app, people, as_user, post_id):
    with app.app_context():
        db.session.get(User, people["mira"].id).suspended_at = utcnow()
        db.session.commit()
    assert report(as_user("mira"), post_id).status_code == 201


def test_bad_reports_are_422_and_anonymous_ones_401(client, as_user, post_id):
    mira = as_user("mira")
    assert report(mira, post_id, reason="boring").status_code == 422
    assert report(mira, post_id, target_type="galaxy").status_code == 422
    assert report(mira, post_id, details="x" * 1001).status_code == 422
    assert report(mira, post_id, details="x" * 1000).status_code == 201
    assert report(client, post_id).status_code == 401


def test_reports_are_rate_limited_per_user(app_factory, people, make_post):
    app = app_factory(REPORT_LIMIT="2 per hour")
    mira = app.test_client()
    login(mira, "mira")
    posts = [make_post(people["vega"]) for _ in range(3)]
    statuses = [report(mira, post).status_code for post in posts]
    assert statuses == [201, 201, 429]
    lyra = app.test_client()
    login(lyra, "lyra")
    assert report(lyra, posts[2]).status_code == 201


# -- the queue ------------------------------------------------------------------


@pytest.fixture
def filed(app, people, make_post, post_id):
    """Three reports on Vega's post (Mira's first), one on Lyra's comment, one on
    Deneb's account, filed a minute apart in that order."""
    comment_id = add_comment(app, post_id, people["lyra"], "You all suck")
    start = utcnow() - timedelta(hours=1)
    rows = [
        ("mira", "post", post_id, "spam"),
        ("vega", "comment", comment_id, "harassment"),
        ("lyra", "post", post_id, "stolen"),
        ("mira", "user", people["deneb"].id, "spam"),
        ("deneb", "post", post_id, "spam"),
    ]
    ids = []
    with app.app_context():
        for minute, (handle, target_type, target_id, reason) in enumerate(rows):
            reporter = db.session.get(User, people[handle].id)
            made = reports.file_report(
                db.session,
                reporter,
                target_type=target_type,
                target_id=target_id,
                reason=reason,
                now=start + timedelta(minutes=minute),
            )
            db.session.commit()
            ids.append(made.report.id)
    return {"ids": ids, "comment_id": comment_id, "post_id": post_id}


def test_the_queue_groups_reports_per_target_oldest_first(as_user, people, filed):
    page = queue(as_user("mod")).get_json()
    items = page["items"]
    assert [(i["target"]["type"], i["count"]) for i in items] == [
        ("post", 3),
        ("comment", 1),
        ("user", 1),
    ]
    post = items[0]
    assert post["report"]["id"] == filed["ids"][0]
    assert post["report"]["reporter"]["handle"] == "mira"
    assert post["reasons"] == {"spam": 2, "stolen": 1}
    assert post["target"]["title"] == "M42 in Ha"
    assert post["target"]["owner"]["handle"] == "vega"
    assert post["target"]["url"] == f"/p/{filed['post_id']}"
    assert items[1]["target"]["excerpt"] == "You all suck"
    assert items[1]["target"]["owner"]["handle"] == "lyra"
    assert items[2]["target"]["owner"]["handle"] == "deneb"
    assert page["has_more"] is False


def test_the_queue_filters_by_target_type_and_reason(as_user, filed):
    mod = as_user("mod")
    only_users = queue(mod, target_type="user").get_json()["items"]
    assert [i["target"]["type"] for i in only_users] == ["user"]
    stolen = queue(mod, reason="stolen").get_json()["items"]
    assert [(i["report"]["id"], i["count"]) for i in stolen] == [(filed["ids"][2], 3)]
    assert queue(mod, reason="boring").status_code == 422


def test_the_queue_pages_by_cursor(as_user, filed):
    mod = as_user("mod")
    first = queue(mod, limit=2).get_json()
    assert len(first["items"]) == 2
    assert first["has_more"] is True
    second = queue(mod, limit=2, cursor=first["next_cursor"]).get_json()
    assert [i["target"]["type"] for i in second["items"]] == ["user"]
    assert second["has_more"] is False
    assert queue(mod, cursor="forged").status_code == 400
    # A cursor belongs to its filters.
    assert queue(mod, limit=2, cursor=first["next_cursor"], reason="spam").status_code == 400


def test_the_queue_is_for_staff(client, as_user, filed):
    assert queue(client).status_code == 401
    assert queue(as_user("mira")).status_code == 403
    assert resolve(client, filed["ids"][0], "dismiss").status_code == 401
    assert resolve(as_user("mira"), filed["ids"][0], "dismiss").status_code == 403
    assert resolve(as_user("mira"), 999_999, "dismiss").status_code == 403
    assert resolve(as_user("mod"), 999_999, "dismiss").status_code == 404


# -- decisions --------------------------------------------------------------------


def audit_rows(app, action):
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_dismissing_resolves_the_whole_group_and_tells_each_reporter(app, people, as_user, filed):
    response = resolve(as_user("mod"), filed["ids"][2], "dismiss", "Not spam.")
    assert response.status_code == 200
    group = response.get_json()["resolved"]
    assert group["count"] == 3
    assert group["report"]["decision"] == "dismiss"
    with app.app_context():
        statuses = {r.id: r.status for r in db.session.scalars(db.select(Report))}
    assert [statuses[i] for i in filed["ids"]] == [
        "resolved",
        "open",
        "resolved",
        "open",
        "resolved",
    ]
    for handle in ("mira", "lyra", "deneb"):
        assert len(notifications_of(app, people[handle], "report_handled")) == 1
    assert notifications_of(app, people["vega"], "report_handled") == []
    assert notifications_of(app, people["vega"], "warning") == []
    (row,) = audit_rows(app, "report.resolve")
    assert (row.actor_id, row.target_type, row.target_id) == (
        people["mod"].id,
        "report",
        filed["ids"][2],
    )
    resolved = queue(as_user("mod"), status="resolved").get_json()["items"]
    assert [(i["report"]["id"], i["count"]) for i in resolved] == [(filed["ids"][0], 3)]


def test_a_resolved_report_cannot_be_resolved_again(as_user, filed):
    mod = as_user("mod")
    assert resolve(mod, filed["ids"][0], "dismiss").status_code == 200
    again = resolve(mod, filed["ids"][4], "dismiss")
    assert again.status_code == 409


def test_take_down_removes_the_post_with_the_note_as_reason(app, people, as_user, filed):
    response = resolve(as_user("mod"), filed["ids"][0], "take_down", "Someone else's image.")
    assert response.status_code == 200
    assert response.get_json()["resolved"]["target"]["taken_down"] is True
    with app.app_context():
        assert db.session.get(Post, filed["post_id"]).taken_down is True
    assert len(notifications_of(app, people["vega"], "take_down")) == 1
    assert len(audit_rows(app, "report.resolve")) == 1
    assert len(audit_rows(app, "post.take_down")) == 1
    assert as_user("mira").get(f"/api/v1/posts/{filed['post_id']}").status_code == 404


def test_take_down_and_label_need_a_post(as_user, filed):
    mod = as_user("mod")
    assert resolve(mod, filed["ids"][1], "take_down", "Rude.").status_code == 422
    assert resolve(mod, filed["ids"][3], "label", labels=["sensitive"]).status_code == 422
    assert resolve(mod, filed["ids"][0], "take_down", "").status_code == 422
    assert resolve(mod, filed["ids"][0], "label", labels=[]).status_code == 422
    assert resolve(mod, filed["ids"][0], "label", labels=["boring"]).status_code == 422


def test_label_adds_labels_to_the_post(app, as_user, filed):
    with app.app_context():
        db.session.get(Post, filed["post_id"]).labels = "processed"
        db.session.commit()
    response = resolve(as_user("mod"), filed["ids"][0], "label", "Flashes.", labels=["flashing"])
    assert response.status_code == 200
    assert response.get_json()["resolved"]["target"]["labels"] == ["flashing", "processed"]
    with app.app_context():
        assert db.session.get(Post, filed["post_id"]).labels == "flashing processed"
    assert len(audit_rows(app, "post.label")) == 1
    assert len(audit_rows(app, "report.resolve")) == 1


def test_warn_sends_the_note_to_the_targets_owner(app, people, as_user, filed):
    response = resolve(as_user("mod"), filed["ids"][1], "warn", "Be kind in comments.")
    assert response.status_code == 200
    (warning,) = notifications_of(app, people["lyra"], "warning")
    with app.app_context():
        assert db.session.get(Report, warning.report_id).note == "Be kind in comments."
    (handled,) = notifications_of(app, people["vega"], "report_handled")
    assert handled.report_id == filed["ids"][1]
    assert resolve(as_user("mod"), filed["ids"][3], "warn", "").status_code == 422


def test_resolving_writes_one_audit_row_per_decision(app, as_user, filed):
    mod = as_user("mod")
    resolve(mod, filed["ids"][0], "dismiss")
    resolve(mod, filed["ids"][1], "warn", "Careful.")
    resolve(mod, filed["ids"][3], "dismiss")
    assert len(audit_rows(app, "report.resolve")) == 3


def test_a_report_remembers_the_resolution(app, people, as_user, filed):
    resolve(as_user("mod"), filed["ids"][3], "dismiss", "Fine account.")
    with app.app_context():
        done = db.session.get(Report, filed["ids"][3])
        assert done.status == ReportStatus.RESOLVED
        assert (done.decision, done.note, done.resolved_by_id) == (
            "dismiss",
            "Fine account.",
            people["mod"].id,
        )
        assert done.resolved_at is not None


# -- the command line ---------------------------------------------------------------


def test_flask_reports_list_shows_the_groups(runner, as_user, filed):
    result = runner.invoke(args=["reports", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "filed", "reports", "reason", "status", "target"]
    assert "'M42 in Ha' by @vega" in lines[1]
    assert len(lines) == 4

    resolve(as_user("mod"), filed["ids"][3], "dismiss", "Fine.")
    result = runner.invoke(args=["reports", "list", "--status", "resolved", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["count"] == 1
    (group,) = document["reports"]
    assert (group["id"], group["decision"], group["note"]) == (filed["ids"][3], "dismiss", "Fine.")
    assert group["target"]["owner"] == "deneb"
