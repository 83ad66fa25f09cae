"""The staff area in a browser, on a phone and on a desktop: the dashboard's
charts are drawn, each an image with a name and a description, and their
numbers are a table a screen reader can read; a moderator on a phone finds
an account and suspends it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from skyframe.extensions import db
from skyframe.models import Role, User
from tests.browser.a11y import contrast_report, unnamed_controls
from tests.browser.conftest import PHONE, watch
from tests.browser.helpers import sign_in

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
SERIES = ("Sign-ups", "Uploads", "Reports", "Take-downs")


@pytest.fixture
def site(make_user, make_post):
    make_user("mod", role=Role.MODERATOR)
    vega = make_user("vega")
    make_user("vegan")
    for age in (0, 1, 1, 5):
        make_post(vega, age=timedelta(days=age))


@pytest.fixture(params=["phone", "desktop"])
def screen(request, browser):
    context = browser.new_context(**(PHONE if request.param == "phone" else DESKTOP))
    page = context.new_page()
    watch(page)
    yield page
    context.close()


def test_the_dashboard_charts_render_with_text_alternatives(
    screen, live_server, site, artifacts_dir
):
    page = screen
    sign_in(page, live_server, "mod")
    page.goto(live_server + "/admin/")
    for what in SERIES:
        chart = page.get_by_role("img", name=f"{what} per day, last 90 days")
        expect(chart).to_be_visible()
        expect(chart).to_have_accessible_description(re.compile(rf"^{what} per day, .*90 days"))
        box = chart.bounding_box()
        assert box["width"] > 200
        assert box["height"] > 50
    uploads = page.get_by_role("img", name="Uploads per day, last 90 days")
    expect(uploads).to_have_accessible_description(re.compile(r": 4 in all; the most, 2, on "))
    assert uploads.locator("rect").count() == 3  # three days with uploads
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    table = page.get_by_role("table")
    expect(table).to_be_hidden()  # folded away until asked for
    page.get_by_text("The numbers behind the charts").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader")).to_have_text(["Day", *SERIES])
    expect(table.get_by_role("row")).to_have_count(91)  # the header and 90 days
    page.screenshot(path=artifacts_dir / f"staff-dashboard-{page.viewport_size['width']}.png")
    assert unnamed_controls(page) == []
    assert contrast_report(page)[0] == []
    assert page.problems == []


def test_a_moderator_finds_an_account_and_suspends_it_from_a_phone(
    app, phone, live_server, site, artifacts_dir
):
    page = phone
    sign_in(page, live_server, "mod")
    page.goto(live_server + "/admin/")
    page.get_by_label("Handle or e-mail address").fill("veg")
    page.get_by_role("button", name="Find").click()
    found = page.get_by_role("list", name="Accounts found")
    expect(found.get_by_role("listitem")).to_have_count(2)
    found.get_by_role("link", name="@vega", exact=True).click()
    expect(page.get_by_role("heading", name="@vega")).to_be_visible()

    page.get_by_label("Reason").fill("Cool off for a week.")
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("The account is suspended")).to_be_visible()
    expect(page.locator("[data-role=account-state]")).to_have_text("suspended")
    expect(page.get_by_text("by staff until lifted")).to_be_visible()
    expect(page.get_by_role("button", name="Lift the suspension")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts_dir / "staff-suspended-account.png")
    assert unnamed_controls(page) == []
    assert contrast_report(page)[0] == []
    with app.app_context():
        vega = db.session.scalar(db.select(User).where(User.handle == "vega"))
        assert vega.suspended_at is not None
        assert vega.suspension_reason == "Cool off for a week."
    assert page.problems == []
