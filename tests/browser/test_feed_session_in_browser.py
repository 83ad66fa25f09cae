"""A long feed session on a phone keeps a bounded number of cards and of
post data however far one swipes, and going back still shows the right
cards (data dropped on the way is fetched again), as far as the remembered
history goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PHONE_HEIGHT,
    on_screen,
    settle,
    sign_in,
    signed_in_client,
    swipe_up,
)

POSTS = 70
HISTORY = 20  # the page's remembered history, made small for the test
MOUNTED = 6  # two behind, the current card, three ahead
DATA = 8 + 1 + 60  # feed.js: DATA_BEHIND, the current card, DATA_AHEAD


@pytest.fixture
def app(app_factory):
    return app_factory(
        FEED_PAGE_SIZE=5, FEED_MAX_PER_UPLOADER=0, FEED_MAX_CONSECUTIVE_PER_UPLOADER=0
    )


@pytest.fixture
def titles(app, make_user, make_post) -> dict[int, str]:
    """post id → title, newest first (the feed's order)."""
    owner = make_user("messier")
    made = {}
    for n in range(POSTS):
        title = f"Post {n}"
        made[make_post(owner, title=title, age=timedelta(minutes=n))] = title
    return made


def feed_state(page) -> dict:
    return page.evaluate("async () => (await import('/static/js/feed.js')).feedState()")


def with_history(cards: int):
    """A route handler: the feed page with a remembered history of ``cards``."""

    def handle(route):
        response = route.fetch()
        html = response.text().replace('id="feed"', f'id="feed" data-history="{cards}"', 1)
        route.fulfill(response=response, body=html)

    return handle


def test_hundreds_of_swipes_keep_cards_and_data_bounded_and_going_back_works(
    phone_without_worker, live_server, titles, make_user
):
    make_user("shapley")
    page = phone_without_worker
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "shapley")
    page.route(live_server + "/", with_history(HISTORY))
    page.goto(live_server + "/")
    order = list(titles)  # newest first
    assert on_screen(page) == order[0]
    assert page.evaluate("document.getElementById('feed').dataset.history") == str(HISTORY)

    steps = POSTS - 5
    for step in range(1, steps + 1):
        page.keyboard.press("j" if step % 2 else "ArrowDown")
        settle(page)
        assert on_screen(page) == order[step], (f"card {step}", feed_state(page))
        assert page.evaluate("document.getElementById('feed').scrollTop") % PHONE_HEIGHT == 0
        state = feed_state(page)
        assert page.locator(".feed-card").count() <= MOUNTED
        assert state["live"] <= MOUNTED
        assert state["data"] <= DATA
        assert state["ids"] <= HISTORY + 20 + 2 * 5 + 4, state
    state = feed_state(page)
    assert state["first"] > 0  # the oldest cards were let go
    assert state["data"] < state["ids"]  # and the data of cards behind dropped

    # Impressions are still reported after all that recycling.
    with page.expect_request(lambda r: r.url.endswith("/api/v1/feed/seen")) as seen:
        page.wait_for_timeout(1200)  # the card stays on screen for over a second
        page.evaluate(
            "Object.defineProperty(document, 'visibilityState', {value: 'hidden'});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
    assert order[steps] in seen.value.post_data_json["post_ids"]

    # Back up: each card is the right one, refetched when its data was dropped.
    refetched = []
    page.on("request", lambda r: refetched.append(r.url) if "/api/v1/posts/" in r.url else None)
    position = steps
    while position > state["first"]:
        page.keyboard.press("k" if position % 2 else "ArrowUp")
        settle(page)
        position -= 1
        assert on_screen(page) == order[position], f"back to card {position}"
        page.get_by_role("link", name=titles[order[position]]).wait_for()
        assert page.locator(".feed-card").count() <= MOUNTED
    assert refetched  # cards further back came back from their ids
    page.keyboard.press("k")  # the start of the remembered history: no further
    settle(page)
    assert on_screen(page) == order[state["first"]]
    page.wait_for_function("document.getElementById('feed').scrollTop === 0")  # space reclaimed
    assert on_screen(page) == order[state["first"]]

    # And forward again across the reclaimed space, by keyboard and by finger.
    page.keyboard.press("j")
    settle(page)
    assert on_screen(page) == order[state["first"] + 1]
    assert page.evaluate("document.getElementById('feed').scrollTop") == PHONE_HEIGHT
    for expected in (2, 3, 4):
        swipe_up(page, 500)
        assert on_screen(page) == order[state["first"] + expected]
    swipe_up(page, -500)
    assert on_screen(page) == order[state["first"] + 3]
    assert page.evaluate("document.getElementById('feed').scrollTop") % PHONE_HEIGHT == 0
    assert page.problems == []


def test_swiping_faster_than_a_page_loads_waits_at_the_end_then_shows_the_next_card(
    phone_without_worker, live_server, titles
):
    page = phone_without_worker
    page.emulate_media(reduced_motion="reduce")
    held = []
    # The next page is slow to come: the first request waits, later ones go through.
    page.route("**/api/v1/feed?*", lambda r: r.continue_() if held else held.append(r))
    page.goto(live_server + "/")
    order = list(titles)
    for _ in range(5):
        page.keyboard.press("j")
        settle(page)
    expect(page.locator(".feed-end__skeleton")).to_be_in_viewport()
    assert held, "the next page was asked for ahead of the end"
    held[0].continue_()
    page.wait_for_function(
        "id => { const f = document.getElementById('feed');"
        " const c = f.querySelector(`.feed-card[data-post-id='${id}']`);"
        " return c && Math.abs(c.getBoundingClientRect().top) < 1; }",
        arg=order[5],
    )
    settle(page)
    assert on_screen(page) == order[5]  # the card after the last one, not one further
    page.keyboard.press("j")
    settle(page)
    assert on_screen(page) == order[6]
    assert page.problems == []


def test_back_from_a_post_page_returns_to_the_same_card(phone, live_server, titles):
    page = phone
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server + "/")
    order = list(titles)
    for _ in range(7):
        page.keyboard.press("j")
        settle(page)
    assert on_screen(page) == order[7]
    page.get_by_role("link", name=titles[order[7]]).click()
    page.wait_for_url(f"{live_server}/p/{order[7]}")
    page.go_back()
    page.wait_for_url(live_server + "/")
    settle(page)
    assert on_screen(page) == order[7]
    page.keyboard.press("k")
    settle(page)
    assert on_screen(page) == order[6]
    assert page.problems == []


def test_finger_swipes_across_forgotten_history_land_on_each_next_card(
    phone_without_worker, live_server, titles
):
    page = phone_without_worker
    page.route(live_server + "/", with_history(2))  # forgets from the 23rd card on
    page.goto(live_server + "/")
    order = list(titles)
    for step in range(1, 26):
        swipe_up(page, 500)
        assert on_screen(page) == order[step], (f"card {step}", feed_state(page))
        assert page.evaluate("document.getElementById('feed').scrollTop") % PHONE_HEIGHT == 0
    state = feed_state(page)
    assert state["first"] > 0
    page.wait_for_function("document.getElementById('feed').scrollTop < 10 * 915")  # reclaimed
    swipe_up(page, -500)
    assert on_screen(page) == order[24]
    assert page.problems == []


def test_a_card_deleted_meanwhile_says_so_when_one_goes_back(
    app, phone, live_server, titles, make_user
):
    page = phone
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server + "/")
    order = list(titles)
    for _ in range(12):  # the data of the first cards is dropped on the way
        page.keyboard.press("j")
        settle(page)
    owner = signed_in_client(app, "messier")
    assert owner.delete(f"/api/v1/posts/{order[1]}").status_code == 204
    for _ in range(11):
        page.keyboard.press("k")
        settle(page)
    gone = page.locator(f'.feed-card[data-post-id="{order[1]}"]')
    expect(gone).to_contain_text("This post is no longer available.")  # asked for again: 404
    assert on_screen(page) == order[1]
    page.keyboard.press("k")
    settle(page)
    page.get_by_role("link", name=titles[order[0]]).wait_for()
    assert [p for p in page.problems if f"/api/v1/posts/{order[1]}" not in p] == []


@pytest.mark.parametrize("scrollend", [True, False], ids=["scrollend", "no-scrollend"])
def test_the_space_of_forgotten_cards_is_reclaimed_once_scrolling_stops(
    phone_without_worker, live_server, titles, scrollend
):
    page = phone_without_worker
    page.emulate_media(reduced_motion="reduce")
    if not scrollend:  # as in browsers without the event (older Safari)
        page.add_init_script(
            "for (let o = window; o; o = Object.getPrototypeOf(o))"
            " if (Object.hasOwn(o, 'onscrollend')) delete o.onscrollend;"
        )
    page.route(live_server + "/", with_history(2))  # forgets from the 23rd card on
    page.goto(live_server + "/")
    assert page.evaluate("'onscrollend' in window") is scrollend
    order = list(titles)
    for step in range(1, 26):
        page.keyboard.press("j")
        settle(page)
        assert on_screen(page) == order[step], (f"card {step}", feed_state(page))
    state = feed_state(page)
    assert state["first"] > 0
    page.wait_for_function(
        "first => document.getElementById('feed').scrollTop"
        " === (25 - first) * document.getElementById('feed').clientHeight",
        arg=state["first"],
    )
    assert on_screen(page) == order[25]
    page.keyboard.press("k")
    settle(page)
    assert on_screen(page) == order[24]
    assert page.problems == []
