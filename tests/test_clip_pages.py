"""Clips on the server-rendered pages: a feed card and the post page carry
the clip's player (poster, no media loaded before the script asks, labelled
controls), the post page shares the clip (og:video) with its poster as the
image, and the owner sees a clip being processed or why it failed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from skyframe.extensions import db
from skyframe.models import Post, PostStatus
from skyframe.posts import details as post_details
from skyframe.posts import lifecycle
from skyframe.services import current_storage, media_settings
from tests import clip_samples
from tests.conftest import login
from tests.test_share_meta import meta_of

pytestmark = pytest.mark.one_database


class Elements(HTMLParser):
    """Every start tag's attributes, by tag name."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, list[dict[str, str | None]]] = {}

    def handle_starttag(self, tag, attrs):
        self.found.setdefault(tag, []).append(dict(attrs))


def elements(html: str, tag: str, **wanted: str) -> list[dict]:
    """The ``tag`` elements with the attributes ``wanted`` (data_role= is
    data-role, class_= is class)."""
    parser = Elements()
    parser.feed(html)
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in wanted.items()}
    return [
        attrs
        for attrs in parser.found.get(tag, [])
        if all(attrs.get(name) == value for name, value in wanted.items())
    ]


def test_a_feed_card_renders_the_clip_with_its_poster_and_loads_no_media(
    client, make_user, make_clip_post
):
    post_id = make_clip_post(make_user("halley"), title="Perseid fireball")
    clip = client.get(f"/api/v1/posts/{post_id}").get_json()["video"]
    html = client.get("/").get_data(as_text=True)
    card = html[html.index(f'data-post-id="{post_id}"') : html.index("</article>")]
    [video] = elements(card, "video")
    assert video["src"] == clip["url"]
    assert video["poster"] == clip["poster_url"]
    assert video["preload"] == "none"  # the script lets only the current and next clip load
    assert video["aria-label"] == "Perseid fireball"
    assert {"muted", "playsinline", "loop"} <= set(video)
    assert "controls" not in video
    [sound] = elements(card, "button", data_action="clip-sound")
    assert sound["aria-pressed"] == "false"
    assert "Sound" in card
    assert "Play the clip" in card
    assert elements(card, "picture") == []
    # A tap is the clip's: the card's media is no "view the image" button.
    [box] = elements(card, "div", data_role="media")
    assert "role" not in box
    assert all(elements(card, "button", data_action=name) for name in ("like", "comments"))
    # The first card's poster is preloaded, not the image renditions.
    [preload] = elements(html, "link", rel="preload")
    assert preload["href"] == clip["poster_url"]


def test_the_post_page_plays_the_clip_and_shares_it_with_its_poster(
    client, make_user, make_clip_post
):
    post_id = make_clip_post(make_user("halley"), title="ISS transit", width=320, height=180)
    clip = client.get(f"/api/v1/posts/{post_id}").get_json()["video"]
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    [video] = elements(html, "video")
    assert video["src"] == clip["url"]
    assert video["poster"] == clip["poster_url"]
    assert "controls" in video  # the browser's own: seeking, volume, and no script needed
    assert video["aria-label"] == "ISS transit"
    assert '<dt class="col-5">Length</dt><dd class="col-7">0:01</dd>' in html

    tags = meta_of(html)
    assert tags["og:type"] == "video.other"
    assert tags["og:video"] == "http://localhost" + clip["url"]
    assert tags["og:video:type"] == "video/mp4"
    assert (tags["og:video:width"], tags["og:video:height"]) == ("320", "180")
    assert tags["og:image"] == "http://localhost" + clip["poster_url"]
    assert tags["twitter:card"] == "summary_large_image"
    assert client.get(clip["url"]).status_code == 200


def test_a_labelled_clip_is_covered_on_its_page(app, client, make_user, make_clip_post):
    post_id = make_clip_post(make_user("halley"), title="Strobing satellite")
    with app.app_context():
        db.session.get(Post, post_id).labels = "flashing"
        db.session.commit()
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert "Flashing light" in html
    figure = html[html.index('<figure class="post-image post-clip') :]
    assert figure.index('data-role="cover"') < figure.index("<video")


def test_the_owner_sees_a_clip_being_processed_and_why_it_failed(app, client, make_user, tmp_path):
    from skyframe.models import utcnow

    owner = make_user("halley")
    source = clip_samples.make_clip(tmp_path / "m.mp4")
    with app.app_context():
        post = lifecycle.create_post(
            db.session,
            current_storage(),
            db.session.get(type(owner), owner.id),
            upload_path=source,
            filename=source.name,
            declared_type=None,
            details=post_details.validate_details(
                {"title": "Leonid", "category": "meteor"}, utcnow(), creating=True
            ),
            settings=media_settings(),
            now=utcnow(),
        )
        db.session.commit()  # no job run: it stays processing
        post_id = post.id

    login(client, "halley")
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert "This clip is being transcoded" in html
    assert elements(html, "video") == []

    with app.app_context():
        failed = db.session.get(Post, post_id)
        failed.status = PostStatus.FAILED
        failed.failure_reason = "The clip could not be decoded."
        db.session.commit()
    html = client.get(f"/p/{post_id}").get_data(as_text=True)
    assert "Processing failed." in html
    assert "The clip could not be decoded." in html
    client.post("/api/v1/auth/logout")
    assert client.get(f"/p/{post_id}").status_code == 404


def test_a_clip_in_a_grid_says_it_is_a_clip_and_how_long(client, make_user, make_clip_post):
    post_id = make_clip_post(make_user("halley"), title="Geminid", seconds=2.0)
    html = client.get("/u/halley").get_data(as_text=True)
    [link] = elements(html, "a", href=f"/p/{post_id}", class_="post-grid__link")
    assert link["aria-label"] == "Geminid (clip, 0:02)"
    assert "post-grid__clip" in html
