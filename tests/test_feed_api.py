"""GET /api/v1/feed and POST /api/v1/feed/seen through the HTTP client."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import event

from skyframe import cursors
from skyframe.extensions import db
from skyframe.models import FeedSeen, PostStatus, utcnow
from tests.conftest import login

MINUTE = timedelta(minutes=1)


def pages(client, limit=None, cursor=None, max_pages=50):
    """Every page of the feed, following next_cursor."""
    result = []
    for _ in range(max_pages):
        query = {"limit": limit} if limit else {}
        if cursor:
            query["cursor"] = cursor
        body = client.get("/api/v1/feed", query_string=query).get_json()
        result.append(body)
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    return result


def ids(page):
    return [item["id"] for item in page["items"]]


def seen(client, post_ids):
    response = client.post("/api/v1/feed/seen", json={"post_ids": post_ids})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["recorded"]


@pytest.fixture
def uploaders(make_user):
    return [make_user(f"astro{i}") for i in range(4)]


def test_anonymous_visitors_get_the_newest_ready_posts_by_upload_time(client, uploaders, make_post):
    old = make_post(uploaders[0], age=10 * MINUTE, observed_at=utcnow().replace(year=2099))
    new = make_post(uploaders[1], age=MINUTE)
    make_post(uploaders[1], status=PostStatus.PROCESSING)
    make_post(uploaders[1], status=PostStatus.FAILED)
    body = client.get("/api/v1/feed").get_json()
    assert ids(body) == [new, old]
    assert body["has_more"] is False
    assert body["next_cursor"] is None
    assert body["items"][0]["liked"] is None
    assert body["items"][0]["following"] is None


def test_anonymous_pages_do_not_repeat_while_posts_arrive(client, uploaders, make_post):
    posted = [make_post(uploaders[i % 4], age=(30 - i) * MINUTE) for i in range(25)]
    first = client.get("/api/v1/feed?limit=10").get_json()
    assert ids(first) == posted[::-1][:10]
    make_post(uploaders[0])  # arrives between pages
    rest = pages(client, limit=10, cursor=first["next_cursor"])
    served = ids(first) + [i for page in rest for i in ids(page)]
    assert served == posted[::-1]


def test_signed_in_feed_blends_followed_posts_by_the_percentage(app_factory, make_user, make_post):
    app = app_factory(
        FEED_PRIORITIZED_PCT=60, FEED_MAX_PER_UPLOADER=0, FEED_MAX_CONSECUTIVE_PER_UPLOADER=0
    )
    client = app.test_client()
    _, star, *others = [make_user(h) for h in ("reader", "star", "o1", "o2")]
    followed = [make_post(star, age=(100 + i) * MINUTE) for i in range(20)]  # older
    everyone = [make_post(others[i % 2], age=i * MINUTE) for i in range(20)]  # newer
    login(client, "reader")
    assert client.post("/api/v1/users/star/follow").status_code == 200
    page = client.get("/api/v1/feed?limit=10").get_json()
    chosen = ids(page)
    assert len(chosen) == 10
    assert len([i for i in chosen if i in followed]) == 6
    assert all(item["following"] == (item["id"] in followed) for item in page["items"])
    assert [i for i in chosen if i in followed] == followed[:6]
    assert [i for i in chosen if i in everyone] == everyone[:4]


def test_liked_posts_join_the_prioritised_pool(app_factory, make_user, make_post):
    app = app_factory(FEED_PRIORITIZED_PCT=100, FEED_MAX_PER_UPLOADER=0)
    client = app.test_client()
    make_user("reader")
    someone = make_user("someone")
    liked = make_post(someone, age=50 * MINUTE)
    for i in range(5):
        make_post(someone, age=i * MINUTE)
    login(client, "reader")
    client.post(f"/api/v1/posts/{liked}/like")
    first = client.get("/api/v1/feed?limit=1").get_json()
    # Only likes made before the page's pass count: a fresh pass now.
    assert ids(first) == [liked]
    assert first["items"][0]["liked"] is True


def test_caps_hold_on_every_page(app_factory, make_user, make_post):
    app = app_factory(FEED_MAX_PER_UPLOADER=2, FEED_MAX_CONSECUTIVE_PER_UPLOADER=1)
    client = app.test_client()
    make_user("reader")
    people = [make_user(f"p{i}") for i in range(3)]
    for i in range(30):
        make_post(people[0] if i % 3 else people[i % 2 + 1], age=i * MINUTE)
    login(client, "reader")
    served = []
    for page in pages(client, limit=5, max_pages=30):
        owners = [item["owner"]["handle"] for item in page["items"]]
        assert all(owners.count(h) <= 2 for h in owners)
        assert all(a != b for a, b in itertools.pairwise(owners))
        served += ids(page)
    # Within a pass nothing repeats; a pass ends when the caps leave nothing.
    first_pass = served[: served.index(served[0], 1)] if served.count(served[0]) > 1 else served
    # Posts a cap held back come later in the pass: none is lost.
    assert sorted(first_pass) == sorted(set(served)) == list(range(min(served), min(served) + 30))


def test_seen_posts_are_skipped_until_the_feed_runs_out_then_it_starts_over(
    client, uploaders, make_user, make_post
):
    posted = [make_post(uploaders[i % 4], age=i * MINUTE) for i in range(12)]
    make_user("reader")
    login(client, "reader")
    assert seen(client, posted[:4]) == 4
    first = client.get("/api/v1/feed?limit=8").get_json()
    assert set(ids(first)) == set(posted[4:])
    assert seen(client, ids(first)) == 8
    # Nothing unseen is left: the least recently seen come back first.
    again = client.get("/api/v1/feed", query_string={"cursor": first["next_cursor"], "limit": 4})
    assert set(ids(again.get_json())) == set(posted[:4])


def test_the_feed_keeps_rotating_once_everything_is_seen(app_factory, make_user, make_post):
    """The reference implementation repeated one page forever once its seen
    cap was reached; re-seen posts must move to the back."""
    app = app_factory(FEED_SEEN_MAX_IDS=6, FEED_MAX_PER_UPLOADER=0)
    client = app.test_client()
    people = [make_user(f"p{i}") for i in range(3)]
    posted = {make_post(people[i % 3], age=i * MINUTE) for i in range(9)}
    make_user("reader")
    login(client, "reader")
    shown, cursor = [], None
    for _ in range(9):
        body = client.get(
            "/api/v1/feed", query_string={"limit": 3, **({"cursor": cursor} if cursor else {})}
        ).get_json()
        assert body["items"], "the feed went empty"
        seen(client, ids(body))
        shown.append(tuple(ids(body)))
        cursor = body["next_cursor"]
    # Every three pages in a row show all nine: the feed cycles through
    # everything instead of serving one page again and again.
    for start in range(len(shown) - 2):
        assert set().union(*shown[start : start + 3]) == posted


def test_the_feed_falls_back_to_a_random_batch_when_nothing_qualifies(
    app_factory, make_user, make_post
):
    app = app_factory(FEED_FRESH_DAYS=1, FEED_SEEN_ENABLED=False)
    client = app.test_client()
    owner = make_user("owner")
    posted = {make_post(owner, age=timedelta(days=5 + i)) for i in range(3)}
    make_user("reader")
    login(client, "reader")
    body = client.get("/api/v1/feed").get_json()
    assert ids(body)
    assert set(ids(body)) <= posted
    assert body["has_more"] is True
    assert client.get("/api/v1/feed", query_string={"cursor": body["next_cursor"]}).get_json()[
        "items"
    ]


def test_an_empty_site_has_an_empty_feed(client, make_user):
    make_user("reader")
    assert client.get("/api/v1/feed").get_json() == {
        "items": [],
        "next_cursor": None,
        "has_more": False,
    }
    login(client, "reader")
    assert client.get("/api/v1/feed").get_json()["items"] == []


@pytest.mark.parametrize("cursor", ["nonsense", "a" * 400, "eyJhIjoxfQ.forged"])
def test_bad_cursors_are_400(client, cursor):
    response = client.get("/api/v1/feed", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_a_cursor_longer_than_any_the_api_writes_is_refused_as_input(client):
    response = client.get("/api/v1/feed", query_string={"cursor": "a" * (cursors.MAX_LENGTH + 1)})
    assert response.status_code == 400  # the same answer as a forged cursor
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_cursors_belong_to_one_viewer(app, make_user, make_post, uploaders):
    for i in range(4):
        make_post(uploaders[i], age=i * MINUTE)
    make_user("one")
    make_user("two")
    first, second = app.test_client(), app.test_client()
    login(first, "one")
    login(second, "two")
    cursor = first.get("/api/v1/feed?limit=2").get_json()["next_cursor"]
    assert first.get("/api/v1/feed", query_string={"cursor": cursor}).status_code == 200
    assert second.get("/api/v1/feed", query_string={"cursor": cursor}).status_code == 400
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/feed", query_string={"cursor": cursor}).status_code == 400


@pytest.mark.parametrize("limit", ["0", "51", "ten"])
def test_bad_limits_are_422(client, limit):
    assert client.get("/api/v1/feed", query_string={"limit": limit}).status_code == 422


def test_feed_queries_do_not_grow_with_the_page(app_factory, make_user, make_post):
    app = app_factory(FEED_MAX_PER_UPLOADER=0, FEED_MAX_CONSECUTIVE_PER_UPLOADER=0)
    client = app.test_client()
    uploaders = [make_user(f"astro{i}") for i in range(4)]
    for i in range(30):
        make_post(uploaders[i % 4], age=i * MINUTE)
    make_user("reader")
    login(client, "reader")
    client.post("/api/v1/users/astro1/follow")

    def count_queries(limit):
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert len(client.get(f"/api/v1/feed?limit={limit}").get_json()["items"]) == limit
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    assert count_queries(3) == count_queries(20)


def test_seen_reports_are_validated_and_need_a_session(client, make_user, uploaders, make_post):
    post = make_post(uploaders[0])
    hidden = make_post(uploaders[0], status=PostStatus.PROCESSING)
    assert client.post("/api/v1/feed/seen", json={"post_ids": [post]}).status_code == 401
    make_user("reader")
    login(client, "reader")
    for body in (
        {},
        {"post_ids": []},
        {"post_ids": ["1"]},
        {"post_ids": [0]},
        {"post_ids": list(range(1, 102))},
        {"post_ids": [1], "extra": 1},
    ):
        assert client.post("/api/v1/feed/seen", json=body).status_code == 422, body
    assert (
        client.post("/api/v1/feed/seen", json={"post_ids": [post]}, csrf=False).status_code == 403
    )
    assert seen(client, [post, hidden, 999_999, post]) == 1


def test_seen_history_keeps_the_newest_up_to_the_cap(app_factory, make_user, make_post):
    app = app_factory(FEED_SEEN_MAX_IDS=3)
    client = app.test_client()
    owner = make_user("owner")
    posted = [make_post(owner, age=i * MINUTE) for i in range(5)]
    make_user("reader")
    login(client, "reader")
    for post in posted:
        seen(client, [post])
    seen(client, [posted[0]])  # seen again: its time is refreshed
    with app.app_context():
        kept = set(db.session.scalars(db.select(FeedSeen.post_id)))
    assert kept == {posted[0], posted[3], posted[4]}


def test_seen_history_expires(app_factory, make_user, make_post):
    app = app_factory(FEED_SEEN_RETENTION_DAYS=7, FEED_MAX_CONSECUTIVE_PER_UPLOADER=0)
    client = app.test_client()
    owner = make_user("owner")
    reader = make_user("reader")
    old, fresh = make_post(owner), make_post(owner)
    with app.app_context():
        db.session.add(
            FeedSeen(user_id=reader.id, post_id=old, seen_at=utcnow() - timedelta(days=8))
        )
        db.session.commit()
    login(client, "reader")
    # An expired impression no longer hides the post, even before any purge.
    assert set(ids(client.get("/api/v1/feed").get_json())) == {old, fresh}
    seen(client, [fresh])
    with app.app_context():
        assert set(db.session.scalars(db.select(FeedSeen.post_id))) == {fresh}


def test_seen_reports_are_ignored_when_seen_history_is_off(app_factory, make_user, make_post):
    app = app_factory(FEED_SEEN_ENABLED=False)
    client = app.test_client()
    post = make_post(make_user("owner"))
    make_user("reader")
    login(client, "reader")
    assert seen(client, [post]) == 0
    assert ids(client.get("/api/v1/feed").get_json()) == [post]


def _add_renditions(app, post_id):
    from skyframe.models import PostMedia

    with app.app_context():
        for index, (kind, content_type, edge) in enumerate(
            [
                ("original", "image/jpeg", 4000),
                ("display", "image/jpeg", 2048),
                ("display", "image/webp", 2048),
                ("thumb", "image/webp", 480),
                ("thumb", "image/jpeg", 480),
            ]
        ):
            db.session.add(
                PostMedia(
                    post_id=post_id,
                    kind=kind,
                    backend="local",
                    key=f"posts/k{post_id}/{kind}-{index}.{content_type.split('/')[1]}",
                    content_type=content_type,
                    width=edge,
                    height=edge // 2,
                    bytes=1000 + index,
                    sha256="0" * 64,
                )
            )
        db.session.commit()


def test_feed_items_are_the_posts_json(client, make_user, make_post, uploaders):
    """The feed loads posts as plain rows; the items must still be exactly
    what GET /api/v1/posts/<id> answers, flags included, but for the
    original's URL, which only the post itself carries."""
    followed = make_post(
        uploaders[0],
        tags=["nebula", "ha", "narrowband"],
        object="M42",
        telescope="RedCat 51",
        exposure_seconds=120.0,
        exposure_count=30,
        bortle=4,
        notes="Two nights.",
    )
    other = make_post(uploaders[1], age=MINUTE, tags=["moon"])
    _add_renditions(client.application, followed)
    make_user("reader")
    login(client, "reader")
    client.post("/api/v1/users/astro0/follow")
    client.post(f"/api/v1/posts/{followed}/like")
    client.post(f"/api/v1/posts/{other}/favorite")
    items = client.get("/api/v1/feed").get_json()["items"]
    assert {item["id"] for item in items} == {followed, other}
    for item in items:
        post = client.get(f"/api/v1/posts/{item['id']}").get_json()
        if item["media"] is not None:
            assert item["media"]["original"] is None
            post["media"]["original"] = None
        assert item == post
    mine = next(item for item in items if item["id"] == followed)
    assert (mine["liked"], mine["following"], mine["favorited"]) == (True, True, False)
    assert [r["content_type"] for r in mine["media"]["display"]] == ["image/webp", "image/jpeg"]
    assert mine["tags"] == ["nebula", "ha", "narrowband"]


def test_feed_items_show_likes_comments_edits_and_profile_changes_at_once(
    app, make_user, make_post, uploaders
):
    """Nothing a page shows may be stale after a write, whatever is cached."""
    post_id = make_post(uploaders[0], tags=["orion"])
    owner, reader = app.test_client(), app.test_client()
    make_user("reader")
    login(owner, "astro0")
    login(reader, "reader")

    def item():
        (found,) = [i for i in reader.get("/api/v1/feed").get_json()["items"] if i["id"] == post_id]
        return found

    before = item()
    assert (before["like_count"], before["liked"], before["comment_count"]) == (0, False, 0)
    reader.post(f"/api/v1/posts/{post_id}/like")
    reader.post(f"/api/v1/posts/{post_id}/comments", json={"body": "Lovely"})
    assert (
        owner.patch(
            f"/api/v1/posts/{post_id}", json={"title": "Orion again", "tags": ["m42", "orion"]}
        ).status_code
        == 200
    )
    assert owner.patch("/api/v1/me", json={"display_name": "Astro Zero"}).status_code == 200
    after = item()
    assert (after["like_count"], after["liked"], after["comment_count"]) == (1, True, 1)
    assert (after["title"], after["tags"]) == ("Orion again", ["m42", "orion"])
    assert after["owner"]["display_name"] == "Astro Zero"
    assert after == reader.get(f"/api/v1/posts/{post_id}").get_json()


@pytest.mark.parametrize(("many_follows", "scan_newest"), [(1, 1000), (1, 3), (10_000, 1000)])
def test_followed_posts_are_the_same_whichever_way_they_are_found(
    app_factory, make_user, make_post, monkeypatch, many_follows, scan_newest
):
    """PostgreSQL finds followed posts among the newest posts for viewers with
    many follows, else per followed uploader; the pages must not tell."""
    from skyframe.feed import pools

    app = app_factory(FEED_MAX_PER_UPLOADER=0, FEED_MAX_CONSECUTIVE_PER_UPLOADER=0)
    client = app.test_client()
    people = [make_user(f"astro{i}") for i in range(5)]
    posts = [make_post(people[i % 5], age=i * MINUTE) for i in range(40)]
    make_user("reader")
    login(client, "reader")
    for handle in ("astro0", "astro2", "astro3"):
        client.post(f"/api/v1/users/{handle}/follow")
    client.post(f"/api/v1/posts/{posts[1]}/like")
    seen(client, posts[0:10:3])

    def walk():  # one pass: every post once, the seen ones last
        return [ids(page) for page in pages(client, limit=4, max_pages=10)]

    pools._pools_statement.cache_clear()
    expected = walk()
    monkeypatch.setattr(pools, "MANY_FOLLOWS", many_follows)
    monkeypatch.setattr(pools, "SCAN_NEWEST", scan_newest)
    pools._pools_statement.cache_clear()
    try:
        assert walk() == expected
    finally:
        pools._pools_statement.cache_clear()
    assert sorted(itertools.chain.from_iterable(expected)) == sorted(posts)
