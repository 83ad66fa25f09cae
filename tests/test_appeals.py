"""Appeals: the owner appeals a take-down or a strike once, while it stands;
a manager (not the appellant) upholds or overturns it once, and an overturn
undoes the decision — the post restored everywhere, the strike resolved and
its suspension lifted."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyframe import policy
from skyframe.extensions import db
from skyframe.models import (
    Appeal,
    AuditEntry,
    AuditSource,
    Notification,
    Post,
    Role,
    Strike,
    TakeDown,
    Ticket,
    TicketMessage,
    User,
    utcnow,
)
from skyframe.moderation import strikes, takedowns
from skyframe.policy import is_suspended
from skyframe.support import appeals, tickets
from tests import test_takedown_visibility as visibility
from tests.conftest import login
from tests.test_takedown_visibility import scene  # noqa: F401  (a fixture used below)

RULES = strikes.StrikeRules(take_downs_per_strike=2, suspend_at=3)
API = AuditSource.API


@pytest.fixture
def people(app, make_user):
    """Vega (a user), Mod (moderator), Boss (manager), Mira (another user),
    each with a signed-in client."""
    roles = {"vega": Role.USER, "mod": Role.MODERATOR, "boss": Role.MANAGER, "mira": Role.USER}
    ids, clients = {}, {}
    for handle, role in roles.items():
        ids[handle] = make_user(handle, role=role).id
        clients[handle] = app.test_client()
        assert login(clients[handle], handle).status_code == 200
    return ids, clients


@pytest.fixture
def take_down(app, make_post, people):
    """Take down ``count`` new posts of Vega's: their take-down ids."""
    ids, _ = people

    def run(count: int = 1, owner: str = "vega") -> list[int]:
        found = []
        for _ in range(count):
            post_id = make_post(ids[owner], title="Horsehead")
            with app.app_context():
                moderator = db.session.get(User, ids["mod"])
                removal = takedowns.take_down(
                    db.session,
                    moderator,
                    db.session.get(Post, post_id),
                    "Not a sky image.",
                    RULES,
                    now=utcnow(),
                    source=API,
                )
                db.session.commit()
                found.append(removal.id)
        return found

    return run


def strike_ids(app, user_id: int, *, active: bool = True) -> list[int]:
    with app.app_context():
        query = db.select(Strike.id).where(Strike.user_id == user_id)
        if active:
            query = query.where(Strike.resolved_at.is_(None))
        return list(db.session.scalars(query.order_by(Strike.id)))


def appeal(client, target_type: str, target_id: int, text: str = "It is the sky."):
    return client.post(
        "/api/v1/appeals", json={"target_type": target_type, "target_id": target_id, "text": text}
    )


def decide(client, appeal_id: int, decision: str, note: str = "Looked again."):
    return client.post(
        f"/api/v1/admin/appeals/{appeal_id}/decision", json={"decision": decision, "note": note}
    )


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


# -- appealing ----------------------------------------------------------------


def test_the_owner_appeals_a_take_down_and_it_waits_for_a_manager(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    response = appeal(clients["vega"], "take_down", removal, "  It is the Horsehead.  ")
    assert response.status_code == 201, response.get_json()
    filed = response.get_json()["appeal"]
    assert filed["status"] == "pending"
    assert (filed["target_type"], filed["target_id"]) == ("take_down", removal)
    assert filed["text"] == "It is the Horsehead."
    assert filed["about"] == "Removal of “Horsehead”"
    assert filed["decided_at"] is None
    mine = clients["vega"].get("/api/v1/appeals").get_json()["items"]
    assert [a["id"] for a in mine] == [filed["id"]]
    queue = clients["boss"].get("/api/v1/admin/appeals").get_json()["items"]
    assert [(a["id"], a["appellant"]["handle"]) for a in queue] == [(filed["id"], "vega")]
    assert queue[0]["target"]["stands"] is True


def test_a_second_appeal_of_the_same_decision_is_refused(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    assert appeal(clients["vega"], "take_down", removal).status_code == 201
    again = appeal(clients["vega"], "take_down", removal, "Please, once more.")
    assert again.status_code == 409
    assert error_code(again) == "already_appealed"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Appeal)) == 1


def test_a_decided_appeal_cannot_be_appealed_again(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    assert decide(clients["boss"], filed["id"], "uphold").status_code == 200
    again = appeal(clients["vega"], "take_down", removal)
    assert (again.status_code, error_code(again)) == (409, "already_appealed")


def test_only_the_owner_appeals_and_others_learn_nothing(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    for handle in ("mira", "mod", "boss"):
        response = appeal(clients[handle], "take_down", removal)
        assert response.status_code == 404, handle
    assert appeal(clients["mira"], "take_down", 999_999).status_code == 404
    assert appeal(app.test_client(), "take_down", removal).status_code == 401


def test_another_s_strike_is_not_theirs_to_appeal(app, people, take_down):
    ids, clients = people
    take_down(2)
    (strike,) = strike_ids(app, ids["vega"])
    assert appeal(clients["mira"], "strike", strike).status_code == 404
    assert appeal(clients["vega"], "strike", strike).status_code == 201


def test_only_a_decision_that_stands_is_appealed(app, people, take_down):
    ids, clients = people
    first, _ = take_down(2)
    clients["boss"].post(f"/api/v1/admin/posts/{post_of(app, first)}/restore", json={"note": ""})
    restored = appeal(clients["vega"], "take_down", first)
    assert (restored.status_code, error_code(restored)) == (409, "decision_not_standing")
    # Restoring the first withdrew the strike the two made.
    (strike,) = strike_ids(app, ids["vega"], active=False)
    resolved = appeal(clients["vega"], "strike", strike)
    assert (resolved.status_code, error_code(resolved)) == (409, "decision_not_standing")


def test_the_text_is_required_and_capped(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    empty = appeal(clients["vega"], "take_down", removal, "   ")
    assert empty.status_code == 422
    assert "text" in empty.get_json()["error"]["fields"]
    long = appeal(clients["vega"], "take_down", removal, "x" * 5001)
    assert long.status_code == 422
    assert appeal(clients["vega"], "take_down", removal, "é" * 5000).status_code == 201


def test_a_suspended_account_may_appeal_its_strike(app, people, take_down):
    ids, clients = people
    take_down(6)
    with app.app_context():
        assert is_suspended(db.session.get(User, ids["vega"]), utcnow())
    newest = strike_ids(app, ids["vega"])[-1]
    assert appeal(clients["vega"], "strike", newest).status_code == 201


def post_of(app, take_down_id: int) -> int:
    with app.app_context():
        return db.session.get(TakeDown, take_down_id).post_id


# -- deciding -------------------------------------------------------------------


def test_only_managers_decide_and_never_their_own(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    for handle in ("vega", "mira", "mod"):
        response = decide(clients[handle], filed["id"], "overturn")
        assert response.status_code == 403, handle
    assert clients["mod"].get("/api/v1/admin/appeals").status_code == 403
    # A manager's own take-down is decided by another manager.
    (own,) = take_down(owner="boss")
    mine = appeal(clients["boss"], "take_down", own).get_json()["appeal"]
    assert decide(clients["boss"], mine["id"], "overturn").status_code == 403
    with app.app_context():
        assert db.session.get(Appeal, filed["id"]).status == "pending"
        assert db.session.get(Post, post_of(app, removal)).taken_down


def test_an_unknown_appeal_is_404_for_a_manager(people):
    _, clients = people
    assert decide(clients["boss"], 424242, "uphold").status_code == 404


def test_overturning_a_take_down_restores_the_post_and_withdraws_its_strike(app, people, take_down):
    ids, clients = people
    first, _ = take_down(2)
    assert len(strike_ids(app, ids["vega"])) == 1
    filed = appeal(clients["vega"], "take_down", first).get_json()["appeal"]
    response = decide(clients["boss"], filed["id"], "overturn", "It is the Horsehead.")
    assert response.status_code == 200, response.get_json()
    decided = response.get_json()["appeal"]
    assert decided["status"] == "overturned"
    assert decided["decision_note"] == "It is the Horsehead."
    assert decided["decided_by"]["handle"] == "boss"
    assert decided["target"]["stands"] is False
    with app.app_context():
        removal = db.session.get(TakeDown, first)
        assert removal.restored_at is not None
        assert removal.restore_note == "It is the Horsehead."
        assert not db.session.get(Post, removal.post_id).taken_down
    assert strike_ids(app, ids["vega"]) == []


def test_overturning_a_strike_resolves_it_and_lifts_the_strike_suspension(app, people, take_down):
    ids, clients = people
    take_down(6)
    with app.app_context():
        assert is_suspended(db.session.get(User, ids["vega"]), utcnow())
    struck = strike_ids(app, ids["vega"])
    filed = appeal(clients["vega"], "strike", struck[0], "The first two were mine.")
    assert filed.status_code == 201
    response = decide(clients["boss"], filed.get_json()["appeal"]["id"], "overturn")
    assert response.status_code == 200, response.get_json()
    assert strike_ids(app, ids["vega"]) == struck[1:]
    with app.app_context():
        strike = db.session.get(Strike, struck[0])
        assert not strike.active
        assert strike.resolve_note == "Looked again."
        vega = db.session.get(User, ids["vega"])
        assert not vega.strike_suspended
        assert not is_suspended(vega, utcnow())
    standing = clients["vega"].get("/api/v1/me/strikes").get_json()["standing"]
    assert (standing["suspended"], standing["active_strikes"]) == (False, 2)
    # The take-downs it counted stay counted: posting works again at once.
    assert clients["vega"].post("/api/v1/posts/1/comments", json={"body": "x"}).status_code != 403


def test_upholding_keeps_the_decision(app, people, take_down):
    ids, clients = people
    take_down(6)
    struck = strike_ids(app, ids["vega"])
    (removal,) = take_down()
    on_strike = appeal(clients["vega"], "strike", struck[0]).get_json()["appeal"]
    on_take_down = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    for filed in (on_strike, on_take_down):
        response = decide(clients["boss"], filed["id"], "uphold", "The rules are clear.")
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["appeal"]["status"] == "upheld"
        assert response.get_json()["appeal"]["target"]["stands"] is True
    assert strike_ids(app, ids["vega"]) == struck
    with app.app_context():
        assert db.session.get(User, ids["vega"]).strike_suspended
        assert db.session.get(TakeDown, removal).restored_at is None
        assert db.session.get(Post, post_of(app, removal)).taken_down


def test_an_appeal_is_decided_once(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    assert decide(clients["boss"], filed["id"], "uphold").status_code == 200
    for decision in ("uphold", "overturn"):
        again = decide(clients["boss"], filed["id"], decision)
        assert (again.status_code, error_code(again)) == (409, "appeal_decided")
    with app.app_context():
        assert db.session.get(Post, post_of(app, removal)).taken_down


def test_a_decision_undone_meanwhile_can_only_be_overturned(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    restored = clients["boss"].post(
        f"/api/v1/admin/posts/{post_of(app, removal)}/restore", json={"note": "Oops."}
    )
    assert restored.status_code == 200
    upheld = decide(clients["boss"], filed["id"], "uphold")
    assert (upheld.status_code, error_code(upheld)) == (409, "decision_not_standing")
    overturned = decide(clients["boss"], filed["id"], "overturn")
    assert overturned.status_code == 200, overturned.get_json()
    assert overturned.get_json()["appeal"]["status"] == "overturned"


def test_the_appellant_is_told_and_the_decision_is_audited(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    before = audit_rows(app)
    decide(clients["boss"], filed["id"], "overturn", "Fine by us.")
    assert audit_rows(app)[len(before) :] == [
        ("post.restore", "post", "boss", "api"),
        ("appeal.overturn", "appeal", "boss", "api"),
    ]
    notices = clients["vega"].get("/api/v1/notifications").get_json()["items"]
    kinds = [n["kind"] for n in notices]
    assert kinds[:2] == ["appeal_decided", "restored"]
    told = notices[0]
    assert told["message"] == "Your appeal was accepted: the decision is overturned"
    assert told["reason"] == "Fine by us."
    assert told["url"] == "/settings/standing"
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(Notification.appeal_id).where(Notification.kind == "appeal_decided")
            )
            == filed["id"]
        )


def audit_rows(app) -> list[tuple]:
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
        return [
            (e.action, e.target_type, e.actor.handle if e.actor else None, e.source)
            for e in entries
        ]


def test_decided_appeals_are_listed_by_status_newest_first(app, people, take_down):
    _, clients = people
    removals = take_down(3)
    filed = [appeal(clients["vega"], "take_down", r).get_json()["appeal"]["id"] for r in removals]
    decide(clients["boss"], filed[0], "uphold")
    decide(clients["boss"], filed[2], "uphold")

    def listed(status: str, limit: int = 20) -> list[int]:
        seen, cursor = [], None
        while True:
            query = {"status": status, "limit": limit, **({"cursor": cursor} if cursor else {})}
            page = clients["boss"].get("/api/v1/admin/appeals", query_string=query).get_json()
            seen += [a["id"] for a in page["items"]]
            if not page["has_more"]:
                return seen
            cursor = page["next_cursor"]

    assert listed("pending") == [filed[1]]
    assert listed("upheld", limit=1) == [filed[2], filed[0]]
    assert listed("overturned") == []


# -- everywhere: the post comes back ------------------------------------------------

# The cases of tests/test_takedown_visibility.py but the notifications (which
# tell of the take-down). A listing is read by whom it is for (the visitor,
# or Mira who follows Vega and saved the post); the post's own URLs by all.
EVERYWHERE = [case for case in visibility.CASES if not case[0].startswith("notifications")]


def readers(expected: dict[str, object]) -> list[str]:
    if all(isinstance(want, int) for want in expected.values()):
        return list(expected)
    return ["other" if expected["visitor"] == "sign-in" else "visitor"]


@pytest.mark.parametrize(
    ("name", "url", "expected"), EVERYWHERE, ids=[case[0] for case in EVERYWHERE]
)
def test_a_take_down_overturned_on_appeal_restores_the_post_everywhere(
    app,
    scene,  # noqa: F811  (the fixture imported above)
    make_user,
    name,
    url,
    expected,
):
    clients, values = scene["clients"], scene["values"]
    make_user("boss", role=Role.MANAGER)
    boss = app.test_client()
    login(boss, "boss")
    with app.app_context():
        removal = db.session.scalar(
            db.select(TakeDown.id).where(TakeDown.post_id == values["taken"])
        )
    filed = appeal(clients["owner"], "take_down", removal)
    assert filed.status_code == 201, filed.get_json()
    assert decide(boss, filed.get_json()["appeal"]["id"], "overturn").status_code == 200
    for actor in readers(expected):
        response = clients[actor].get(url.format(**values))
        assert response.status_code == 200, (name, actor)
        if not isinstance(expected[actor], int):
            assert values["taken"] in visibility.listed_ids(response), (name, actor)


# -- the conversation ------------------------------------------------------------------


def test_an_appeal_opens_a_ticket_for_managers_with_its_text(app, people, take_down):
    ids, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal, "It is the Horsehead.")
    ticket_id = filed.get_json()["appeal"]["ticket_id"]
    assert ticket_id is not None
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert (ticket.owner_id, ticket.status, ticket.managers_only) == (ids["vega"], "open", True)
        assert ticket.title == "Appeal: Removal of “Horsehead”"
        thread = tickets.messages(db.session, ticket)
        assert [(m.author_id, m.text) for m in thread] == [(ids["vega"], "It is the Horsehead.")]
        moderator = db.session.get(User, ids["mod"])
        assert not policy.can_see_ticket(ticket, moderator)
        assert policy.can_see_ticket(ticket, db.session.get(User, ids["boss"]))


@pytest.mark.parametrize("decision", ["uphold", "overturn"])
def test_the_decision_is_the_ticket_s_last_message_and_closes_it(app, people, take_down, decision):
    ids, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    decide(clients["boss"], filed["id"], decision, "We looked at the frame.")
    with app.app_context():
        ticket = db.session.get(Ticket, filed["ticket_id"])
        assert (ticket.status, ticket.assignee_id) == ("closed", ids["boss"])
        last = tickets.messages(db.session, ticket)[-1]
        assert (last.author_id, last.from_staff) == (ids["boss"], True)
        outcome = {
            "uphold": "Appeal declined: the post stays removed.",
            "overturn": "Appeal accepted: the post is restored.",
        }[decision]
        assert last.text == f"{outcome}\n\nWe looked at the frame."
        # Told once, by the decision's notice (none of the ticket's own).
        kinds = db.session.scalars(
            db.select(Notification.kind).where(Notification.recipient_id == ids["vega"])
        ).all()
        assert kinds.count("appeal_decided") == 1
        assert not [kind for kind in kinds if kind.startswith("ticket_")]


def test_a_ticket_its_owner_closed_leaves_the_decision_to_the_notice(app, people, take_down):
    ids, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]
    with app.app_context():
        ticket = db.session.get(Ticket, filed["ticket_id"])
        tickets.close(db.session, ticket, db.session.get(User, ids["vega"]), utcnow(), source=API)
        db.session.commit()
    assert decide(clients["boss"], filed["id"], "overturn").status_code == 200
    with app.app_context():
        assert len(tickets.messages(db.session, db.session.get(Ticket, filed["ticket_id"]))) == 1


# -- the standing page (no JavaScript) -----------------------------------------------


def test_the_owner_appeals_from_the_standing_page_and_sees_it_pending(app, people, take_down):
    ids, clients = people
    take_down(2)
    (strike,) = strike_ids(app, ids["vega"])
    vega = clients["vega"]
    page = vega.get("/settings/standing").get_data(as_text=True)
    assert page.count('data-role="appeal-form"') == 3  # two removals, one strike
    prefix = f"appeal-strike-{strike}"
    sent = vega.post(
        f"/settings/standing/appeal/strike/{strike}",
        data={f"{prefix}-csrf_token": vega.csrf_token(), f"{prefix}-text": "Both were mine."},
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    page = vega.get("/settings/standing").get_data(as_text=True)
    assert "Appealed · pending" in page
    assert page.count('data-role="appeal-form"') == 2
    with app.app_context():
        assert db.session.scalar(db.select(Appeal.text)) == "Both were mine."


def test_a_refused_appeal_form_is_drawn_again_with_why(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    vega, prefix = clients["vega"], f"appeal-take_down-{removal}"
    empty = vega.post(
        f"/settings/standing/appeal/take_down/{removal}",
        data={f"{prefix}-csrf_token": vega.csrf_token(), f"{prefix}-text": "  "},
    )
    assert empty.status_code == 422
    assert "Write something first." in empty.get_data(as_text=True)
    assert '<details class="mt-2" data-role="appeal-form" open>' in empty.get_data(as_text=True)
    assert appeal(vega, "take_down", removal).status_code == 201
    again = vega.post(
        f"/settings/standing/appeal/take_down/{removal}",
        data={f"{prefix}-csrf_token": vega.csrf_token(), f"{prefix}-text": "Again."},
    )
    assert again.status_code == 302
    page = vega.get("/settings/standing").get_data(as_text=True)
    assert "appealed already" in page
    assert "Appealed · pending" in page
    stranger = clients["mira"].post(
        f"/settings/standing/appeal/take_down/{removal}",
        data={f"{prefix}-csrf_token": clients["mira"].csrf_token(), f"{prefix}-text": "Hi."},
    )
    assert stranger.status_code == 404


# -- the staff area ----------------------------------------------------------------


def staff_form(client, path: str, **fields):
    return client.post(path, data={"csrf_token": client.csrf_token(), **fields})


def test_a_manager_overturns_from_the_staff_area(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal, "Line one.\nLine two.").get_json()
    appeal_id = filed["appeal"]["id"]
    boss = clients["boss"]
    listed = boss.get("/admin/appeals").get_data(as_text=True)
    assert f'data-appeal-id="{appeal_id}"' in listed
    assert 'href="/admin/appeals" aria-current="page">Appeals</a>' in " ".join(listed.split())
    page = boss.get(f"/admin/appeals/{appeal_id}").get_data(as_text=True)
    assert "Removal of “Horsehead”" in page
    assert "Not a sky image." in page
    assert 'value="overturn"' in page
    refused = staff_form(boss, f"/admin/appeals/{appeal_id}/decision", note="No choice.")
    assert refused.status_code == 422
    assert "Uphold or overturn." in refused.get_data(as_text=True)
    done = staff_form(boss, f"/admin/appeals/{appeal_id}/decision", decision="overturn")
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/admin/appeals/{appeal_id}")
    with app.app_context():
        assert not db.session.get(Post, post_of(app, removal)).taken_down
    page = boss.get(f"/admin/appeals/{appeal_id}").get_data(as_text=True)
    assert 'data-status="overturned"' in page
    assert 'value="overturn"' not in page
    again = staff_form(boss, f"/admin/appeals/{appeal_id}/decision", decision="uphold")
    assert again.status_code == 409
    assert "decided already" in again.get_data(as_text=True)
    overturned = boss.get("/admin/appeals?status=overturned").get_data(as_text=True)
    assert f'data-appeal-id="{appeal_id}"' in overturned
    assert f'data-appeal-id="{appeal_id}"' not in boss.get("/admin/appeals").get_data(as_text=True)
    standing = clients["vega"].get("/settings/standing").get_data(as_text=True)
    assert "Appeal accepted" in standing


def test_moderators_do_not_decide_appeals_in_the_staff_area(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    appeal_id = appeal(clients["vega"], "take_down", removal).get_json()["appeal"]["id"]
    mod = clients["mod"]
    assert mod.get("/admin/appeals").status_code == 403
    assert mod.get(f"/admin/appeals/{appeal_id}").status_code == 403
    response = staff_form(mod, f"/admin/appeals/{appeal_id}/decision", decision="overturn")
    assert response.status_code == 403
    assert clients["vega"].get("/admin/appeals").status_code == 404


def test_the_appeal_s_ticket_page_shows_it_and_decides_it(app, people, take_down):
    _, clients = people
    (removal,) = take_down()
    filed = appeal(clients["vega"], "take_down", removal, "It is the Horsehead.").get_json()
    ticket_id, appeal_id = filed["appeal"]["ticket_id"], filed["appeal"]["id"]
    boss = clients["boss"]
    page = boss.get(f"/admin/tickets/{ticket_id}").get_data(as_text=True)
    assert 'data-role="appeal" data-status="pending"' in page
    assert f'action="/admin/appeals/{appeal_id}/decision"' in page
    done = staff_form(
        boss,
        f"/admin/appeals/{appeal_id}/decision",
        decision="uphold",
        note="It is a drawing.",
        next=f"/admin/tickets/{ticket_id}",
    )
    assert done.headers["Location"].endswith(f"/admin/tickets/{ticket_id}")
    page = boss.get(f"/admin/tickets/{ticket_id}").get_data(as_text=True)
    assert 'data-status="upheld"' in page
    assert "Appeal declined: the post stays removed." in page
    # The appellant reads it in their ticket too.
    mine = clients["vega"].get(f"/support/tickets/{ticket_id}").get_data(as_text=True)
    assert "It is a drawing." in mine
    # A ticket that no appeal opened shows none.
    other = clients["mira"].post("/api/v1/tickets", json={"title": "Help", "text": "Hi"})
    plain = boss.get(f"/admin/tickets/{other.get_json()['ticket']['id']}")
    assert 'data-role="appeal"' not in plain.get_data(as_text=True)


# -- invariants, whatever happens in what order ---------------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["take_down", "take_down", "strike", "take_down_appeal"]),
        st.sampled_from(["uphold", "overturn"]),
        st.integers(0, 7),
    ),
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=STEPS)
def test_appeals_keep_strikes_and_suspensions_consistent(app, people, make_post, steps):
    """Take-downs, and appeals of them or of strikes decided either way, in
    any order: the strike suspension is exactly "at least STRIKE_SUSPEND_AT
    active strikes", no active strike counts a restored take-down, fewer than
    take_downs_per_strike take-downs wait uncounted, and a post is taken down
    exactly while its take-down stands."""
    ids, _ = people
    with app.app_context():
        for model in (Appeal, Notification, TicketMessage, Ticket, AuditEntry, TakeDown, Strike):
            db.session.execute(db.delete(model))
        db.session.execute(db.delete(Post))
        db.session.get(User, ids["vega"]).strike_suspended = False
        db.session.commit()
    for kind, decision, pick in steps:
        # One to three take-downs at once (the posts made first, in their own session).
        new_posts = (
            [make_post(ids["vega"]) for _ in range(pick % 3 + 1)] if kind == "take_down" else []
        )
        with app.app_context():
            session = db.session
            vega, mod, boss = (session.get(User, ids[h]) for h in ("vega", "mod", "boss"))
            now = utcnow()
            if kind == "take_down":
                for post_id in new_posts:
                    post = session.get(Post, post_id)
                    takedowns.take_down(session, mod, post, "No.", RULES, now=now, source=API)
            else:
                target_type = "strike" if kind == "strike" else "take_down"
                model = Strike if kind == "strike" else TakeDown
                owner = Strike.user_id if kind == "strike" else TakeDown.owner_id
                open_ones = [
                    target
                    for target in session.scalars(db.select(model).where(owner == vega.id))
                    if appeals.stands(target)
                    and appeals.of_target(session, target_type, target.id) is None
                ]
                if open_ones:
                    target = open_ones[pick % len(open_ones)]
                    filed = appeals.appeal(session, vega, target_type, target.id, "Mine.", now)
                    appeals.decide(session, boss, filed, decision, "", RULES, now=now, source=API)
            session.commit()
            active = strikes.active_count(session, vega.id)
            assert session.get(User, vega.id).strike_suspended == (active >= RULES.suspend_at)
            for strike in session.scalars(db.select(Strike).where(Strike.resolved_at.is_(None))):
                assert all(t.restored_at is None for t in strike.take_downs)
            assert len(strikes.pending_take_downs(session, vega.id)) < RULES.take_downs_per_strike
            for removal in session.scalars(db.select(TakeDown)):
                post = session.get(Post, removal.post_id)
                assert post.taken_down == (removal.restored_at is None)
