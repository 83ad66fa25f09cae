"""Swiping on and on: more than 300 cards on a phone and never an error card.

One prolific uploader among a few, under the default caps, makes the feed
serve candidates out of order: the state that once grew the cursor until the
API refused it. And once the server does not take the cursor it gave (as
after a deploy that rotated the secret): the feed carries on from a fresh
pass without a word.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.helpers import on_screen, settle, sign_in

SWIPES = 320
REFUSAL = '{"error": {"code": "invalid_cursor", "message": "That page cursor is not valid."}}'
UPLOADERS = 8
POSTS = 400


@pytest.fixture
def app(app_factory):
    # Seen history off: swipes this fast report nothing seen anyway.
    return app_factory(FEED_SEEN_ENABLED=False, RATELIMIT_ENABLED=False)


@pytest.fixture
def site(app, make_user, make_post):
    owners = [make_user(f"uploader{n}") for n in range(UPLOADERS)]
    # One uploader posts two in five: the caps hold their posts back page after page.
    for n in range(POSTS):
        owner = owners[0] if n % 5 < 2 else owners[1 + n % (UPLOADERS - 1)]
        make_post(owner, title=f"Post {n}", age=timedelta(minutes=n))
    make_user("nightowl")


def end_state(page) -> dict:
    return page.evaluate(
        """() => { const end = document.querySelector('.feed-end');
          const shown = s => !end.querySelector(s).hidden;
          return {error: shown('.feed-end__error'), done: shown('.feed-end__message')}; }"""
    )


def test_more_than_300_swipes_never_meet_an_error_even_when_a_cursor_is_refused(
    phone_without_worker, live_server, site
):
    page = phone_without_worker
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "nightowl")
    refused = []

    def refuse_once(route):
        # The first page's cursor: a fresh pass starts with the cards already
        # shown, which the page skips, and goes on to new ones.
        if "cursor=" in route.request.url and not refused:
            refused.append(route.request.url)
            route.fulfill(
                status=400,
                content_type="application/json",
                body=REFUSAL,
            )
        else:
            route.continue_()

    cursors = []
    page.on(
        "request",
        lambda request: (
            "/api/v1/feed?" in request.url
            and "cursor=" in request.url
            and cursors.append(len(request.url.split("cursor=", 1)[1]))
        ),
    )
    page.route("**/api/v1/feed?*", refuse_once)
    page.goto(live_server + "/")
    seen = [on_screen(page)]
    for step in range(1, SWIPES + 1):
        page.keyboard.press("j")
        settle(page)
        state = end_state(page)
        assert not state["error"], f"an error card after {step} swipes"
        assert not state["done"], f"the feed ended after {step} swipes"
        now = on_screen(page)
        if now is None:  # the next page is still on its way
            page.wait_for_function(
                "() => document.querySelector('.feed-card[data-post-id]:not([aria-busy])')"
            )
            settle(page)
            now = on_screen(page)
        assert now is not None, f"no card on screen after swipe {step}"
        assert now != seen[-1], f"swipe {step} did not move on"
        seen.append(now)
    assert refused, "the test never refused a cursor"
    assert max(cursors) <= 300
    assert not [p for p in page.problems if "400" not in p], page.problems
