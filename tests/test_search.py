"""Search and discovery through the HTTP client. Every test runs on SQLite
(FTS5) and PostgreSQL (tsvector + GIN) with the same data and the same
expected answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import Post, PostStatus

MINUTE = timedelta(minutes=1)


def observed(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def sky(make_user, make_post):
    """A small site: three spellings of M31, a nebula, a planet, the Moon,
    and posts nobody else may find."""
    vega, altair = make_user("vega"), make_user("altair")
    p = {}
    p["m31_a"] = make_post(
        vega,
        age=1 * MINUTE,
        object="M31",
        title="Andromeda in one night",
        tags=["lrgb"],
        notes="Shot from a dark site with an 80mm refractor.",
        observed_at=observed("2026-08-10T22:30:00"),
        observer="Vega",
    )
    p["m31_b"] = make_post(
        altair,
        age=2 * MINUTE,
        object="NGC 224",
        title="Our big neighbour",
        tags=["mosaic"],
        observed_at=observed("2026-09-01T01:00:00"),
        observer="Altair",
    )
    p["m31_c"] = make_post(
        altair,
        age=3 * MINUTE,
        object="Andromeda Galaxy",
        title="Andromeda galaxy core",
        notes="Processed in Siril, then PixInsight.",
        observed_at=observed("2026-10-02T03:00:00"),
        observer="Altair",
    )
    p["m42"] = make_post(
        vega,
        age=4 * MINUTE,
        object="M42",
        title="Orion Nebula in narrowband",
        tags=["narrowband", "sho"],
        notes="Hydrogen alpha, oxygen and sulphur.",
        observed_at=observed("2026-01-15T21:00:00"),
        observer="Vega",
    )
    p["jupiter"] = make_post(
        altair,
        age=5 * MINUTE,
        object="Jupiter",
        category="planetary",
        title="Jupiter and its moons",
        observed_at=observed("2026-09-20T02:00:00"),
        observer="Altair",
    )
    p["moon"] = make_post(
        vega,
        age=6 * MINUTE,
        object="Moon",
        category="lunar",
        title="Craters near the terminator",
        notes="Clear skies all night long, a galaxy of craters.",
        observed_at=observed("2026-08-12T20:00:00"),
        observer="Guest Observer",
    )
    p["processing"] = make_post(
        vega, object="M31", title="Andromeda still processing", status=PostStatus.PROCESSING
    )
    p["failed"] = make_post(
        altair, object="M31", title="Andromeda that failed", status=PostStatus.FAILED
    )
    return p


def search(client, **query):
    response = client.get("/api/v1/search", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def found(client, **query) -> list[int]:
    return [item["id"] for item in search(client, **query)["items"]]


def every_page(client, **query) -> list[int]:
    seen, cursor = [], None
    for _ in range(50):
        body = search(client, **query, **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in body["items"]]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        cursor = body["next_cursor"]
    raise AssertionError("pagination did not end")


def test_object_filter_finds_every_spelling_through_the_catalogue(client, sky):
    m31 = [sky["m31_a"], sky["m31_b"], sky["m31_c"]]
    for spelling in ("M31", "m 31", "NGC 224", "NGC0224", "Andromeda Galaxy", "andromeda galaxy"):
        body = search(client, object=spelling)
        assert [item["id"] for item in body["items"]] == m31, spelling
        assert body["object"]["id"] == "NGC0224"
        assert body["sort"] == "newest"


def test_object_filter_matches_names_the_catalogue_does_not_know_as_typed(client, sky):
    assert found(client, object="JUPITER") == [sky["jupiter"]]
    assert search(client, object="Jupiter")["object"] is None
    assert found(client, object="Jupiter's moon Io") == []


def test_observer_filter_takes_a_handle_or_an_observer_name(client, sky):
    vega_posts = [sky["m31_a"], sky["m42"], sky["moon"]]
    assert found(client, observer="vega") == vega_posts
    assert found(client, observer="@VEGA") == vega_posts
    assert found(client, observer="guest observer") == [sky["moon"]]
    assert found(client, observer="nobody") == []


def test_category_filter_and_its_validation(client, sky):
    assert found(client, category="planetary") == [sky["jupiter"]]
    response = client.get("/api/v1/search", query_string={"category": "galaxies"})
    assert response.status_code == 422
    assert "category" in response.get_json()["error"]["fields"]


def test_tag_filter_ignores_case_and_hash(client, sky):
    assert found(client, tag="#NarrowBand") == [sky["m42"]]
    assert found(client, tag="mosaic") == [sky["m31_b"]]


def test_observed_date_range_includes_both_whole_days(client, sky):
    august = {"from": "2026-08-10", "to": "2026-09-01"}
    body = search(client, **august)
    assert body["sort"] == "observed"  # a range of dates lists the latest observations first
    assert [item["id"] for item in body["items"]] == [sky["m31_b"], sky["moon"], sky["m31_a"]]
    assert found(client, **august, sort="newest") == [sky["m31_a"], sky["m31_b"], sky["moon"]]
    assert found(client, **{"from": "2026-09-02"}) == [sky["m31_c"], sky["jupiter"]]
    assert found(client, to="2026-01-15") == [sky["m42"]]
    assert found(client, **{"from": "2026-08-12T19:00:00Z", "to": "2026-08-12T20:00:00Z"}) == [
        sky["moon"]
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-09-02", "to": "2026-09-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"to": "9999-12-31T23:59:59.999999+00:00"}, "to"),
        ({"sort": "random"}, "sort"),
        ({"q": "x" * 201}, "q"),
        ({"observer": "vega\x07"}, "observer"),
    ],
)
def test_bad_filters_are_a_clear_422(client, sky, query, field):
    response = client.get("/api/v1/search", query_string=query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]


def test_free_text_covers_titles_object_names_tags_and_notes(client, sky):
    assert set(found(client, q="siril")) == {sky["m31_c"]}  # notes
    assert set(found(client, q="narrowband")) == {sky["m42"]}  # title and tag
    assert set(found(client, q="sho")) == {sky["m42"]}  # tag only
    assert set(found(client, q="mosaic")) == {sky["m31_b"]}
    # "Andromeda Galaxy" is the catalogue's name for NGC 224: found though not typed.
    assert set(found(client, q="andromeda")) == {sky["m31_a"], sky["m31_b"], sky["m31_c"]}


def test_free_text_syntax_is_the_same_on_both_databases(client, sky):
    assert set(found(client, q="galaxies")) == {
        sky["m31_a"],
        sky["m31_b"],
        sky["m31_c"],
        sky["moon"],
    }  # stemmed
    assert set(found(client, q="galaxy -craters")) == {sky["m31_a"], sky["m31_b"], sky["m31_c"]}
    assert set(found(client, q='"orion nebula"')) == {sky["m42"]}
    assert set(found(client, q='"nebula orion"')) == set()
    assert set(found(client, q="jupiter or siril")) == {sky["jupiter"], sky["m31_c"]}
    assert set(found(client, q="the orion nebula")) == {sky["m42"]}  # stop words dropped
    assert found(client, q="the of and") == []  # only stop words: nothing to find
    assert found(client, q="!!! ''") == []
    for hostile in ('"unclosed', "NEAR(a b)", "a AND OR b", "title:andromeda", "*", "-", "^x"):
        assert client.get("/api/v1/search", query_string={"q": hostile}).status_code == 200


def test_exclusions_alone_find_everything_else(client, sky):
    everyone = {sky[k] for k in ("m31_a", "m31_b", "m31_c", "m42", "jupiter", "moon")}
    m31 = {sky["m31_a"], sky["m31_b"], sky["m31_c"]}
    assert set(found(client, q="-andromeda")) == everyone - m31


def test_relevance_puts_title_matches_before_catalogue_name_matches(client, sky):
    body = search(client, q="andromeda")
    assert body["sort"] == "relevance"
    ranked = [item["id"] for item in body["items"]]
    assert ranked[-1] == sky["m31_b"]  # only the catalogue's common name says Andromeda
    assert found(client, q="andromeda", sort="newest") == [sky["m31_a"], sky["m31_b"], sky["m31_c"]]


def test_galaxy_in_the_title_outranks_galaxy_in_the_notes(client, sky):
    ranked = found(client, q="galaxy")
    assert ranked.index(sky["m31_c"]) < ranked.index(sky["moon"])


def test_filters_combine(client, sky):
    assert found(client, q="andromeda", observer="altair", sort="newest") == [
        sky["m31_b"],
        sky["m31_c"],
    ]
    assert found(client, object="M31", **{"from": "2026-09-01", "to": "2026-09-30"}) == [
        sky["m31_b"]
    ]
    assert found(client, category="deep-sky", observer="vega") == [sky["m31_a"], sky["m42"]]
    assert found(client, category="lunar", q="andromeda") == []
    assert found(client, tag="lrgb", object="Andromeda Galaxy", observer="vega") == [sky["m31_a"]]


def test_hidden_posts_are_never_found(client, sky):
    hidden = {sky["processing"], sky["failed"]}
    for query in (
        {"object": "M31"},
        {"q": "andromeda"},
        {"q": "andromeda", "sort": "newest"},
        {"observer": "vega"},
        {"observer": "altair"},
        {"category": "deep-sky"},
        {"q": "-moon"},
    ):
        assert hidden.isdisjoint(every_page(client, **query, limit=1)), query


def test_deleted_and_edited_posts_leave_the_index(app, client, sky):
    with app.app_context():
        post = db.session.get(Post, sky["m42"])
        post.title = "Flame Nebula"
        post.notes = ""
        post.set_tags([])
        db.session.delete(db.session.get(Post, sky["m31_c"]))
        db.session.commit()
    assert found(client, q="hydrogen") == []
    assert found(client, q="orion") == [sky["m42"]]  # still M42, the Orion Nebula
    assert found(client, q="narrowband") == []
    assert found(client, q="flame") == [sky["m42"]]
    assert found(client, q="siril") == []


@pytest.mark.parametrize(
    "query",
    [
        {"object": "M31"},
        {"q": "andromeda"},
        {"q": "galaxy or nebula"},
        {"q": "galaxy or nebula", "sort": "newest"},
        {"category": "deep-sky"},
        {"q": "-zzz"},
        {"from": "2026-01-01"},
        {"sort": "observed"},
        {"q": "galaxy or nebula", "sort": "observed"},
    ],
)
def test_pages_cover_every_result_once(client, sky, query):
    whole = found(client, **query, limit=50)
    assert len(whole) >= 3
    for size in (1, 2):
        assert every_page(client, **query, limit=size) == whole


def test_relevance_pages_do_not_shift_when_posts_arrive(client, sky, make_user, make_post):
    first = search(client, q="andromeda", limit=2)
    make_post(make_user("newcomer"), title="Andromeda Andromeda Andromeda", object="M31")
    rest = search(client, q="andromeda", limit=2, cursor=first["next_cursor"])
    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert sorted(ids) == sorted({sky["m31_a"], sky["m31_b"], sky["m31_c"]})


def test_cursors_are_bound_to_their_search(client, sky):
    cursor = search(client, object="M31", limit=1)["next_cursor"]
    same = client.get("/api/v1/search", query_string={"object": "M31", "cursor": cursor})
    assert same.status_code == 200
    for other in ({"object": "M42"}, {"object": "M31", "sort": "newest", "q": "x"}, {}):
        response = client.get("/api/v1/search", query_string={**other, "cursor": cursor})
        assert response.status_code == 400, other
        assert response.get_json()["error"]["code"] == "invalid_cursor"
    forged = client.get("/api/v1/search", query_string={"object": "M31", "cursor": cursor + "x"})
    assert forged.status_code == 400


def test_search_results_carry_the_viewers_flags(client, sky, make_user):
    from tests.conftest import login

    make_user("reader")
    login(client, "reader")
    client.post(f"/api/v1/posts/{sky['m42']}/like")
    item = search(client, object="M42")["items"][0]
    assert item["liked"] is True
    assert item["owner"]["handle"] == "vega"


# Handle typeahead -------------------------------------------------------------


@pytest.fixture
def handles(make_user):
    for handle in ("user_x", "userx", "User_y", "usher", "Vega", "vegan", "deneb"):
        make_user(handle)
    make_user("user_off", disabled=True)


def suggested(client, q) -> list[str]:
    response = client.get("/api/v1/users/suggest", query_string={"q": q})
    assert response.status_code == 200
    return [user["handle"] for user in response.get_json()["items"]]


def test_handle_suggestions_are_case_insensitive_prefixes(client, handles):
    assert set(suggested(client, "US")) == {"user_x", "userx", "User_y", "usher"}
    assert suggested(client, "vega") == ["Vega", "vegan"]  # the exact handle first
    assert suggested(client, "@Deneb") == ["deneb"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("user_", {"user_x", "User_y"}),  # _ is a character, not "any one character"
        ("%", set()),
        ("_", set()),
        ("%user", set()),
        ("user%", set()),
        ("u%r", set()),
        ("\\", set()),
        ("user\\_", set()),
        ("", set()),
        ("   ", set()),
    ],
)
def test_like_wildcards_are_taken_literally(client, handles, q, expected):
    assert set(suggested(client, q)) == expected


def test_disabled_users_are_not_suggested(client, handles):
    assert "user_off" not in suggested(client, "user")


def test_handle_suggestions_stop_at_ten_and_at_24_characters(client, make_user):
    for i in range(12):
        make_user(f"astro{i:02d}")
    assert len(suggested(client, "astro")) == 10
    longest = "a" * 24
    make_user(longest)
    assert suggested(client, longest) == [longest]
    assert suggested(client, longest + "a") == []


# More like this ---------------------------------------------------------------


def test_more_like_this_same_object_then_uploader_then_category(client, sky, make_user, make_post):
    stranger = make_user("stranger")
    other_deep_sky = make_post(stranger, age=30 * MINUTE, title="Some cluster")
    response = client.get(f"/api/v1/posts/{sky['m31_a']}/related")
    assert response.status_code == 200
    ids = [item["id"] for item in response.get_json()["items"]]
    assert ids[:2] == [sky["m31_b"], sky["m31_c"]]  # same object, newest first
    assert ids[2:4] == [sky["m42"], sky["moon"]]  # then vega's other posts
    assert ids[4:] == [other_deep_sky]  # then deep-sky by anyone
    assert sky["m31_a"] not in ids
    assert sky["processing"] not in ids
    assert sky["failed"] not in ids


def test_more_like_this_of_a_hidden_post_is_not_found(client, sky):
    assert client.get(f"/api/v1/posts/{sky['processing']}/related").status_code == 404
    assert client.get("/api/v1/posts/999999/related").status_code == 404


# Pages ------------------------------------------------------------------------


def test_search_page_works_without_javascript(client, sky):
    page = client.get("/search", query_string={"object": "m31"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for post in ("m31_a", "m31_b", "m31_c"):
        assert f'href="/p/{sky[post]}"' in html
    assert f'href="/p/{sky["m42"]}"' not in html
    assert "/o/NGC0224" in html
    for control in ('name="q"', 'name="observer"', 'name="object"', 'type="date"'):
        assert control in html


def test_search_page_pages_with_a_more_link(client, sky):
    html = client.get("/search", query_string={"category": "deep-sky"}).get_data(as_text=True)
    assert "More results" not in html  # four posts fit one page


def test_search_page_explains_bad_input(client, sky):
    page = client.get("/search", query_string={"from": "2026-09-02", "to": "2026-09-01"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "The end of the date range must not be before its start." in html
    assert "is-invalid" in html


def test_live_results_are_a_fragment(client, sky):
    fragment = client.get("/search", query_string={"q": "jupiter", "partial": "1"})
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert f'href="/p/{sky["jupiter"]}"' in html
    assert "<html" not in html


def test_object_page_lists_the_object_with_its_details(client, sky):
    page = client.get("/o/NGC0224")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for detail in ("Andromeda Galaxy", "Galaxy", "Andromeda", "NGC 224", "UGC 00454"):
        assert detail in html, detail
    for post in ("m31_a", "m31_b", "m31_c"):
        assert f'href="/p/{sky[post]}"' in html
    assert client.get("/o/ngc0224").status_code == 200
    assert client.get("/o/NOT-AN-OBJECT").status_code == 404


def test_tag_page(client, sky):
    page = client.get("/t/narrowband")
    assert page.status_code == 200
    assert f'href="/p/{sky["m42"]}"' in page.get_data(as_text=True)
    assert client.get("/t/" + "x" * 300).status_code == 404


def test_post_page_shows_more_like_this(client, sky):
    html = client.get(f"/p/{sky['m31_a']}").get_data(as_text=True)
    assert "More like this" in html
    assert f'href="/p/{sky["m31_b"]}"' in html


# The relevance window -----------------------------------------------------------


@pytest.fixture
def comets(app, make_user, make_post):
    """Six posts about comets, newest first; the newest three are the window
    when SEARCH_RANK_WINDOW is 3. Titles make the oldest of the three rank first."""
    app.config["SEARCH_RANK_WINDOW"] = 3
    owner = make_user("hale")
    titles = ["A comet", "Comet tail", "Comet comet", "Comet four", "Comet five", "Comet six"]
    return [
        make_post(owner, age=i * MINUTE, title=title, notes="comet" if i == 2 else "")
        for i, title in enumerate(titles)
    ]


def test_relevance_ranks_the_window_then_continues_with_older_matches(client, comets):
    whole = every_page(client, q="comet", limit=50)
    assert sorted(whole[:3]) == sorted(comets[:3])  # the window, best first
    assert whole[0] == comets[2]  # comet in title and notes
    assert whole[3:] == comets[3:]  # then older matches, newest first
    for size in (1, 2, 4):
        assert every_page(client, q="comet", limit=size) == whole


def test_a_post_made_visible_between_pages_pushes_nothing_out(app, client, comets, make_post):
    late = make_post(comets[0], status=PostStatus.PROCESSING, title="Comet late", age=MINUTE / 2)
    first = search(client, q="comet", limit=2)
    with app.app_context():
        db.session.get(Post, late).status = PostStatus.READY
        db.session.commit()
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        body = search(client, q="comet", limit=2, cursor=cursor)
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
    assert set(comets) <= set(seen)
    assert len(seen) == len(set(seen))


def test_suggestions_ignore_control_characters(client, handles):
    assert suggested(client, "user\x00") == []
    assert suggested(client, "\x00") == []


def test_too_many_words_is_a_clear_422(client, sky):
    response = client.get(
        "/api/v1/search", query_string={"q": " ".join(f"w{i}" for i in range(17))}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["q"] == "Use at most 16 words."
