"""Post pages carry Open Graph and Twitter card tags, so a shared link shows
the capture, its title and who took it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests import media_samples as samples
from tests.conftest import login
from tests.test_posts import upload

pytestmark = pytest.mark.one_database


class MetaTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        key = attributes.get("property") or attributes.get("name")
        if tag == "meta" and key and (key.startswith("og:") or key.startswith("twitter:")):
            self.tags[key] = attributes.get("content", "")


def meta_of(html: str) -> dict[str, str]:
    parser = MetaTags()
    parser.feed(html)
    return parser.tags


def test_a_post_page_shares_its_image_title_and_observer(client, make_user, tmp_path):
    make_user("vega")
    login(client, "vega")
    image = samples.write_image(tmp_path / "m42.jpg", 600, 400).read_bytes()
    post = upload(client, image, title="Orion Nebula", object="M42", observer="Vega").get_json()
    client.post("/api/v1/auth/logout")

    tags = meta_of(client.get(f"/p/{post['id']}").get_data(as_text=True))
    assert tags["og:type"] == "article"
    assert tags["og:site_name"] == "SkyFrame"
    assert tags["og:title"] == tags["twitter:title"] == "Orion Nebula"
    assert tags["og:description"] == tags["twitter:description"]
    assert tags["og:description"].endswith("by Vega")
    assert tags["og:url"] == f"http://localhost/p/{post['id']}"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image"] == tags["twitter:image"]
    assert tags["og:image"].startswith("http://localhost/media/")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("600", "400")
    assert tags["og:image:alt"] == tags["twitter:image:alt"] == "Orion Nebula"
    assert client.get(tags["og:image"].removeprefix("http://localhost")).status_code == 200


def test_a_post_without_an_image_yet_still_has_a_summary_card(client, make_user, make_post):
    owner = make_user("vega")
    post = make_post(owner, title="Comet tonight")
    tags = meta_of(client.get(f"/p/{post}").get_data(as_text=True))
    assert tags["twitter:card"] == "summary"
    assert tags["og:title"] == "Comet tonight"
    assert "og:image" not in tags
