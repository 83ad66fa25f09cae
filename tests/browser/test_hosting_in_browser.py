"""The hosting settings page on a phone: the switch saves on change, and
the add field's typeahead (a combobox and its listbox) fills the list."""

from __future__ import annotations

from playwright.sync_api import expect

from skyframe.extensions import db
from skyframe.models import User
from tests.browser.helpers import sign_in
from tests.hosting_helpers import qualify


def test_switch_saves_on_change_and_typeahead_adds_a_target(
    app, phone, live_server, make_user, artifacts_dir
):
    page = phone
    for handle in ("herschel", "vega", "venus"):
        user = make_user(handle)
        with app.app_context():
            qualify(user.id, allow=handle != "herschel")
    sign_in(page, live_server, "herschel")
    page.goto(live_server + "/settings")
    page.get_by_role("link", name="Hosting").click()
    switch = page.get_by_role("switch", name="Other observers may host my channel")
    assert not switch.is_checked()
    assert page.get_by_role("button", name="Save").is_hidden()  # saved on change instead
    switch.click()
    expect(page.get_by_text("Saved: others may host you.")).to_be_visible()
    with app.app_context():
        assert db.session.query(User).filter_by(handle="herschel").one().allow_hosting

    field = page.get_by_role("combobox", name="Add an observer by handle")
    field.type("ve")
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    expect(page.get_by_role("option")).to_have_count(2)
    assert page.get_by_role("option").all_inner_texts() == ["Vega@vega", "Venus@venus"]
    page.screenshot(path=artifacts_dir / "hosting-typeahead.png")
    field.press("ArrowDown")
    assert page.get_by_role("option", selected=True).inner_text() == "Vega@vega"
    field.press("Enter")
    assert field.input_value() == "vega"
    assert listbox.is_hidden()
    page.get_by_role("button", name="Add", exact=True).click()
    assert page.get_by_text("Added @vega.").is_visible()
    assert page.locator('[data-role="hosting-target"][data-handle="vega"]').is_visible()
    page.reload()
    assert page.get_by_role("switch", name="Other observers may host my channel").is_checked()
    page.get_by_role("button", name="Remove @vega").click()
    assert page.get_by_text("Removed @vega.").is_visible()
    assert page.problems == []


def _a11y(page, label: str) -> list[str]:
    from tests.browser.a11y import contrast_report, unnamed_controls

    page.wait_for_load_state("networkidle")
    low, unshadowed = contrast_report(page)
    failures = [f"{label}: contrast {r['ratio']:.2f}: {r['tag']} {r['text']!r}" for r in low]
    failures += [f"{label}: over an image without a shadow: {r['text']!r}" for r in unshadowed]
    return failures + [f"{label}: unnamed {c['element']}" for c in unnamed_controls(page)]


def test_a_viewer_follows_the_host_to_its_target_and_back(
    app, phone, live_server, make_user, artifacts_dir
):
    from skyframe.models import Follow, HostingStatus
    from tests.hosting_helpers import add_target, go_live

    page = phone
    herschel, vega, viewer = make_user("herschel"), make_user("vega"), make_user("viewer")
    with app.app_context():
        for user in (herschel, vega):
            qualify(user.id)
        go_live(vega.id)
        add_target(herschel.id, vega.id, status=HostingStatus.HOSTING)
        db.session.add(Follow(follower_id=viewer.id, followee_id=herschel.id))
        db.session.commit()
    sign_in(page, live_server, "viewer")
    failures = []
    page.goto(live_server + "/following")
    badge = page.locator('[data-role="following-badge"]')
    assert (badge.get_attribute("data-kind"), badge.inner_text()) == ("hosted", "1")
    strip = page.get_by_role("region", name="Live now")
    assert strip.get_by_text("Hosted").is_visible()
    page.screenshot(path=artifacts_dir / "following-live-strip.png")
    failures += _a11y(page, "following")

    page.goto(live_server + "/live/herschel")
    assert page.url == live_server + "/live/vega?host=herschel"
    banner = page.locator('[data-role="hosting-banner"]')
    assert banner.inner_text().startswith("@herschel is hosting @vega")
    page.screenshot(path=artifacts_dir / "hosted-banner.png")
    failures += _a11y(page, "hosted banner")
    page.get_by_role("link", name="Return to host").click()
    assert page.url == live_server + "/live/herschel?follow_host=false"
    failures += _a11y(page, "hosting banner")
    page.get_by_role("link", name="Go there").click()
    assert page.url == live_server + "/live/vega?host=herschel"
    page.get_by_role("button", name="Dismiss").click()
    expect(banner).to_have_count(0)

    page.goto(live_server + "/settings/hosting")
    failures += _a11y(page, "hosting settings")
    assert failures == []
    assert page.problems == []
