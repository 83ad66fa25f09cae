"""An observer makes an access token for their capture software on a phone,
copies its secret with the Copy button (strict CSP, a module script), and
revokes it with the plain form."""

from __future__ import annotations

from tests.browser.a11y import contrast_report, unnamed_controls
from tests.browser.helpers import sign_in


def test_make_copy_and_revoke_a_token(phone, live_server, app, make_user, artifacts_dir):
    make_user("herschel")
    page = phone
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    sign_in(page, live_server, "herschel")
    page.goto(live_server + "/settings")
    page.get_by_role("link", name="Access tokens").click()
    page.wait_for_url(live_server + "/settings/tokens")
    assert page.get_by_text("No tokens yet").is_visible()
    page.get_by_label("Name").fill("SharpCap on the dome PC")
    assert page.get_by_label("Live sessions").is_checked()
    page.get_by_role("button", name="Make token").click()
    secret_field = page.get_by_label("The new token")
    secret = secret_field.input_value()
    assert secret.startswith("sf_pat_")
    assert page.get_by_text("shown this once").is_visible()
    copy = page.get_by_role("button", name="Copy")
    copy.click()
    page.get_by_text("The token is copied.").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    page.screenshot(path=artifacts_dir / "settings-tokens-new.png", full_page=True)
    low, _ = contrast_report(page)
    assert low == []
    assert unnamed_controls(page) == []

    page.goto(live_server + "/settings/tokens")
    assert (
        page.locator("[data-role=token-list] .fw-semibold").inner_text()
        == "SharpCap on the dome PC"
    )
    assert page.get_by_text("never used").is_visible()
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke SharpCap on the dome PC").click()
    page.wait_for_url(live_server + "/settings/tokens")
    assert page.get_by_text("The token is revoked").is_visible()
    assert page.get_by_text("No tokens yet").is_visible()
    assert page.problems == []
