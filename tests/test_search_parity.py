"""SQLite and PostgreSQL answer every search the same way.

The same posts go into a database of each kind; generated searches (words,
phrases, ``or``, exclusions, punctuation, Unicode) must return the same posts
in the same order from both, and exactly the posts a plain Python reading of
the parsed query picks. Lower down, each database is checked to index and
parse the folded words as they are, never splitting or dropping one.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from skyframe import search, words
from skyframe.accounts import users
from skyframe.extensions import db
from skyframe.models import Post, PostStatus, utcnow
from skyframe.posts import details as post_details
from skyframe.search import filters as search_filters
from skyframe.search import scan, websearch
from skyframe.services import password_hashing
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    STRONG_PASSWORD,
    build_app,
    migrate_to_head,
    throwaway_database,
)

# (title, object, tags, notes, observer): spellings each database's own
# parser used to read differently.
POSTS = [
    ("Comet 12P/Pons-Brooks over the lake", "12P/Pons-Brooks", ["comet"], "f/2, 30 s", "Vega"),
    (
        "NGC-7000 in SII/Ha/OIII",
        "NGC 7000",
        ["narrowband", "sho"],
        "Hα through a 3nm filter",
        "Ærø",
    ),
    ("Skies over the Straße", None, ["nightscape"], "Ångström-level seeing, ﬁne stars", "ærø"),
    ("C/2023 A3 Tsuchinshan–ATLAS at dusk", "C/2023 A3", ["comet", "dusk"], "", "Altair"),
    ("Eastern", "Veil Nebula", ["supernova remnant"], "eastern veil, western veil", "Vega"),
    ("Wide field of the eastern", None, [], "veil and Pickering's triangle", "Deneb"),
    ("The Moon, Tycho & Copernicus", "Moon", ["moon", "lunar"], "Lunar craters at 250x", "Vega"),
    ("Млечный путь над озером", None, ["milky way"], "Звёзды", "Вега"),
    ("天の川 and the sky", None, ["天の川"], "", "Altair"),
    ("Ｍ３１ in full width", "M31", ["galaxy"], "Andromeda galaxy core", "VEGA"),
    (
        "Andromeda, running galaxies",
        "Andromeda Galaxy",
        ["galaxies"],
        "generously exposed",
        "Deneb",
    ),
    ("Orion", "M42", ["nebula"], "The Orion Nebula and the Running Man", "Altair"),
    ("sky", None, ["sky"], "skies", "Deneb"),
]
VOCABULARY = [
    "comet", "12P/Pons-Brooks", "pons-brooks", "Pons", "brooks", "NGC-7000", "ngc 7000",
    "ngc7000", "SII/Ha/OIII", "OIII", "ha", "hα", "Skies", "sky", "STRASSE", "straße",
    "ångström", "angstrom", "fine", "C/2023", "A3", "eastern", "veil", "Veil Nebula",
    "nebula", "moon", "lunar", "tycho", "copernicus", "млечный", "путь", "天の川", "m31",
    "Ｍ３１", "andromeda", "galaxy", "galaxies", "running", "run", "generous", "orion",
    "the", "of", "over", "250x", "3nm", "f/2", "x", "ærø", "narrowband", "milky", "way",
]  # fmt: skip
FIELDS = (Post.search_title, Post.search_names, Post.search_notes)
CATEGORIES = ("deep-sky", "lunar")


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    """A migrated database of each kind holding POSTS, and an app on each."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip("compares with PostgreSQL (SKYFRAME_TEST_POSTGRES_URL)")
    built = {}
    with (
        throwaway_database("sqlite", tmp_path_factory) as sqlite_url,
        throwaway_database("postgresql", tmp_path_factory) as postgresql_url,
    ):
        for name, url in (("sqlite", sqlite_url), ("postgresql", postgresql_url)):
            migrate_to_head(url)
            app = build_app(url)
            with app.app_context():
                _fill(db.session)
            built[name] = app
        yield built
        for app in built.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _fill(session) -> None:
    owner = users.register_user(
        session,
        password_hashing(),
        email="vega@example.org",
        handle="vega",
        display_name="Vega",
        password=STRONG_PASSWORD,
    )
    session.flush()
    now = utcnow()
    for i, (title, object_name, tags, notes, observer) in enumerate(POSTS):
        post = Post(
            owner_id=owner.id,
            status=PostStatus.READY,
            media_key=f"parity{i}",
            title=title,
            category=CATEGORIES[i % len(CATEGORIES)],
            observer=observer,
            notes=notes,
            # Some without a date, and ties for the upload time to break.
            observed_at=None if i % 4 == 3 else now - timedelta(days=i % 5),
            created_at=now - timedelta(minutes=i),
            updated_at=now,
        )
        post.set_tags(tags)
        if object_name:
            post_details.set_object(post, object_name)
        session.add(post)
    session.commit()


@pytest.fixture(scope="module", autouse=True)
def short_walks():
    """PostgreSQL's relevance pages walk the newest posts first and fall back
    to the index: a walk shorter than the corpus exercises both."""
    walked = scan.RECENT_ROWS, scan.RECENT_ROWS_MAX
    scan.RECENT_ROWS, scan.RECENT_ROWS_MAX = 4, 12
    yield
    scan.RECENT_ROWS, scan.RECENT_ROWS_MAX = walked


def _answer(
    app,
    query: str,
    sort: str,
    rank_window: int = 100,
    category: str | None = None,
    limit: int = 100,
) -> list[int]:
    with app.app_context():
        filters = search_filters.build(text=query, sort=sort, category=category)
        found = search.find(db.session, filters, limit=limit, now=utcnow(), rank_window=rank_window)
        return found.post_ids


def _expected(app, query: str, sort: str = "newest", category: str | None = None) -> set[int]:
    """The posts a plain reading of the parsed query picks (those with an
    observation date when sorted by it)."""
    parsed = websearch.parse(query)
    with app.app_context():
        found = db.select(Post.id, *FIELDS)
        if category:
            found = found.where(Post.category == category)
        if sort == "observed":
            found = found.where(Post.observed_at.is_not(None))
        rows = db.session.execute(found).all()
    return {row.id for row in rows if _holds(parsed, [field.split() for field in row[1:]])}


def _holds(query: websearch.ParsedQuery, fields: list[list[str]]) -> bool:
    def found(term: websearch.Term) -> bool:
        size = len(term.words)
        return any(
            tuple(field[i : i + size]) == term.words
            for field in fields
            for i in range(len(field) - size + 1)
        )

    return any(all(found(term) != term.excluded for term in part.terms) for part in query.parts)


piece = st.sampled_from(VOCABULARY) | st.sampled_from(["or", "OR", "-", '"'])
term = st.tuples(st.sampled_from(["", "", "-", "--"]), st.lists(piece, min_size=1, max_size=3))
quoted = st.booleans()


@st.composite
def queries(draw) -> str:
    pieces = []
    for dashes, chosen in draw(st.lists(term, min_size=1, max_size=5)):
        joined = " ".join(chosen)
        pieces.append(dashes + (f'"{joined}"' if draw(quoted) else joined))
    return " ".join(pieces)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=queries(),
    sort=st.sampled_from(["relevance", "newest", "observed"]),
    rank_window=st.sampled_from([1, 2, 100]),
    category=st.sampled_from([None, *CATEGORIES]),
    limit=st.sampled_from([100, 100, 1, 3]),
    walk_max=st.sampled_from([12, 4]),
)
def test_both_databases_find_the_same_posts_in_the_same_order(
    apps, query, sort, rank_window, category, limit, walk_max
):
    on_sqlite = _answer(apps["sqlite"], query, sort, rank_window, category, limit)
    # walk_max 4: PostgreSQL never walks on, it collects within a stretch of time.
    scan.RECENT_ROWS_MAX, walked = walk_max, scan.RECENT_ROWS_MAX
    try:
        on_postgresql = _answer(apps["postgresql"], query, sort, rank_window, category, limit)
    finally:
        scan.RECENT_ROWS_MAX = walked
    assert on_sqlite == on_postgresql, (query, sort, category, limit)
    if limit == 100:  # all of them
        expected = _expected(apps["sqlite"], query, sort, category)
        assert set(on_sqlite) == expected, (query, category)


def _every_page(app, query: str, sort: str, rank_window: int, limit: int) -> list[int]:
    """All results, page after page through cursors."""
    found, cursor = [], None
    with app.app_context():
        filters = search_filters.build(text=query, sort=sort)
        for _ in range(len(POSTS) + 1):
            page = search.page(
                db.session,
                filters,
                secret="parity-" + "x" * 32,
                cursor=cursor,
                limit=limit,
                now=utcnow(),
                rank_window=rank_window,
            )
            found += page.post_ids
            cursor = page.next_cursor
            if cursor is None:
                return found
    raise AssertionError("pages never end")


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=queries(),
    sort=st.sampled_from(["relevance", "newest", "observed"]),
    rank_window=st.sampled_from([1, 3, 6]),
    limit=st.sampled_from([1, 2]),
    walk_max=st.sampled_from([12, 4]),
)
def test_both_databases_page_the_same_way(apps, query, sort, rank_window, limit, walk_max):
    """Later relevance pages rank the rest of the window and then list older
    matches; PostgreSQL walks or collects each page its own way."""
    on_sqlite = _every_page(apps["sqlite"], query, sort, rank_window, limit)
    scan.RECENT_ROWS_MAX, walked = walk_max, scan.RECENT_ROWS_MAX
    try:
        on_postgresql = _every_page(apps["postgresql"], query, sort, rank_window, limit)
    finally:
        scan.RECENT_ROWS_MAX = walked
    assert on_sqlite == on_postgresql, (query, sort)
    assert len(set(on_sqlite)) == len(on_sqlite), query  # no post twice
    assert set(on_sqlite) == _expected(apps["sqlite"], query, sort), query


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        # Punctuated names are a phrase of their parts however they are typed.
        ("12P/Pons-Brooks", {"Comet 12P/Pons-Brooks over the lake"}),
        ('"pons brooks"', {"Comet 12P/Pons-Brooks over the lake"}),
        ("NGC-7000", {"NGC-7000 in SII/Ha/OIII"}),
        ("ngc 7000", {"NGC-7000 in SII/Ha/OIII"}),
        ("SII/Ha/OIII", {"NGC-7000 in SII/Ha/OIII"}),
        ("C/2023 A3", {"C/2023 A3 Tsuchinshan–ATLAS at dusk"}),
        # Snowball stems, Unicode folding and compatibility forms.
        ("skies", {"Skies over the Straße", "sky", "天の川 and the sky"}),
        ("STRASSE", {"Skies over the Straße"}),
        ("fine", {"Skies over the Straße"}),
        ("m31", {"Ｍ３１ in full width"}),
        ("Млечный", {"Млечный путь над озером"}),
        # A phrase never runs from one field into the next.
        ('"eastern veil"', {"Eastern"}),
        # "or" binds loosest; an exclusion belongs to its part.
        (
            "tycho or eastern veil",
            {"The Moon, Tycho & Copernicus", "Eastern", "Wide field of the eastern"},
        ),
        (
            "comet -dusk or moon",
            {"Comet 12P/Pons-Brooks over the lake", "The Moon, Tycho & Copernicus"},
        ),
    ],
)
def test_tricky_spellings(apps, query, titles):
    for app in apps.values():
        with app.app_context():
            found = _answer(app, query, "newest")
            got = set(db.session.scalars(db.select(Post.title).where(Post.id.in_(found))))
        assert got == titles, (app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0], query)


def test_observer_and_object_names_fold_the_same_on_both(apps):
    for app in apps.values():
        with app.app_context():
            ours = search.find(
                db.session, search_filters.build(observer="ÆRØ"), limit=10, now=utcnow()
            )
            assert len(ours.post_ids) == 2
            comet = search.find(
                db.session, search_filters.build(object="c/2023 a3"), limit=10, now=utcnow()
            )
            assert len(comet.post_ids) == 1


unicode_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40
) | st.lists(st.sampled_from(VOCABULARY), max_size=6).map(" ".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=unicode_text)
@example(typed="x\U0001ed41y 3\u0d5ar")  # other numbers (No) split words in PostgreSQL
@example(typed="\u13a0 \uab70")  # Cherokee: case folding makes capitals
def test_postgresql_indexes_the_folded_words_as_they_are(apps, typed):
    folded = words.document(typed)
    with apps["postgresql"].app_context():
        lexemes = db.session.scalar(
            text("SELECT tsvector_to_array(to_tsvector('simple', :words))"), {"words": folded}
        )
    assert sorted(lexemes) == sorted(set(folded.split()))


@settings(max_examples=300, deadline=None)
@given(typed=unicode_text)
def test_sqlite_indexes_the_folded_words_as_they_are(typed):
    folded = words.document(typed)
    with sqlite3.connect(":memory:") as connection:
        connection.execute("CREATE VIRTUAL TABLE t USING fts5(words, tokenize='ascii')")
        connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
        connection.execute("INSERT INTO t VALUES (?)", [folded])
        terms = [row[0] for row in connection.execute("SELECT term FROM v")]
    assert sorted(terms) == sorted(set(folded.split()))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=queries() | unicode_text)
def test_postgresql_parses_the_rebuilt_query_as_parsed_here(apps, query):
    parsed = websearch.parse(query)
    if parsed.is_empty:
        return
    with apps["postgresql"].app_context():
        tsquery = db.session.scalar(
            text("SELECT websearch_to_tsquery('simple', :q)::text"),
            {"q": websearch.websearch_text(parsed)},
        )
    assert tsquery == _tsquery(parsed), query


def _tsquery(query: websearch.ParsedQuery) -> str:
    """How PostgreSQL prints the tsquery of ``query``."""

    def term(found: websearch.Term) -> str:
        phrase = " <-> ".join(f"'{word}'" for word in found.words)
        if not found.excluded:
            return phrase
        return f"!( {phrase} )" if len(found.words) > 1 else f"!{phrase}"

    return " | ".join(" & ".join(term(found) for found in part.terms) for part in query.parts)
