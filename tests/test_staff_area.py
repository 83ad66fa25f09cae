"""The staff area's dashboard, report queue page and account pages: staff see
the work waiting and the last 90 days of activity, decide reports in groups,
find an account by a prefix of its handle or address and act on it through
audited forms; a refused form says why on the form, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import AuditEntry, Post, Report, Role, User, utcnow
from skyframe.support import tickets
from tests.conftest import login


@pytest.fixture
def people(make_user):
    return {
        "vega": make_user("vega", email="Vega.Star@example.org"),
        "mira": make_user("mira"),
        "mod": make_user("mod", role=Role.MODERATOR),
        "boss": make_user("boss", role=Role.MANAGER),
    }


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def submit(client, path: str, **fields):
    return client.post(path, data={"csrf_token": client.csrf_token(), **fields})


def audited(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def report(app, reporter: User, post_id: int, reason: str = "spam", age=timedelta(0)) -> int:
    with app.app_context():
        owner_id = db.session.get(Post, post_id).owner_id
        row = Report(
            reporter_id=reporter.id,
            target_type="post",
            target_id=post_id,
            target_owner_id=owner_id,
            reason=reason,
            created_at=utcnow() - age,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


# -- the dashboard ------------------------------------------------------------------


def test_the_dashboard_shows_the_work_waiting_and_90_days_of_activity(
    app, client, people, make_post
):
    post = make_post(people["vega"], title="Veil Nebula")
    report(app, people["mira"], post)
    report(app, people["boss"], post, reason="stolen")
    make_post(people["vega"], age=timedelta(days=3))
    make_post(people["vega"], age=timedelta(days=200))  # outside the window
    login(client, "mod")
    home = page(client, "/admin/")
    assert re.search(r'data-tile="reports">\s*<span class="staff-tile-count">2<', home)
    assert re.search(r'data-tile="suspensions">\s*<span class="staff-tile-count">0<', home)
    svgs = re.findall(r"<svg [^>]*role=\"img\"[^>]*>.*?</svg>", home, re.S)
    assert len(svgs) == 4
    for name in ("signups", "uploads", "reports", "take_downs"):
        assert f'aria-labelledby="chart-{name}-title" aria-describedby="chart-{name}-desc"' in home
    assert "Uploads per day, last 90 days" in home
    # Today's and three days ago's uploads: 2 in the window; the old one is not.
    assert re.search(r"Uploads per day, [\d-]+ to [\d-]+ \(90 days\): 2 in all", home)
    # The numbers as a table: a row per day.
    table = home[home.index("<table") : home.index("</table>")]
    assert table.count('<th scope="row"') == 90
    today = utcnow().date().isoformat()
    row = rf'<th scope="row" class="text-nowrap">{today}</th>\s*'
    assert re.search(row + "<td>4</td><td>1</td><td>2</td><td>0</td>", table)


def test_the_dashboard_lists_current_suspensions(app, client, people):
    with app.app_context():
        db.session.get(User, people["mira"].id).suspended_at = utcnow()
        ended = db.session.get(User, people["vega"].id)
        ended.suspended_at = utcnow() - timedelta(days=2)
        ended.suspended_until = utcnow() - timedelta(days=1)
        db.session.commit()
    login(client, "mod")
    home = page(client, "/admin/")
    suspended = home[home.index('id="suspensions"') :]
    assert "@mira" in suspended
    assert "@vega" not in suspended
    assert re.search(r'data-tile="suspensions">\s*<span class="staff-tile-count">1<', home)


def test_the_dashboard_counts_tickets_waiting_for_staff_that_the_viewer_sees(app, client, people):
    with app.app_context():
        vega, mod = db.session.get(User, people["vega"].id), db.session.get(User, people["mod"].id)
        tickets.open_ticket(db.session, vega, "Upload stuck", "It spins.", utcnow())
        tickets.open_ticket(db.session, vega, "Appeal", "Not spam.", utcnow(), managers_only=True)
        tickets.open_ticket(db.session, mod, "My own", "Help.", utcnow())  # managers only
        db.session.commit()
    tile = r'data-tile="tickets">\s*<span class="staff-tile-count">{}<'
    login(client, "mod")
    assert re.search(tile.format(1), page(client, "/admin/"))
    client.post("/api/v1/auth/logout")
    login(client, "boss")
    assert re.search(tile.format(3), page(client, "/admin/"))


# -- the report queue page ----------------------------------------------------------------


def test_the_queue_groups_reports_and_a_decision_resolves_the_group(app, client, people, make_post):
    first = make_post(people["vega"], title="Crab Nebula")
    second = make_post(people["vega"], title="Ring Nebula")
    lead = report(app, people["mira"], first, age=timedelta(hours=2))
    report(app, people["boss"], first, reason="stolen")
    report(app, people["mira"], second, age=timedelta(hours=1))
    login(client, "mod")
    queue = page(client, "/admin/reports")
    assert queue.index("Crab Nebula") < queue.index("Ring Nebula")  # oldest first
    assert "2 reports" in queue
    assert "spam × 1" in queue
    assert "stolen × 1" in queue
    refused = submit(client, f"/admin/reports/{lead}/resolve", decision="warn")
    assert refused.status_code == 422
    assert "Say why." in refused.get_data(as_text=True)
    done = submit(
        client,
        f"/admin/reports/{lead}/resolve",
        decision="take_down",
        note="Not a sky image.",
    )
    assert done.status_code == 302
    queue = page(client, "/admin/reports")
    assert "Crab Nebula" not in queue
    assert "Ring Nebula" in queue
    with app.app_context():
        assert db.session.get(Post, first).taken_down
    assert len(audited(app, "report.resolve")) == 1
    resolved = page(client, "/admin/reports?status=resolved")
    assert "Crab Nebula" in resolved
    assert "Not a sky image." in resolved
    assert client.get("/admin/reports?status=lost").status_code == 422
    assert client.get("/admin/reports?cursor=forged").status_code == 400


def test_the_queue_pages_by_cursor(app, client, people, make_post, monkeypatch):
    monkeypatch.setattr("skyframe.admin.reports.PAGE_SIZE", 2)
    for n in range(3):
        report(app, people["mira"], make_post(people["vega"], title=f"Target {n}"))
    login(client, "mod")
    first = page(client, "/admin/reports")
    assert "Target 0" in first
    assert "Target 2" not in first
    more = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = page(client, more)
    assert "Target 2" in second
    assert "Target 0" not in second


# -- accounts ------------------------------------------------------------------------


def found(client, query: str) -> list[str]:
    return re.findall(r"<strong>@(\w+)</strong>", page(client, f"/admin/users?q={query}"))


def test_staff_find_accounts_by_a_prefix_of_handle_or_address(client, people, make_user):
    make_user("vegan")
    make_user("nova", email="vega.fan@example.org")
    login(client, "mod")
    assert found(client, "veg") == ["nova", "vega", "vegan"]  # by handle
    assert found(client, "%40veg") == ["vega", "vegan"]  # @veg: handles only
    assert found(client, "VEGA.STAR%40") == ["vega"]  # an address, any case
    assert "No account starts with" in page(client, "/admin/users?q=%25")  # literally
    assert "No account starts with" in page(client, "/admin/users?q=ega")  # a prefix only


def test_a_moderator_suspends_and_lifts_with_an_end_and_a_reason(app, client, people):
    login(client, "mod")
    view = page(client, "/admin/users/vega")
    assert "Vega.Star@example.org" in view
    assert "Suspend" in view
    assert "Save the role" not in view
    assert "Disable the account" not in view
    past = submit(client, "/admin/users/vega/suspend", until="2001-01-01T00:00", reason="x")
    assert past.status_code == 422
    assert "In the future." in past.get_data(as_text=True)
    garbled = submit(client, "/admin/users/vega/suspend", until="soon", reason="x")
    assert garbled.status_code == 422
    until = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    done = submit(client, "/admin/users/vega/suspend", until=until, reason="Cool off.")
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/admin/users/vega")
    view = page(client, "/admin/users/vega")
    assert "by staff until" in view
    assert "Cool off." in view
    assert submit(client, "/admin/users/vega/unsuspend").status_code == 302
    again = submit(client, "/admin/users/vega/unsuspend")
    assert again.status_code == 409
    assert "no suspension by staff to lift" in again.get_data(as_text=True)
    assert [e.reason for e in audited(app, "account.suspend")] == [
        f"until {until}:00+00:00: Cool off."
    ]
    assert len(audited(app, "account.unsuspend")) == 1


def test_only_managers_change_roles_disable_and_delete(app, client, people):
    login(client, "mod")
    assert submit(client, "/admin/users/vega/role", role="moderator").status_code == 403
    assert submit(client, "/admin/users/vega/disable").status_code == 403
    assert submit(client, "/admin/users/vega/delete", confirm="vega").status_code == 403
    assert submit(client, "/admin/users/boss/suspend", reason="x").status_code == 403  # staff
    client.post("/api/v1/auth/logout")
    login(client, "boss")
    view = page(client, "/admin/users/vega")
    assert "Save the role" in view
    assert "Disable the account" in view
    assert "Delete the account" in view
    assert "Save the role" not in page(client, "/admin/users/boss")  # not their own
    unknown = submit(client, "/admin/users/vega/role", role="admiral")
    assert unknown.status_code == 422
    assert "Unknown role" in unknown.get_data(as_text=True)
    assert submit(client, "/admin/users/vega/role", role="moderator").status_code == 302
    assert submit(client, "/admin/users/vega/disable", reason="Spam wave.").status_code == 302
    assert "disabled" in page(client, "/admin/users/vega")
    assert submit(client, "/admin/users/vega/enable").status_code == 302
    wrong = submit(client, "/admin/users/mira/delete", confirm="vega")
    assert wrong.status_code == 422
    assert "Type mira to confirm." in wrong.get_data(as_text=True)
    gone = submit(client, "/admin/users/mira/delete", confirm="@Mira")
    assert gone.status_code == 302
    assert gone.headers["Location"].endswith("/admin/users")
    assert client.get("/admin/users/mira").status_code == 404
    with app.app_context():
        assert db.session.get(User, people["vega"].id).role == "moderator"
        assert db.session.get(User, people["mira"].id).deleted_at is not None
    assert [e.reason for e in audited(app, "account.role")] == ["user → moderator"]
    assert [e.reason for e in audited(app, "account.disable")] == ["Spam wave."]
    assert len(audited(app, "account.enable")) == 1
    assert len(audited(app, "account.delete")) == 1


def test_an_account_page_shows_its_strikes_take_downs_and_reports(app, client, people, make_post):
    post = make_post(people["vega"], title="Horsehead")
    report(app, people["mira"], post, reason="misleading")
    login(client, "mod")
    submit(client, f"/admin/posts/{post}/take-down", reason="Stolen image.")
    view = page(client, "/admin/users/vega")
    assert "Horsehead" in view
    assert "Stolen image." in view
    assert "misleading · post" in view
    assert client.get("/admin/users/nobody").status_code == 404
