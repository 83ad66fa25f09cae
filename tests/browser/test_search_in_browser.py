"""Search as a person uses it, on a phone: live results while typing, the
observer typeahead, an object page and "more like this"."""

from __future__ import annotations

from tests.browser.helpers import signed_in_client, upload_as


def test_search_live_results_typeahead_and_object_page(
    app, live_server, phone, make_user, tmp_path, artifacts_dir
):
    make_user("vega")
    make_user("vegan")
    client = signed_in_client(app, "vega")
    andromeda = upload_as(client, "Andromeda over the barn", tmp_path, object="M31", tags="lrgb")
    neighbour = upload_as(client, "Our big neighbour", tmp_path, object="NGC 224")
    orion = upload_as(client, "Orion in narrowband", tmp_path, object="M42")

    phone.goto(live_server + "/search")
    phone.get_by_label("Search words").fill("barn")
    results = phone.locator('[data-role="search-results"]')
    results.locator(f'a[href="/p/{andromeda}"]').wait_for()
    assert results.locator(f'a[href="/p/{orion}"]').count() == 0
    assert "q=barn" in phone.url  # the address follows, so the search can be shared

    phone.get_by_label("Search words").fill("")
    phone.locator("summary", has_text="Filters").click()
    phone.get_by_label("Object").fill("Andromeda Galaxy")
    results.locator(f'a[href="/p/{neighbour}"]').wait_for()
    results.locator(f'a[href="/p/{andromeda}"]').wait_for()
    assert results.locator(f'a[href="/p/{orion}"]').count() == 0
    phone.screenshot(path=str(artifacts_dir / "search.png"))

    observer = phone.get_by_label("Observer")
    observer.fill("veg")
    phone.wait_for_function(
        "() => document.querySelectorAll('#observer-suggestions option').length === 2"
    )
    options = phone.locator("#observer-suggestions option")
    assert options.evaluate_all("os => os.map(o => o.value)") == ["@vega", "@vegan"]

    phone.get_by_role("link", name="M 31 (Andromeda Galaxy)").click()
    phone.wait_for_url(live_server + "/o/NGC0224")
    assert phone.get_by_role("heading", level=1).inner_text().startswith("M 31")
    assert phone.locator(f'a[href="/p/{neighbour}"]').count() == 1
    phone.screenshot(path=str(artifacts_dir / "object-page.png"))

    phone.goto(f"{live_server}/p/{andromeda}")
    more = phone.locator(".more-like-this")
    assert more.locator(f'a[href="/p/{neighbour}"]').count() == 1
    assert phone.problems == []
