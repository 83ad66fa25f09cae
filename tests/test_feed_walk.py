"""Scrolling the feed for a long time, as a phone does: 300 pages and more.

A generated site (seed-demo's shape, without images) on each database; each
viewer follows next_cursor page after page and, with seen history on,
reports every page seen as the PWA does. Every page answers 200, no post
comes twice within a pass, and no cursor outgrows feed.cursor.MAX_LENGTH —
the bug this guards against ended the feed after ~23 pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from skyframe.accounts import users
from skyframe.demo.site import DEMO_PASSWORD, DemoShape, seed_demo
from skyframe.extensions import db
from skyframe.feed import cursor as feed_cursor
from skyframe.feed.selector import BLEND
from skyframe.models import User, utcnow
from skyframe.services import current_storage, password_hashing
from tests.conftest import BACKENDS, STRONG_PASSWORD, build_app, migrate_to_head, throwaway_database

PAGES = 300
SITE = DemoShape(
    users=600,
    posts=32_000,
    follows_per_user=50,
    likes_per_user=20,
    seen_per_user=20,
    heavy_users=1,  # 500 follows, 30,000 seen
    images=False,
)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with throwaway_database(request.param, tmp_path_factory) as url:
        migrate_to_head(url)
        app = build_app(url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")))
        with app.app_context():
            report = seed_demo(
                db.session,
                current_storage(),
                SITE,
                utcnow(),
                password_hashing().hash(DEMO_PASSWORD),
            )
            users.register_user(
                db.session,
                password_hashing(),
                email="newcomer@example.org",
                handle="newcomer",
                display_name="Newcomer",
                password=STRONG_PASSWORD,
            )
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        yield url, report


@dataclass(frozen=True)
class Viewer:
    name: str
    login: str  # "first" (a typical user), "heavy" or "newcomer"
    seen: bool = True
    caps: tuple[int, int] = (3, 1)  # FEED_MAX_PER_UPLOADER, FEED_MAX_CONSECUTIVE_PER_UPLOADER
    cache: bool = True
    fresh_days: int = 30


VIEWERS = [
    Viewer("no follows", "newcomer"),
    # Two days of uploads (~1,000 posts): the pass runs out of unseen posts,
    # recycles the seen ones, and begins again.
    Viewer("50 follows, caps 1/1, a 2-day window", "first", caps=(1, 1), fresh_days=2),
    Viewer("50 follows, seen history off, no feed cache", "first", seen=False, cache=False),
    Viewer("500 follows, 30,000 seen", "heavy"),
    Viewer("500 follows, 30,000 seen, caps 1/1, seen history off", "heavy", False, (1, 1)),
]


@pytest.fixture
def site_app(site):
    """Apps on the site's database with feed settings of the test's."""
    made = []

    def make(**overrides):
        made.append(build_app(site[0], **overrides))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.name)
def test_the_feed_goes_on_for_hundreds_of_pages(site, site_app, viewer, capsys):
    report = site[1]
    app = site_app(
        RATELIMIT_ENABLED=False,
        FEED_SEEN_ENABLED=viewer.seen,
        FEED_MAX_PER_UPLOADER=viewer.caps[0],
        FEED_MAX_CONSECUTIVE_PER_UPLOADER=viewer.caps[1],
        FEED_PREFETCH_PAGES=4 if viewer.cache else 0,
        FEED_FRESH_DAYS=viewer.fresh_days,
    )
    login_name = {"first": report.first_user, "heavy": report.heavy_user}.get(
        viewer.login, viewer.login
    )
    password = STRONG_PASSWORD if viewer.login == "newcomer" else DEMO_PASSWORD
    client = app.test_client()
    assert (
        client.post(
            "/api/v1/auth/login", json={"login": login_name, "password": password}
        ).status_code
        == 200
    )
    with app.app_context():
        viewer_id = db.session.scalar(db.select(User.id).where(User.handle == login_name))
        db.session.remove()

    cursor, shown_in_pass, passes, lengths, phases = None, Counter(), 1, [], Counter()
    for number in range(1, PAGES + 1):
        response = client.get("/api/v1/feed", query_string={"cursor": cursor} if cursor else {})
        assert response.status_code == 200, (number, response.get_json())
        body = response.get_json()
        ids = [item["id"] for item in body["items"]]
        assert ids, f"page {number} is empty"
        assert body["has_more"]
        before, after = (
            decoded(app, viewer_id, cursor),
            decoded(app, viewer_id, body["next_cursor"]),
        )
        if before is not None and after.as_of != before.as_of:
            shown_in_pass, passes = Counter(), passes + 1  # this page began a new pass
        elif (before is None or before.phase == BLEND) and after.phase == BLEND:
            # Unseen posts, newest first: each once a pass. (Recycled posts
            # are the seen ones coming round again, by design.)
            repeats = [post_id for post_id in ids if shown_in_pass[post_id]]
            assert not repeats, f"page {number} repeats {repeats} within its pass"
        shown_in_pass.update(ids)
        phases[after.phase] += 1
        if viewer.seen:
            assert client.post("/api/v1/feed/seen", json={"post_ids": ids}).status_code == 200
        cursor = body["next_cursor"]
        lengths.append(len(cursor))
        assert len(cursor) <= feed_cursor.MAX_LENGTH
    with capsys.disabled():
        print(
            f"\n  {viewer.name}: {PAGES} pages, {passes} pass(es) {dict(phases)}, cursor length "
            f"max {max(lengths)} (median {sorted(lengths)[len(lengths) // 2]}) "
            f"of {feed_cursor.MAX_LENGTH}"
        )


def decoded(app, viewer_id, cursor):
    if cursor is None:
        return None
    with app.app_context():
        return feed_cursor.decode(
            app.config["SECRET_KEY"],
            viewer_id,
            cursor,
            utcnow(),
            app.extensions["skyframe.feed_cache"],
        )
