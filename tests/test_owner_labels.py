"""Owners put warning labels on their own captures when uploading (the
multipart field repeated, or comma-separated) and editing (the form's
checkboxes)."""

from __future__ import annotations

import io

import pytest

from tests import media_samples as samples
from tests.conftest import login


@pytest.fixture
def author(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


def upload(client, tmp_path, labels, url="/api/v1/posts"):
    data = samples.write_image(tmp_path / "moon.png", 200, 150, fmt="png").read_bytes()
    form = {"file": (io.BytesIO(data), "moon.png"), "title": "Moon", "category": "lunar"}
    return client.post(url, data={**form, "labels": labels}, content_type="multipart/form-data")


@pytest.mark.parametrize(
    "labels", [["sensitive", "flashing"], "sensitive, flashing", "flashing sensitive"]
)
def test_labels_given_when_uploading(author, tmp_path, labels):
    response = upload(author, tmp_path, labels)
    assert response.status_code == 201
    assert response.get_json()["labels"] == ["flashing", "sensitive"]


def test_an_unknown_label_is_422_under_labels_and_nothing_is_kept(author, tmp_path):
    response = upload(author, tmp_path, ["flashing", "gory"])
    assert response.status_code == 422
    assert "gory" in response.get_json()["error"]["fields"]["labels"]
    assert author.get("/api/v1/feed").get_json()["items"] == []


def test_the_html_forms_have_label_checkboxes(author, tmp_path):
    assert 'name="labels" value="ai_generated"' in author.get("/upload").get_data(as_text=True)
    response = upload(author, tmp_path, ["processed"], url="/upload")
    assert response.status_code == 302
    post_url = response.headers["Location"]
    form = author.get(post_url + "/edit").get_data(as_text=True)
    assert 'value="processed" id="label-processed" checked' in form
    edited = author.post(
        post_url + "/edit",
        data={"title": "Moon", "category": "lunar", "labels": ["processed", "flashing"]},
    )
    assert edited.status_code == 302
    post_id = int(post_url.rsplit("/", 1)[1])
    assert author.get(f"/api/v1/posts/{post_id}").get_json()["labels"] == [
        "flashing",
        "processed",
    ]
