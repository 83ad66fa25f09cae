"""The audit log: every staff operation writes exactly one row (whichever door
it came through), managers read it (GET /api/v1/admin/audit, /admin/audit)
and operators list it (flask audit list).

To cover another staff operation, add one ``Op(...)`` line to OPERATIONS:
what to do (``run``, given a World), what must stand before (``given``), and
the one row it must write (action, target type, actor's handle or None,
source)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import AuditEntry, AuditSource, Post, Report, Role, Strike, User, utcnow
from skyframe.models.appeal import Appeal
from skyframe.models.moderation import TakeDown
from skyframe.moderation import labels, strikes, suspensions, takedowns
from skyframe.support import appeals, tickets
from tests.conftest import login

RULES = strikes.StrikeRules(take_downs_per_strike=2, suspend_at=3)


class World:
    """Vega (owner of a post), Mod (moderator), Boss (manager), and a client."""

    def __init__(self, app, client, make_user, make_post):
        self.app, self.client, self.make_post = app, client, make_post
        self.ids = {
            handle: make_user(handle, role=role).id
            for handle, role in (
                ("vega", Role.USER),
                ("mod", Role.MODERATOR),
                ("boss", Role.MANAGER),
            )
        }
        self.post = make_post(self.ids["vega"], title="Orion Nebula")
        self.signed_in: str | None = None
        self.ticket_id: int | None = None

    def domain(self, action: Callable, *, by: str = "mod", source=AuditSource.API) -> None:
        """Run a moderation action as ``by`` (``None``: the operator) and commit."""
        with self.app.app_context():
            actor = db.session.get(User, self.ids[by])
            action(db.session, actor, source=source, now=utcnow())
            db.session.commit()

    def form(self, handle: str, path: str, **fields) -> None:
        """Submit a staff page's form as ``handle``; it must redirect (PRG)."""
        if self.signed_in != handle:
            self.client.post("/api/v1/auth/logout")
            login(self.client, handle)
            self.signed_in = handle
        data = {"csrf_token": self.client.csrf_token(), **fields}
        response = self.client.post(path, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)

    def api(self, handle: str, method: str, path: str, json: dict | None = None) -> None:
        """Call the JSON API as ``handle``; it must succeed."""
        if self.signed_in != handle:
            self.client.post("/api/v1/auth/logout")
            login(self.client, handle)
            self.signed_in = handle
        response = self.client.open(path, method=method, json=json if json is not None else {})
        assert response.status_code < 300, response.get_json()

    def cli(self, *args: str) -> None:
        """Run a ``flask`` command as the operator; it must succeed."""
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output

    def report(self) -> int:
        """An open report on Vega's post (by Boss, who may report like anyone)."""
        with self.app.app_context():
            report = Report(
                reporter_id=self.ids["boss"],
                target_type="post",
                target_id=self.post,
                target_owner_id=self.ids["vega"],
                reason="spam",
            )
            db.session.add(report)
            db.session.commit()
            return report.id

    def ticket(self) -> int:
        """Vega's ticket (one per world: opened on first use)."""
        if self.ticket_id is None:
            with self.app.app_context():
                vega = db.session.get(User, self.ids["vega"])
                self.ticket_id = tickets.open_ticket(
                    db.session, vega, "Help", "Please.", utcnow()
                ).id
                db.session.commit()
        return self.ticket_id

    def loaded_post(self, session) -> Post:
        return session.get(Post, self.post)

    def user(self, session, handle: str) -> User:
        return session.get(User, self.ids[handle])

    def strike_id(self) -> int:
        with self.app.app_context():
            return db.session.scalar(db.select(Strike.id).where(Strike.user_id == self.ids["vega"]))

    def rows(self) -> list[tuple]:
        with self.app.app_context():
            entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
            return [
                (e.action, e.target_type, e.actor.handle if e.actor else None, e.source)
                for e in entries
            ]


# -- what must stand before an operation --------------------------------------


def taken_down(w: World) -> None:
    w.domain(lambda s, a, **kw: takedowns.take_down(s, a, w.loaded_post(s), "Spam.", RULES, **kw))


def struck(w: World) -> None:
    """Two take-downs of Vega's posts: one strike."""
    taken_down(w)
    second = w.make_post(w.ids["vega"])
    w.domain(
        lambda s, a, **kw: takedowns.take_down(s, a, s.get(Post, second), "Spam.", RULES, **kw)
    )


def suspended(w: World) -> None:
    w.domain(
        lambda s, a, **kw: suspensions.suspend(
            s, a, w.user(s, "vega"), until=None, reason="x", **kw
        )
    )


def assigned(w: World) -> None:
    """Vega's ticket, taken by Mod."""
    ticket_id = w.ticket()
    w.domain(
        lambda s, a, **kw: tickets.assign(
            s, tickets.get_ticket(s, a, ticket_id), a, kw["now"], source=kw["source"]
        )
    )


def appealed(w: World) -> None:
    """Vega's post taken down, and Vega's appeal of it."""
    taken_down(w)
    with w.app.app_context():
        removal = db.session.scalar(db.select(TakeDown.id).where(TakeDown.post_id == w.post))
        appeals.appeal(
            db.session, w.user(db.session, "vega"), "take_down", removal, "Mine.", utcnow()
        )
        db.session.commit()


def appealed_then_restored(w: World) -> None:
    """An appeal whose take-down a manager undid meanwhile."""
    appealed(w)
    w.domain(
        lambda s, a, **kw: takedowns.restore(s, a, w.loaded_post(s), "Oops.", RULES, **kw),
        by="boss",
    )


def appeal_id(w: World) -> int:
    with w.app.app_context():
        return db.session.scalar(db.select(Appeal.id))


@dataclass(frozen=True)
class Op:
    name: str
    run: Callable[[World], None]
    row: tuple[str, str, str | None, str]  # action, target type, actor, source
    given: Callable[[World], None] = lambda w: None


P = "/admin/posts/{post}"
A = "/api/v1/admin"
OPERATIONS = [
    Op(
        "take-down (domain)",
        lambda w: w.domain(
            lambda s, a, **kw: takedowns.take_down(s, a, w.loaded_post(s), "Spam.", RULES, **kw)
        ),
        ("post.take_down", "post", "mod", "api"),
    ),
    Op(
        "restore (domain)",
        lambda w: w.domain(
            lambda s, a, **kw: takedowns.restore(s, a, w.loaded_post(s), "Fine.", RULES, **kw),
            by="boss",
        ),
        ("post.restore", "post", "boss", "api"),
        given=taken_down,
    ),
    Op(
        "label by staff (domain)",
        lambda w: w.domain(
            lambda s, a, **kw: labels.set_labels(s, a, w.loaded_post(s), ["flashing"], **kw)
        ),
        ("post.label", "post", "mod", "api"),
    ),
    Op(
        "strike resolve (domain)",
        lambda w: w.domain(
            lambda s, a, **kw: strikes.resolve(
                s, a, s.get(Strike, w.strike_id()), "Old news.", RULES, **kw
            )
        ),
        ("strike.resolve", "strike", "mod", "api"),
        given=struck,
    ),
    Op(
        "suspend (domain)",
        lambda w: w.domain(
            lambda s, a, **kw: suspensions.suspend(
                s, a, w.user(s, "vega"), until=utcnow() + timedelta(days=1), reason="Spam", **kw
            )
        ),
        ("account.suspend", "user", "mod", "api"),
    ),
    Op(
        "unsuspend (domain)",
        lambda w: w.domain(lambda s, a, **kw: suspensions.unsuspend(s, a, w.user(s, "vega"), **kw)),
        ("account.unsuspend", "user", "mod", "api"),
        given=suspended,
    ),
    Op(
        "take-down (staff page)",
        lambda w: w.form("mod", P.format(post=w.post) + "/take-down", reason="Not a sky image."),
        ("post.take_down", "post", "mod", "web"),
    ),
    Op(
        "restore (staff page)",
        lambda w: w.form("boss", P.format(post=w.post) + "/restore", note="A mistake."),
        ("post.restore", "post", "boss", "web"),
        given=taken_down,
    ),
    Op(
        "labels (staff page)",
        lambda w: w.form("mod", P.format(post=w.post) + "/labels", labels=["sensitive"]),
        ("post.label", "post", "mod", "web"),
    ),
    Op(
        "report decision (staff page)",
        lambda w: w.form("mod", f"/admin/reports/{w.report()}/resolve", decision="dismiss"),
        ("report.resolve", "report", "mod", "web"),
    ),
    Op(
        "suspend (staff page)",
        lambda w: w.form("mod", "/admin/users/vega/suspend", reason="Cool off."),
        ("account.suspend", "user", "mod", "web"),
    ),
    Op(
        "unsuspend (staff page)",
        lambda w: w.form("mod", "/admin/users/vega/unsuspend"),
        ("account.unsuspend", "user", "mod", "web"),
        given=suspended,
    ),
    Op(
        "role change (staff page)",
        lambda w: w.form("boss", "/admin/users/vega/role", role="moderator"),
        ("account.role", "user", "boss", "web"),
    ),
    Op(
        "disable (staff page)",
        lambda w: w.form("boss", "/admin/users/vega/disable", reason="Spam wave."),
        ("account.disable", "user", "boss", "web"),
    ),
    Op(
        "enable (staff page)",
        lambda w: w.form("boss", "/admin/users/vega/enable"),
        ("account.enable", "user", "boss", "web"),
        given=lambda w: w.cli("users", "disable", "vega"),
    ),
    Op(
        "account delete (staff page)",
        lambda w: w.form("boss", "/admin/users/vega/delete", confirm="vega"),
        ("account.delete", "user", "boss", "web"),
    ),
    # -- the JSON API ------------------------------------------------------------
    Op(
        "report decision (API)",
        lambda w: w.api(
            "mod",
            "POST",
            f"{A}/reports/{w.report()}/resolve",
            {"decision": "dismiss", "note": "Ok"},
        ),
        ("report.resolve", "report", "mod", "api"),
    ),
    Op(
        "take-down (API)",
        lambda w: w.api("mod", "POST", f"{A}/posts/{w.post}/take-down", {"reason": "Spam."}),
        ("post.take_down", "post", "mod", "api"),
    ),
    Op(
        "restore (API)",
        lambda w: w.api("boss", "POST", f"{A}/posts/{w.post}/restore", {"note": "Fine."}),
        ("post.restore", "post", "boss", "api"),
        given=taken_down,
    ),
    Op(
        "labels (API)",
        lambda w: w.api("mod", "PUT", f"{A}/posts/{w.post}/labels", {"labels": ["processed"]}),
        ("post.label", "post", "mod", "api"),
    ),
    Op(
        "strike resolve (API)",
        lambda w: w.api("mod", "POST", f"{A}/strikes/{w.strike_id()}/resolve", {"note": "Ok."}),
        ("strike.resolve", "strike", "mod", "api"),
        given=struck,
    ),
    Op(
        "suspend (API)",
        lambda w: w.api("mod", "POST", f"{A}/users/vega/suspend", {"reason": "Spam."}),
        ("account.suspend", "user", "mod", "api"),
    ),
    Op(
        "unsuspend (API)",
        lambda w: w.api("mod", "POST", f"{A}/users/vega/unsuspend"),
        ("account.unsuspend", "user", "mod", "api"),
        given=suspended,
    ),
    Op(
        "account delete by a manager (API)",
        lambda w: w.api("boss", "DELETE", f"{A}/users/vega"),
        ("account.delete", "user", "boss", "api"),
    ),
    Op(
        "ticket assign (API)",
        lambda w: w.api("mod", "POST", f"{A}/tickets/{w.ticket()}/assign"),
        ("ticket.assign", "ticket", "mod", "api"),
    ),
    Op(
        "ticket answer (API)",
        lambda w: w.api("mod", "POST", f"{A}/tickets/{w.ticket()}/replies", {"text": "Done."}),
        ("ticket.reply", "ticket", "mod", "api"),
        given=assigned,
    ),
    Op(
        "ticket escalate (API)",
        lambda w: w.api("mod", "POST", f"{A}/tickets/{w.ticket()}/escalate", {"note": "Boss."}),
        ("ticket.escalate", "ticket", "mod", "api"),
    ),
    Op(
        "ticket close (API)",
        lambda w: w.api("mod", "POST", f"{A}/tickets/{w.ticket()}/close"),
        ("ticket.close", "ticket", "mod", "api"),
    ),
    Op(
        "ticket assign (staff page)",
        lambda w: w.form("mod", f"/admin/tickets/{w.ticket()}/assign"),
        ("ticket.assign", "ticket", "mod", "web"),
    ),
    Op(
        "ticket answer (staff page)",
        lambda w: w.form("mod", f"/admin/tickets/{w.ticket()}/reply", text="Done."),
        ("ticket.reply", "ticket", "mod", "web"),
        given=assigned,
    ),
    Op(
        "ticket escalate (staff page)",
        lambda w: w.form("mod", f"/admin/tickets/{w.ticket()}/escalate", note="Boss."),
        ("ticket.escalate", "ticket", "mod", "web"),
    ),
    Op(
        "ticket close (staff page)",
        lambda w: w.form("boss", f"/admin/tickets/{w.ticket()}/close"),
        ("ticket.close", "ticket", "boss", "web"),
    ),
    # An appeal's decision is one row; an overturn also writes the row of what
    # it undid (post.restore, strike.resolve: tests/test_appeals.py).
    Op(
        "appeal uphold (API)",
        lambda w: w.api(
            "boss", "POST", f"{A}/appeals/{appeal_id(w)}/decision", {"decision": "uphold"}
        ),
        ("appeal.uphold", "appeal", "boss", "api"),
        given=appealed,
    ),
    Op(
        "appeal uphold (staff page)",
        lambda w: w.form("boss", f"/admin/appeals/{appeal_id(w)}/decision", decision="uphold"),
        ("appeal.uphold", "appeal", "boss", "web"),
        given=appealed,
    ),
    Op(
        "appeal overturn of a decision undone meanwhile (API)",
        lambda w: w.api(
            "boss", "POST", f"{A}/appeals/{appeal_id(w)}/decision", {"decision": "overturn"}
        ),
        ("appeal.overturn", "appeal", "boss", "api"),
        given=appealed_then_restored,
    ),
    # -- the CLI, as the operator (no account) ----------------------------------------
    Op(
        "suspend (CLI)",
        lambda w: w.cli("users", "suspend", "vega", "--reason", "Spam."),
        ("account.suspend", "user", None, "cli"),
    ),
    Op(
        "unsuspend (CLI)",
        lambda w: w.cli("users", "unsuspend", "vega"),
        ("account.unsuspend", "user", None, "cli"),
        given=suspended,
    ),
    Op(
        "role change (CLI)",
        lambda w: w.cli("users", "set-role", "vega", "moderator"),
        ("account.role", "user", None, "cli"),
    ),
    Op(
        "disable (CLI)",
        lambda w: w.cli("users", "disable", "vega"),
        ("account.disable", "user", None, "cli"),
    ),
    Op(
        "enable (CLI)",
        lambda w: w.cli("users", "enable", "vega"),
        ("account.enable", "user", None, "cli"),
        given=lambda w: w.cli("users", "disable", "vega"),
    ),
    Op(
        "account delete (CLI)",
        lambda w: w.cli("users", "delete", "vega", "--yes"),
        ("account.delete", "user", None, "cli"),
    ),
]


@pytest.fixture
def world(app, client, make_user, make_post) -> World:
    return World(app, client, make_user, make_post)


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_every_staff_operation_writes_exactly_one_audit_row(world, op):
    op.given(world)
    before = len(world.rows())
    op.run(world)
    assert world.rows()[before:] == [op.row]


def test_consequences_the_site_draws_are_its_own_rows(world):
    struck(world)
    assert world.rows() == [
        ("post.take_down", "post", "mod", "api"),
        ("post.take_down", "post", "mod", "api"),
        ("strike.issue", "strike", None, "system"),
    ]


# -- reading the log ----------------------------------------------------------


def test_the_log_is_for_managers_only(world, client):
    assert client.get("/api/v1/admin/audit").status_code == 401
    for handle in ("vega", "mod"):
        login(client, handle)
        response = client.get("/api/v1/admin/audit")
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        client.post("/api/v1/auth/logout")
    login(client, "boss")
    assert client.get("/api/v1/admin/audit").status_code == 200


def test_entries_newest_first_with_who_what_why_and_where(world, client):
    taken_down(world)
    world.domain(
        lambda s, a, **kw: takedowns.restore(s, a, world.loaded_post(s), "Fine.", RULES, **kw),
        by="boss",
        source=AuditSource.WEB,
    )
    login(client, "boss")
    items = client.get("/api/v1/admin/audit").get_json()["items"]
    assert [(i["action"], i["source"]) for i in items] == [
        ("post.restore", "web"),
        ("post.take_down", "api"),
    ]
    restore = items[0]
    assert restore["actor"] == {"handle": "boss", "display_name": "Boss"}
    assert (restore["target_type"], restore["target_id"], restore["reason"]) == (
        "post",
        world.post,
        "Fine.",
    )
    assert restore["created_at"]
    assert restore["id"] > items[1]["id"]


def test_the_site_s_own_entries_have_no_actor(world, client):
    struck(world)
    login(client, "boss")
    (issued,) = client.get("/api/v1/admin/audit?action=strike.issue").get_json()["items"]
    assert issued["actor"] is None
    assert issued["source"] == "system"


def test_filters_by_actor_handle_action_and_target_type(world, client):
    struck(world)
    suspended(world)
    world.domain(
        lambda s, a, **kw: labels.set_labels(s, a, world.loaded_post(s), ["processed"], **kw),
        by="boss",
    )
    login(client, "boss")

    def actions(query: str) -> list[str]:
        response = client.get(f"/api/v1/admin/audit?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["action"] for item in response.get_json()["items"]]

    assert actions("actor=boss") == ["post.label"]
    assert actions("actor=%40MOD") == ["account.suspend", "post.take_down", "post.take_down"]
    assert actions("action=post.take_down&actor=mod") == ["post.take_down", "post.take_down"]
    assert actions("target_type=user") == ["account.suspend"]
    assert actions("target_type=strike") == ["strike.issue"]
    assert actions("actor=vega") == []


def test_an_unknown_actor_or_action_is_a_422_naming_the_field(world, client):
    login(client, "boss")
    response = client.get("/api/v1/admin/audit?actor=nobody")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"actor": "No account has this handle."}
    assert client.get("/api/v1/admin/audit?action=post.burn").status_code == 422


def test_pages_follow_each_other_without_gaps_and_cursors_are_checked(world, client):
    for _ in range(5):
        post_id = world.make_post(world.ids["vega"])
        world.domain(
            lambda s, a, pid=post_id, **kw: labels.set_labels(
                s, a, s.get(Post, pid), ["flashing"], **kw
            )
        )
    login(client, "boss")
    seen, cursor = [], None
    while True:
        query = "limit=2&action=post.label" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/admin/audit?{query}").get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        assert page["has_more"] == (cursor is not None)
        if cursor is None:
            break
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)
    bad = client.get("/api/v1/admin/audit?cursor=forged")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "invalid_cursor"


def test_flask_audit_list_shows_the_log_to_the_operator(world, runner):
    struck(world)
    result = runner.invoke(args=["audit", "list", "--action", "strike.issue"])
    assert result.exit_code == 0, result.output
    assert "strike.issue" in result.output
    assert "(system)" in result.output
    assert "post.take_down" not in result.output
    result = runner.invoke(args=["audit", "list", "--actor", "mod", "--limit", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert '"count": 1' in result.output
    assert '"actor": "mod"' in result.output
    result = runner.invoke(args=["audit", "list", "--target-type", "user", "--json"])
    assert '"count": 0' in result.output
    result = runner.invoke(args=["audit", "list", "--actor", "nobody"])
    assert result.exit_code == 1
    assert "nobody" in result.output
