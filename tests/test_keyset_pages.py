"""Every keyset listing pages the same way: ``?cursor=`` carries a signed
position, and a forged, foreign or oversized cursor is a 400 invalid_cursor
(never a cut, never a 500), on the JSON API and on the HTML pages alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skyframe import cursors
from tests.conftest import login

SECRET = "test-secret"
BAD_CURSORS = ["forged", "x" * (cursors.MAX_LENGTH + 1)]
START = datetime(2026, 1, 1, tzinfo=UTC)

API_LISTINGS = [
    "/api/v1/feed/following",
    "/api/v1/me/favorites",
    "/api/v1/notifications",
    "/api/v1/posts/{post}/comments",
    "/api/v1/feed",
    "/api/v1/search?q=m31",
]
HTML_LISTINGS = ["/u/vega", "/saved", "/notifications", "/p/{post}", "/search?q=m31"]


@given(total=st.integers(0, 40), limit=st.integers(1, 12))
def test_walking_every_page_shows_each_row_once_in_order(total, limit):
    rows = [SimpleNamespace(id=i, created_at=START - timedelta(minutes=i)) for i in range(total)]

    def fetch(after):
        start = 0 if after is None else next(i for i, r in enumerate(rows) if r.id == after[1]) + 1
        return rows[start : start + limit + 1]

    shown, cursor = [], None
    while True:
        page = cursors.keyset_page(SECRET, "test", cursor, limit, fetch)
        assert len(page.items) <= limit
        shown += page.items
        if not page.has_more:
            break
        cursor = page.next_cursor
        assert len(cursor) <= cursors.MAX_LENGTH
    assert shown == rows


def test_a_cursor_of_another_listing_is_refused():
    cursor = cursors.encode(SECRET, "saved", START, 7)
    with pytest.raises(cursors.InvalidCursor):
        cursors.keyset_page(SECRET, "notifications", cursor, 10, lambda after: [])


@pytest.fixture
def vega_with_a_post(client, make_user, make_post):
    vega = make_user("vega")
    post_id = make_post(vega)
    login(client, "vega")
    return post_id


@pytest.mark.parametrize(
    ("path", "answer"),
    [(path, "application/json") for path in API_LISTINGS]
    + [(path, "text/html") for path in HTML_LISTINGS],
)
@pytest.mark.parametrize("cursor", BAD_CURSORS, ids=["forged", "too-long"])
def test_every_listing_refuses_a_bad_cursor_the_same_way(
    client, vega_with_a_post, path, answer, cursor
):
    url = path.format(post=vega_with_a_post)
    response = client.get(url + ("&" if "?" in url else "?") + f"cursor={cursor}")
    assert response.status_code == 400
    assert answer in response.content_type
    if answer == "application/json":
        assert response.get_json()["error"]["code"] == "invalid_cursor"
