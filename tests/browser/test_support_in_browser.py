"""What people do with support: a user opens a ticket from Settings and
replies; a moderator on a phone takes it and answers; the user reads the
answer. The staff's ticket page is checked at a desktop width too."""

from __future__ import annotations

from playwright.sync_api import expect

from skyframe.extensions import db
from skyframe.models import Role, Ticket
from tests.browser.a11y import unnamed_controls
from tests.browser.conftest import PHONE, watch
from tests.browser.helpers import sign_in

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page is {width}px wider than the viewport"


def the_ticket(app) -> Ticket:
    with app.app_context():
        ticket = db.session.scalars(db.select(Ticket)).one()
        db.session.expunge(ticket)
        return ticket


def test_a_user_asks_and_a_moderator_answers_from_a_phone(
    app, browser, phone, live_server, make_user, artifacts_dir
):
    make_user("vega")
    make_user("mod", role=Role.MODERATOR)

    # The user: Settings → Support → a new ticket, then a reply.
    page = phone
    sign_in(page, live_server, "vega")
    page.goto(live_server + "/settings")
    page.get_by_role("link", name="Support (ask staff for help)").click()
    page.get_by_label("Title").fill("Upload stuck at processing")
    page.get_by_label("Message").fill("My FITS upload has said processing since last night.")
    page.get_by_role("button", name="Send to staff").click()
    expect(page.get_by_role("heading", name="Upload stuck at processing")).to_be_visible()
    expect(page.locator("[data-role=ticket-status]")).to_have_text("open")
    page.get_by_label("Your reply").fill("It is a 90 MB file, 16-bit.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("[data-role=ticket-message]")).to_have_count(2)
    no_sideways_scroll(page)
    assert unnamed_controls(page) == []
    page.screenshot(path=artifacts_dir / "support-ticket-phone.png")
    ticket = the_ticket(app)

    # The moderator, on a phone of their own.
    staff_context = browser.new_context(**PHONE)
    staff = staff_context.new_page()
    watch(staff)
    sign_in(staff, live_server, "mod")
    staff.goto(live_server + "/admin/")
    staff.get_by_role("navigation", name="Staff area").get_by_role("link", name="Tickets").click()
    staff.get_by_role("link", name="Upload stuck at processing").click()
    expect(staff.locator("[data-role=assignee]")).to_have_text("nobody")
    staff.get_by_role("button", name="Assign to me").click()
    expect(staff.locator("[data-role=assignee]")).to_have_text("@mod")
    expect(staff.locator("[data-role=ticket-status]")).to_have_text("pending")
    staff.get_by_label("Answer").fill("It failed on the pixel limit; we raised it, try again.")
    staff.get_by_role("button", name="Send answer").click()
    expect(staff.locator("[data-role=ticket-status]")).to_have_text("solved")
    no_sideways_scroll(staff)
    assert unnamed_controls(staff) == []
    staff.screenshot(path=artifacts_dir / "admin-ticket-phone.png")
    assert staff.problems == []
    staff_context.close()
    with app.app_context():
        assert db.session.get(Ticket, ticket.id).status == "solved"

    # The user reads the answer from their notifications.
    page.goto(live_server + "/notifications")
    page.get_by_role("link", name="Staff answered your ticket “Upload stuck at processing”").click()
    expect(page.locator("[data-role=ticket-message]").last).to_contain_text("pixel limit")
    expect(page.locator("[data-role=ticket-message]").last).to_contain_text("SkyFrame staff")
    expect(page.locator("[data-role=ticket-status]")).to_have_text("solved")
    assert page.problems == []


def test_the_staff_ticket_pages_at_desktop_width(app, browser, live_server, make_user):
    from skyframe.models import User, utcnow
    from skyframe.support import tickets

    vega = make_user("vega")
    make_user("boss", role=Role.MANAGER)
    with app.app_context():
        opened = tickets.open_ticket(
            db.session,
            db.session.get(User, vega.id),
            "A long question " * 7,
            "Text " * 200,
            utcnow(),
        )
        db.session.commit()
        ticket_id = opened.id
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    watch(page)
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/admin/tickets?view=all")
    expect(page.locator("[data-role=ticket-queue] li")).to_have_count(1)
    no_sideways_scroll(page)
    page.goto(f"{live_server}/admin/tickets/{ticket_id}")
    expect(page.get_by_role("button", name="Assign to me")).to_be_visible()
    expect(page.get_by_label("Why a manager should take it")).to_be_visible()
    no_sideways_scroll(page)
    assert unnamed_controls(page) == []
    assert page.problems == []
    context.close()
