"""Avatars: uploaded and cropped, Gravatar only on request, a generated default."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from skyframe.accounts.avatars import default_avatar_png, gravatar_url
from tests import media_samples as samples
from tests.conftest import login

pytestmark = pytest.mark.one_database


@pytest.fixture
def signed_in(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


def avatar_of(client) -> Image.Image:
    url = client.get("/api/v1/me").get_json()["avatar_url"]
    response = client.get(url)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.data))


def test_default_avatar_is_generated_locally_and_deterministic(signed_in):
    me = signed_in.get("/api/v1/me").get_json()
    assert me["avatar_url"].startswith("/u/vega/avatar")
    image = avatar_of(signed_in)
    assert image.format == "PNG"
    assert image.size == (256, 256)
    assert default_avatar_png(7) == default_avatar_png(7)
    assert default_avatar_png(7) != default_avatar_png(8)


def test_gravatar_only_when_the_user_opts_in(signed_in):
    assert "gravatar" not in signed_in.get("/api/v1/me").get_json()["avatar_url"]
    me = signed_in.patch("/api/v1/me", json={"gravatar": True}).get_json()
    assert me["avatar_url"] == gravatar_url("vega@example.org")
    assert signed_in.get("/u/vega/avatar").status_code == 302


def test_uploaded_avatar_is_a_square_without_metadata(signed_in, app, tmp_path):
    data = samples.jpeg_with_exif(tmp_path / "me.jpg", width=600, height=400).read_bytes()
    response = signed_in.post(
        "/api/v1/me/avatar",
        data={"file": (io.BytesIO(data), "me.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    image = avatar_of(signed_in)
    assert image.size == (256, 256)
    assert not image.getexif()
    folder = Path(app.config["UPLOAD_FOLDER"]) / "avatars"
    assert len(list(folder.iterdir())) == 1
    # Replacing removes the old file; removing goes back to the default.
    signed_in.post(
        "/api/v1/me/avatar",
        data={"file": (io.BytesIO(data), "me.jpg")},
        content_type="multipart/form-data",
    )
    assert len(list(folder.iterdir())) == 1
    assert signed_in.delete("/api/v1/me/avatar").status_code == 200
    assert list(folder.iterdir()) == []
    assert avatar_of(signed_in).format == "PNG"


@pytest.mark.parametrize(
    ("name", "data"),
    [("x.svg", samples.SVG), ("x.jpg", samples.HTML), ("x.jpg", b"")],
)
def test_bad_avatars_are_refused(signed_in, app, name, data):
    response = signed_in.post(
        "/api/v1/me/avatar",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]
    assert not (Path(app.config["UPLOAD_FOLDER"]) / "avatars").exists()


def test_fits_and_tiff_are_not_avatars(signed_in, tmp_path):
    data = samples.fits_file(tmp_path / "a.fits").read_bytes()
    response = signed_in.post(
        "/api/v1/me/avatar",
        data={"file": (io.BytesIO(data), "a.fits")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_profile_edits_are_validated(signed_in):
    response = signed_in.patch("/api/v1/me", json={"display_name": "   ", "bio": "b" * 301})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"display_name", "bio"}
    ok = signed_in.patch("/api/v1/me", json={"display_name": "Vega Lyrae", "bio": "Dark skies."})
    assert ok.get_json()["display_name"] == "Vega Lyrae"


def test_settings_page_works_without_javascript(signed_in, tmp_path):
    assert signed_in.get("/settings").status_code == 200
    data = samples.write_image(tmp_path / "a.png", 300, 200, fmt="png").read_bytes()
    response = signed_in.post(
        "/settings",
        data={
            "display_name": "Vega",
            "bio": "",
            "gravatar": "",
            "avatar": (io.BytesIO(data), "a.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "/u/vega/avatar?v=" in signed_in.get("/settings").get_data(as_text=True)


def test_unknown_users_have_no_avatar(client):
    assert client.get("/u/nobody/avatar").status_code == 404
