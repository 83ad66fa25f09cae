"""View counts (SPEC §4): once per viewer per post per 24 hours, from 2
seconds, visitors included; owners, staff and non-browsers not counted;
buffered (memory or Redis) and exact after the flush."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from config import ConfigError, load_config
from skyframe.extensions import db
from skyframe.models import Post, PostStatus, Role, User
from skyframe.schedules import PERIODIC
from skyframe.services import view_buffer
from skyframe.viewcounts import buffer as buffers
from skyframe.viewcounts import counting, viewers
from skyframe.viewcounts import flush as view_flush
from skyframe.viewcounts.display import compact_count
from tests.conftest import REDIS_URL, login

BROWSER = {
    "Sec-Fetch-Site": "same-origin",
    "User-Agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
}


def report(client, *post_ids, seconds=3.0, headers=BROWSER, **kwargs):
    body = {"views": [{"post_id": post_id, "seconds": seconds} for post_id in post_ids]}
    return client.post("/api/v1/views", json=body, headers=headers, **kwargs)


def recorded(client, *post_ids, **kwargs) -> int:
    response = report(client, *post_ids, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["recorded"]


def flush(app) -> view_flush.Flushed:
    with app.app_context():
        return view_flush.flush(db.session, view_buffer())


def views_of(app, post_id: int) -> int:
    with app.app_context():
        return db.session.get(Post, post_id).view_count


def total_views_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).view_count


def visitor(app, address: str = "127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def owner(make_user):
    return make_user("vega")


@pytest.fixture
def post(owner, make_post):
    return make_post(owner)


# Once per viewer per day.


def test_repeated_views_within_a_day_count_once(app, client, make_user, owner, post):
    make_user("mira")
    login(client, "mira")
    assert recorded(client, post) == 1
    assert recorded(client, post) == 0
    assert recorded(client, post, post) == 0
    assert flush(app).views == 1
    assert recorded(client, post) == 0  # after the flush too: the claim lasts the day
    flush(app)
    assert views_of(app, post) == 1
    assert total_views_of(app, owner.id) == 1


def test_a_view_counts_again_after_24_hours():
    now = [1000.0]
    buffer = buffers.MemoryBuffer(clock=lambda: now[0])
    assert buffer.record("u1", [7]) == [7]
    now[0] += buffers.DAY_SECONDS - 1
    assert buffer.record("u1", [7]) == []
    now[0] += 1
    assert buffer.record("u1", [7]) == [7]
    assert buffer.take() == {7: 2}


def test_two_signed_in_users_count_twice(app, make_user, post):
    for handle in ("mira", "deneb"):
        make_user(handle)
        client = app.test_client()
        login(client, handle)
        assert recorded(client, post) == 1
    flush(app)
    assert views_of(app, post) == 2


def test_two_visitors_with_their_cookies_count_twice_behind_one_address(
    app, owner, post, make_post
):
    first_page = make_post(owner)
    for _ in range(2):
        client = visitor(app)
        report(client, first_page)  # the first report gets the cookie
        assert client.get_cookie(viewers.COOKIE_NAME) is not None
        assert recorded(client, post) == 1
    flush(app)
    assert views_of(app, post) == 2


def test_the_visitor_cookie_is_signed_random_and_kept(app, post):
    client = visitor(app)
    report(client, post)
    cookie = client.get_cookie(viewers.COOKIE_NAME)
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    with app.app_context():
        visitor_id = viewers.visitor_id(cookie.value, app.config["SECRET_KEY"])
    assert visitor_id is not None
    assert len(visitor_id) == 22
    report(client, post)
    assert client.get_cookie(viewers.COOKIE_NAME).value == cookie.value  # not reissued


def test_a_forged_visitor_cookie_is_no_id(app, post):
    assert viewers.visitor_id("abcdefghijklmnopqrstuv.forged", app.config["SECRET_KEY"]) is None
    client = visitor(app)
    client.set_cookie(viewers.COOKIE_NAME, "abcdefghijklmnopqrstuv.forged")
    assert recorded(client, post) == 1  # counted by its address
    assert client.get_cookie(viewers.COOKIE_NAME).value != "abcdefghijklmnopqrstuv.forged"


def test_visitors_without_the_cookie_fall_back_to_the_address_ipv6_by_64(app, post):
    assert recorded(visitor(app, "2001:db8:1:2::10"), post) == 1
    # Same /64, another address, no cookie: the same viewer.
    assert recorded(visitor(app, "2001:db8:1:2::99"), post) == 0
    assert recorded(visitor(app, "2001:db8:1:3::10"), post) == 1
    assert recorded(visitor(app, "192.0.2.1"), post) == 1
    assert recorded(visitor(app, "192.0.2.1"), post) == 0
    assert recorded(visitor(app, "192.0.2.2"), post) == 1
    flush(app)
    assert views_of(app, post) == 4


# Who does not count.


def test_the_owner_does_not_count(app, client, owner, post):
    login(client, "vega")
    assert recorded(client, post) == 0
    assert flush(app).views == 0
    assert views_of(app, post) == 0


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.MANAGER])
def test_staff_do_not_count(app, client, make_user, post, role):
    make_user("staffer", role=role)
    login(client, "staffer")
    assert recorded(client, post) == 0
    flush(app)
    assert views_of(app, post) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Fetch Metadata: not a browser's page
        {"User-Agent": BROWSER["User-Agent"]},
        {**BROWSER, "Sec-Fetch-Site": "cross-site"},
        {**BROWSER, "Sec-Fetch-Site": "none"},
        {"Sec-Fetch-Site": "same-origin"},  # no User-Agent
        {**BROWSER, "User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
        {**BROWSER, "User-Agent": "curl/8.5.0"},
        {**BROWSER, "User-Agent": "python-requests/2.32"},
        {**BROWSER, "User-Agent": "Mozilla/5.0 HeadlessChrome/131.0"},
    ],
)
def test_requests_that_are_not_a_browsers_do_not_count(app, post, headers):
    client = visitor(app)
    assert recorded(client, post, headers=headers) == 0
    assert client.get_cookie(viewers.COOKIE_NAME) is None


def test_views_shorter_than_two_seconds_do_not_count(app, client, make_user, post):
    make_user("mira")
    login(client, "mira")
    assert recorded(client, post, seconds=1.99) == 0
    assert recorded(client, post, seconds=2) == 1


def test_posts_that_do_not_exist_or_are_hidden_are_skipped(
    app, client, make_user, owner, post, make_post
):
    processing = make_post(owner, status=PostStatus.PROCESSING)
    taken_down = make_post(owner, taken_down=True)
    make_user("mira")
    login(client, "mira")
    assert recorded(client, 999_999, processing, taken_down, post) == 1
    flush(app)
    assert [views_of(app, p) for p in (processing, taken_down, post)] == [0, 0, 1]


def test_a_suspended_user_still_counts(app, client, make_user, post):
    from datetime import timedelta

    from skyframe.models import utcnow

    user = make_user("hush")
    with app.app_context():
        db.session.get(User, user.id).suspended_until = utcnow() + timedelta(days=3)
        db.session.get(User, user.id).suspended_at = utcnow()
        db.session.commit()
    login(client, "hush")
    assert recorded(client, post) == 1


# The request.


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"views": []},
        {"views": [{"post_id": 1, "seconds": 3}] * 101},
        {"views": [{"post_id": 0, "seconds": 3}]},
        {"views": [{"post_id": "1", "seconds": 3}]},
        {"views": [{"post_id": 1.5, "seconds": 3}]},
        {"views": [{"post_id": 1}]},
        {"views": [{"post_id": 1, "seconds": -1}]},
        {"views": [{"post_id": 1, "seconds": "3"}]},
        {"views": [{"post_id": 1, "seconds": True}]},
        {"views": [{"post_id": 1, "seconds": 10**9}]},
        {"views": [{"post_id": 1, "seconds": 3, "extra": 1}]},
        {"views": [{"post_id": 1, "seconds": 3}], "more": 1},
        {"views": {"post_id": 1, "seconds": 3}},
    ],
)
def test_invalid_reports_are_422_in_the_error_shape(client, body):
    response = client.post("/api/v1/views", json=body, headers=BROWSER)
    assert response.status_code == 422, body
    assert response.get_json()["error"]["code"] == "validation_failed"


def test_a_hundred_views_in_one_report_are_fine(app, client, make_user, owner, make_post):
    posts = [make_post(owner) for _ in range(3)]
    body = [*posts, *range(10_000, 10_097)]
    make_user("mira")
    login(client, "mira")
    assert recorded(client, *body) == 3


def test_reports_need_the_csrf_token(client, post):
    response = client.post(
        "/api/v1/views", json={"views": [{"post_id": post, "seconds": 3}]}, csrf=False
    )
    assert response.status_code == 403


def test_reporting_writes_nothing_to_the_database(app, post):
    from sqlalchemy import event

    statements = []
    with app.app_context():
        engine = db.engine

    def capture(conn, cursor, statement, *args):
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert recorded(visitor(app), post) == 1
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert set(statements) <= {"SELECT", "BEGIN", "ROLLBACK"}, statements


def test_a_buffer_that_is_down_answers_503(app_factory, post):
    app = app_factory(VIEW_BUFFER_URL="redis://127.0.0.1:1/0")
    response = report(visitor(app), post)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"


# The flush.


def test_flush_is_idempotent(app, make_user, post):
    for handle in ("mira", "deneb"):
        make_user(handle)
        client = app.test_client()
        login(client, handle)
        report(client, post)
    assert flush(app).line() == "2 view(s) of 1 post(s) flushed."
    assert flush(app).line() == "0 view(s) of 0 post(s) flushed."
    assert views_of(app, post) == 2


def test_flask_views_flush_runs_it_by_hand(app, post):
    report(visitor(app), post)
    result = app.test_cli_runner().invoke(args=["views", "flush"])
    assert result.exit_code == 0, result.output
    assert "1 view(s) of 1 post(s) flushed." in result.output
    assert views_of(app, post) == 1


def test_the_flush_is_a_periodic_task_every_view_flush_seconds(app):
    task = PERIODIC["flush-views"]
    assert task.setting == "VIEW_FLUSH_SECONDS"
    assert app.config["VIEW_FLUSH_SECONDS"] == 60


def test_a_failed_flush_keeps_its_counts_for_the_next(app, post, monkeypatch):
    report(visitor(app), post)

    def broken(session, counts):
        raise RuntimeError("database away")

    with monkeypatch.context() as patch:
        patch.setattr(view_flush, "_store", broken)
        with pytest.raises(RuntimeError):
            flush(app)
    assert views_of(app, post) == 0
    assert flush(app).views == 1
    assert views_of(app, post) == 1


def test_views_of_a_post_deleted_before_the_flush_go_to_nobody(app, owner, post):
    report(visitor(app), post)
    with app.app_context():
        db.session.delete(db.session.get(Post, post))
        db.session.commit()
    assert flush(app).posts == 1
    assert total_views_of(app, owner.id) == 0


def test_the_owners_total_adds_up_their_posts(app, owner, make_post, make_user):
    other = make_user("deneb")
    posts = [make_post(owner), make_post(owner), make_post(other)]
    for address in ("192.0.2.1", "192.0.2.2"):
        assert recorded(visitor(app, address), *posts) == 3
    flush(app)
    assert total_views_of(app, owner.id) == 4
    assert total_views_of(app, other.id) == 2


def test_flushes_add_to_what_is_there(app, post):
    with app.app_context():
        db.session.get(Post, post).view_count = 41
        db.session.commit()
    report(visitor(app), post)
    flush(app)
    assert views_of(app, post) == 42


# Concurrency: exact on both buffers.


def run_concurrently(app, post_ids: list[int], viewers_count: int = 60) -> int:
    """Viewers record views of every post from 6 threads while another thread
    flushes over and over; a last flush after. The views counted."""
    counted = []
    stop = threading.Event()

    def view(index: int) -> int:
        with app.app_context():
            return counting.record_views(
                db.session,
                view_buffer(),
                f"v{index}",
                None,
                [(post_id, 3.0) for post_id in post_ids] * 2,  # each twice: once counts
            )

    def flush_repeatedly():
        while not stop.is_set():
            flush(app)

    flusher = threading.Thread(target=flush_repeatedly)
    flusher.start()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            counted = list(pool.map(view, range(viewers_count)))
    finally:
        stop.set()
        flusher.join()
    flush(app)
    return sum(counted)


def test_concurrent_reports_stay_exact_after_the_flush_in_memory(app, owner, make_post):
    posts = [make_post(owner) for _ in range(4)]
    total = run_concurrently(app, posts)
    assert total == 60 * 4
    assert [views_of(app, p) for p in posts] == [60] * 4
    assert total_views_of(app, owner.id) == 240


@pytest.fixture
def redis_app(app_factory):
    if not REDIS_URL:
        pytest.skip("SKYFRAME_TEST_REDIS_URL is not set")
    prefix = f"skyframe-test-{uuid.uuid4().hex[:8]}"
    app = app_factory(VIEW_BUFFER_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
    yield app
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
    connection.close()


def test_the_redis_buffer_claims_for_a_day(redis_app, post):
    with redis_app.app_context():
        buffer = view_buffer()
        assert isinstance(buffer, buffers.RedisBuffer)
        assert buffer.record("u1", [post, post]) == [post]
        assert buffer.record("u1", [post]) == []
        ttl = buffer.client.ttl(f"{buffer.claim_prefix}u1:{post}")
        assert buffers.DAY_SECONDS - 5 < ttl <= buffers.DAY_SECONDS
        assert buffer.pending() == {post: 1}


def test_concurrent_reports_stay_exact_after_the_flush_on_redis(redis_app, owner, make_post):
    posts = [make_post(owner) for _ in range(4)]
    total = run_concurrently(redis_app, posts)
    assert total == 60 * 4
    assert [views_of(redis_app, p) for p in posts] == [60] * 4
    with redis_app.app_context():
        assert view_buffer().pending() == {}


def test_a_redis_flush_that_died_is_taken_up_by_the_next(redis_app, post):
    assert recorded(visitor(redis_app), post) == 1
    with redis_app.app_context():
        assert view_buffer().take() == {post: 1}  # a flush that died before its commit
    assert recorded(visitor(redis_app, "192.0.2.7"), post) == 1
    assert flush(redis_app).views == 1  # the abandoned batch first
    assert flush(redis_app).views == 1  # then the newer one
    assert views_of(redis_app, post) == 2


def test_only_one_flush_of_a_buffer_runs_at_a_time(redis_app, post):
    report(visitor(redis_app), post)
    with redis_app.app_context(), view_buffer().flushing() as mine:
        assert mine
        assert view_flush.flush(db.session, view_buffer()).busy
    assert flush(redis_app).views == 1


def test_the_memory_buffer_is_bounded():
    buffer = buffers.MemoryBuffer(max_claims=3, max_posts=2)
    assert buffer.record("v", [1, 2, 3]) == [1, 2]  # a third post waits for a flush
    assert buffer.record("w", [1, 2]) == [1, 2]
    assert len(buffer._claims) == 3
    buffer.take()
    assert buffer.record("x", [3]) == [3]


# Configuration.


def test_the_buffer_follows_the_jobs_backend_unless_named():
    from skyframe.wiring import view_buffer_url

    inline = load_config("testing")
    assert view_buffer_url(inline) == "memory://"
    rq = load_config("testing", overrides={"JOBS_BACKEND": "rq"})
    assert view_buffer_url(rq) == rq["RQ_REDIS_URL"]
    with pytest.raises(ConfigError):
        load_config("testing", overrides={"JOBS_BACKEND": "rq", "VIEW_BUFFER_URL": "memory://"})
    with pytest.raises(ConfigError):
        load_config("testing", overrides={"VIEW_BUFFER_URL": "postgres://x"})


# Where counts show.


def test_view_count_is_on_post_json_cards_post_pages_and_profiles(
    app, client, owner, post, make_post
):
    with app.app_context():
        db.session.get(Post, post).view_count = 1234
        db.session.get(User, owner.id).view_count = 1_250_000
        db.session.commit()
    assert client.get(f"/api/v1/posts/{post}").get_json()["view_count"] == 1234
    items = client.get("/api/v1/feed").get_json()["items"]
    assert [item["view_count"] for item in items if item["id"] == post] == [1234]
    feed = client.get("/").get_data(as_text=True)
    assert '<span data-role="view-count">1.2k</span> <span data-role="view-word">views' in feed
    page = client.get(f"/p/{post}").get_data(as_text=True)
    assert "1.2k views" in page
    profile = client.get("/u/vega").get_data(as_text=True)
    assert '<strong data-role="view-count">1.2M</strong> views' in profile


def test_a_flush_shows_in_the_feeds_json(app, client, post):
    assert client.get("/api/v1/feed").get_json()["items"][0]["view_count"] == 0
    report(visitor(app), post)
    flush(app)
    assert client.get("/api/v1/feed").get_json()["items"][0]["view_count"] == 1


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1k"),
        (1049, "1k"),
        (1250, "1.2k"),
        (9999, "9.9k"),
        (12_345, "12k"),
        (999_999, "999k"),
        (1_000_000, "1M"),
        (3_456_789, "3.4M"),
        (2_000_000_000, "2B"),
    ],
)
def test_counts_show_compactly(value, shown):
    assert compact_count(value) == shown


@given(st.integers(min_value=0, max_value=10**12))
def test_a_compact_count_never_shows_more_than_the_count(value):
    shown = compact_count(value)
    units = {"k": 10**3, "M": 10**6, "B": 10**9}
    number = float(shown[:-1]) * units[shown[-1]] if shown[-1] in units else float(shown)
    assert number <= value
    assert len(shown) <= 5 or shown.endswith("B")


def test_counted_posts_are_read_in_one_query(app, make_user, owner, make_post):
    from sqlalchemy import event

    posts = [make_post(owner) for _ in range(5)]
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        mira = db.session.scalar(select(User).where(User.handle == "vega"))
        assert counting.countable_posts(db.session, mira, posts) == []
        assert counting.countable_posts(db.session, None, posts) == sorted(posts)
        assert len([s for s in statements if "FROM posts" in s]) == 2
