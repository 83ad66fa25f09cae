"""Warning-label covers and the report sheet in the server-rendered pages."""

from __future__ import annotations

import re

import pytest

from skyframe.extensions import db
from skyframe.models import PostMedia
from tests.conftest import login

COVER_SCRIPT = re.compile(r'<script type="module" src="[^"]*/covers\.')


def with_renditions(app, post_id: int) -> int:
    """Media rows for a display and a thumbnail (the pages need no files)."""
    with app.app_context():
        for kind, edge in (("display", 2048), ("thumb", 480)):
            db.session.add(
                PostMedia(
                    post_id=post_id,
                    kind=kind,
                    backend="local",
                    key=f"posts/k{post_id}/{kind}.jpeg",
                    content_type="image/jpeg",
                    width=edge,
                    height=edge // 2,
                    bytes=1000,
                    sha256="0" * 64,
                )
            )
        db.session.commit()
    return post_id


@pytest.fixture
def labelled(app, make_user, make_post):
    owner = make_user("vega")
    return with_renditions(
        app, make_post(owner, title="Meteor flashes", labels="flashing sensitive")
    )


def test_the_post_page_covers_a_labelled_image_naming_its_labels(client, make_post, labelled):
    page = client.get(f"/p/{labelled}").get_data(as_text=True)
    assert 'class="label-cover"' in page
    assert "Flashing light · Sensitive" in page
    assert COVER_SCRIPT.search(page)


def test_a_post_without_labels_has_no_cover(app, client, make_user, make_post):
    plain = with_renditions(app, make_post(make_user("mira")))
    page = client.get(f"/p/{plain}").get_data(as_text=True)
    assert 'class="label-cover"' not in page
    assert not COVER_SCRIPT.search(page)


def test_profile_grids_and_search_results_cover_labelled_posts(client, labelled):
    profile = client.get("/u/vega").get_data(as_text=True)
    assert f'id="uncover-grid-{labelled}"' in profile
    assert "Flashing light · Sensitive" in profile
    results = client.get("/search", query_string={"q": "Meteor"}).get_data(as_text=True)
    assert f'id="uncover-grid-{labelled}"' in results


def test_feed_cards_cover_labelled_posts(client, labelled):
    page = client.get("/").get_data(as_text=True)
    assert 'id="uncover-card-0"' in page
    assert "Flashing light · Sensitive" in page


def test_the_report_sheet_is_there_for_signed_in_viewers_only(app, client, make_user, labelled):
    make_user("mira")
    assert 'id="report-sheet"' not in client.get(f"/p/{labelled}").get_data(as_text=True)
    login(client, "mira")
    page = client.get(f"/p/{labelled}").get_data(as_text=True)
    assert 'id="report-sheet"' in page
    assert f'data-report="post" data-report-id="{labelled}"' in page
    assert 'data-report="user"' in client.get("/u/vega").get_data(as_text=True)
    login(client, "vega")
    own = client.get(f"/p/{labelled}").get_data(as_text=True)
    assert 'data-report="post"' not in own
    assert 'data-report="user"' not in client.get("/u/vega").get_data(as_text=True)
