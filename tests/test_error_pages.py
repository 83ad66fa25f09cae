"""Error pages: each status explains itself and offers a way on, without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

pytestmark = pytest.mark.one_database


@pytest.mark.parametrize("path", ["/no/such/page", "/p/999999"])
def test_404_offers_the_feed_and_search(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<h1 class="h4">Not Found</h1>' in html
    assert 'href="/">Back to the feed</a>' in html
    assert 'href="/search"' in html
    assert "bi-binoculars" in html


def test_403_for_a_visitor_offers_to_log_in(client, make_user, make_post):
    html_form_without_token = client.post("/logout", csrf=False)
    assert html_form_without_token.status_code == 403
    html = html_form_without_token.get_data(as_text=True)
    assert "Form expired" in html
    assert 'href="/login?next=/logout"' in html


def test_403_for_someone_else_s_post_has_no_log_in_button(client, make_user, make_post):
    owner = make_user("vega")
    make_user("mira")
    post_id = make_post(owner)
    login(client, "mira")
    response = client.get(f"/p/{post_id}/edit")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Only the owner or a moderator can edit this post." in html
    assert ">Log in</a>" not in html
    assert '<h1 class="h4">Forbidden</h1>' in html


def test_429_says_when_to_come_back(app_factory, make_user, make_post):
    app = app_factory(DOWNLOAD_LIMIT="1 per minute")
    client = app.test_client()
    post_id = make_post(make_user("vega"))
    client.get(f"/p/{post_id}/download")
    response = client.get(f"/p/{post_id}/download")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    seconds = int(response.headers["Retry-After"])
    html = response.get_data(as_text=True)
    assert "Slow down" in html
    shown = int(re.search(r"You can try again in (\d+) seconds?\.", html).group(1))
    assert abs(shown - seconds) <= 1
    assert f'href="/p/{post_id}/download">Try again</a>' in html


def test_500_is_a_page_with_a_retry(app, client):
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", view_func=broken)
    response = client.get("/broken")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert 'href="/broken">Try again</a>' in html
    assert "boom" not in html


def test_500_still_answers_when_the_error_page_cannot_be_drawn(app, client, monkeypatch):
    from skyframe.web import errors

    def broken():
        raise RuntimeError("boom")

    def unavailable(*args, **kwargs):
        raise RuntimeError("database unreachable")

    app.add_url_rule("/broken", view_func=broken)
    monkeypatch.setattr(errors, "render_template", unavailable)
    response = client.get("/broken")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "<h1>500 Internal Server Error</h1>" in html
    assert "Something went wrong on our side" in html


def test_api_errors_stay_json(client):
    response = client.get("/api/v1/posts/999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
