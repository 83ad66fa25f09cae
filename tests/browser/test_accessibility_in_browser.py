"""Accessibility of the main pages on a phone: every visible text meets WCAG
AA contrast (4.5:1, 3:1 for large text; text over photos carries a shadow),
every control has an accessible name — signed out and signed in, with the
feed's sheets open —, keyboard focus is always visible and reduced motion
stops animations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import contrast_report, unnamed_controls
from tests.browser.helpers import card, sign_in, signed_in_client, upload_as


@pytest.fixture
def site(app, make_user, tmp_path) -> dict:
    make_user("messier")
    make_user("shapley")
    messier = signed_in_client(app, "messier")
    post = upload_as(messier, "Crab Nebula", tmp_path, object="M1", tags="supernova")
    upload_as(messier, "Ring Nebula", tmp_path, object="M57")
    shapley = signed_in_client(app, "shapley")
    answer = shapley.post(f"/api/v1/posts/{post}/comments", json={"body": "Lovely filaments."})
    assert answer.status_code == 201
    return {"post": post}


def check(page, label: str, failures: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    low, unshadowed = contrast_report(page)
    failures += [
        f"{label}: contrast {r['ratio']:.2f} < {r['needed']}: {r['tag']} {r['text']!r}" for r in low
    ]
    failures += [f"{label}: text over an image without a shadow: {r['text']!r}" for r in unshadowed]
    failures += [f"{label}: control without a name: {c['element']}" for c in unnamed_controls(page)]


def test_main_pages_meet_aa_contrast_and_every_control_has_a_name(
    phone, live_server, site, artifacts_dir
):
    page = phone
    page.emulate_media(reduced_motion="reduce")  # no fades half-way through
    failures: list[str] = []
    post = f"/p/{site['post']}"
    signed_out = ["/", "/login", "/register", post, "/search?q=nebula", "/u/messier", "/nothing"]
    for path in signed_out:
        page.goto(live_server + path)
        check(page, f"signed out {path}", failures)

    sign_in(page, live_server, "shapley")
    signed_in = [
        "/",
        f"/p/{site['post']}",
        "/search?q=nebula",
        "/u/messier",
        "/u/shapley",
        "/upload",
        "/settings",
        "/saved",
        "/notifications",
        "/following",
    ]
    for path in signed_in:
        page.goto(live_server + path)
        check(page, f"signed in {path}", failures)

    page.goto(live_server + "/")
    crab = card(page, site["post"])
    crab.get_by_role("button", name="Comments").click()
    sheet = page.get_by_role("dialog", name="Comments · Crab Nebula")
    expect(sheet.get_by_text("Lovely filaments.")).to_be_visible()
    check(page, "comments sheet", failures)
    sheet.get_by_role("button", name="Close comments").click()
    expect(sheet).to_be_hidden()
    crab.get_by_role("button", name="Details").click()
    details = page.get_by_role("dialog", name="Crab Nebula")
    expect(details).to_be_visible()
    check(page, "details sheet", failures)
    page.screenshot(path=artifacts_dir / "details-sheet.png")

    assert failures == [], "\n".join(failures)
    assert page.problems == []


def test_the_checks_catch_low_contrast_and_unnamed_controls(phone, live_server):
    page = phone
    page.goto(live_server + "/login")
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const faint = document.createElement('p');
          faint.textContent = 'Faint words';
          faint.style.color = '#3a3f4b';  // on the dark page: about 1.7:1
          const big = document.createElement('p');
          big.textContent = 'Big grey title';
          big.style.cssText = 'color: #6c7383; font-size: 32px';  // about 3.9:1: fine when large
          const icon = document.createElement('button');
          icon.innerHTML = '<i class="bi bi-heart"></i>';
          const field = document.createElement('input');
          main.append(faint, big, icon, field);
        }"""
    )
    low, _ = contrast_report(page)
    assert [r["text"] for r in low] == ["Faint words"]
    assert sorted(c["role"] for c in unnamed_controls(page)) == ["button", "textbox"]


FOCUS_RING = """() => {
  const el = document.activeElement;
  // Focus in the inner parts of a date field is drawn by the browser itself.
  if (!el || el === document.body || !el.matches(':focus')) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return {name: (el.getAttribute('aria-label') || el.textContent || el.name || el.tagName).trim(),
          visible: outline || s.boxShadow !== 'none'};
}"""


def test_keyboard_focus_is_always_visible(phone, live_server, site, make_user):
    page = phone
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "shapley")
    for path in ["/", f"/p/{site['post']}", "/search", "/upload", "/settings"]:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        hidden = []
        for _ in range(25):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_RING)
            if focused and not focused["visible"]:
                hidden.append(focused["name"][:40])
        assert hidden == [], f"{path}: focus not visible on {hidden}"
    assert page.problems == []


def test_reduced_motion_stops_animations(phone, live_server, site):
    page = phone
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server + "/")
    animated = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(el => {
             const s = getComputedStyle(el);
             return (s.animationName !== 'none' && s.animationDuration !== '0s')
               || (s.transitionDuration.split(',').some(d => parseFloat(d) > 0));
           }).map(el => el.className)"""
    )
    assert animated == []
    page.emulate_media(reduced_motion="no-preference")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.skeleton-line')).animationName")
        == "shimmer"
    )
