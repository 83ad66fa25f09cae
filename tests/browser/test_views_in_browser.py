"""Views in a phone's browser: a visitor's card on screen for two seconds
and a clip the playback module says was played are reported together when
the page is hidden, counted once, and shown after the flush."""

from __future__ import annotations

import pytest

from skyframe.extensions import db
from skyframe.models import Post
from skyframe.services import view_buffer
from skyframe.viewcounts import flush as view_flush
from tests.browser.conftest import PHONE, watch
from tests.browser.helpers import settle, signed_in_client, swipe_up, upload_as

# Headless Chromium names itself HeadlessChrome, which is not counted.
PHONE_BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


@pytest.fixture
def visitor_phone(browser):
    context = browser.new_context(**PHONE, user_agent=PHONE_BROWSER)
    page = context.new_page()
    watch(page)
    yield page
    context.close()


@pytest.fixture
def posts(app, make_user, tmp_path) -> list[int]:
    make_user("messier")
    client = signed_in_client(app, "messier")
    older = upload_as(client, "A clip (as far as this test goes)", tmp_path)
    newest = upload_as(client, "Capture", tmp_path)
    return [newest, older]  # the feed's order


def hide(page) -> None:
    page.evaluate(
        "Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )


def test_a_visitor_s_views_are_reported_in_one_batch_counted_and_shown(
    app, visitor_phone, live_server, posts
):
    page = visitor_phone
    reports = []  # (the views sent, the answer): a batch every 5 s, and on hiding
    page.on(
        "requestfinished",
        lambda r: (
            r.url.endswith("/api/v1/views")
            and reports.append((r.post_data_json["views"], r.response().json()))
        ),
    )
    page.goto(live_server + "/")
    first = page.locator(".feed-card").first
    first.locator(".feed-card__media.is-loaded").wait_for()
    assert first.locator("[data-role=view-count]").text_content() == "0"
    page.wait_for_timeout(2300)  # the first card stays on screen for over two seconds
    swipe_up(page, 500)
    settle(page)
    page.evaluate(
        "(id) => document.dispatchEvent(new CustomEvent('skyframe:clip-played',"
        " {detail: {postId: id, seconds: 1.4}}))",
        posts[1],
    )
    with page.expect_response(lambda r: r.url.endswith("/api/v1/views"), timeout=10_000):
        hide(page)
    page.wait_for_timeout(200)
    sent = [view for views, _ in reports for view in views]
    assert sorted(v["post_id"] for v in sent) == sorted(posts)  # each once
    assert all(v["seconds"] >= 2 for v in sent)
    assert sum(answer["recorded"] for _, answer in reports) == 2
    with app.app_context():
        view_flush.flush(db.session, view_buffer())
        assert [db.session.get(Post, p).view_count for p in posts] == [1, 1]
    page.goto(live_server + f"/p/{posts[0]}")
    assert "1 view" in page.locator("[data-role=view-count]").text_content()
    assert page.problems == []
