"""Posts over HTTP: uploading, reading, editing, deleting, serving files."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from skyframe.extensions import db
from skyframe.models import Post, PostMedia, Role
from tests import media_samples as samples
from tests.conftest import login


@pytest.fixture
def uploads_dir(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def author(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


def upload(
    client, data: bytes, name: str = "m31.jpg", content_type: str | None = "image/jpeg", **fields
):
    form = {"title": "Andromeda", "category": "deep-sky", **fields}
    file = (io.BytesIO(data), name, content_type) if content_type else (io.BytesIO(data), name)
    return client.post(
        "/api/v1/posts", data={"file": file, **form}, content_type="multipart/form-data"
    )


@pytest.fixture
def jpeg_bytes(tmp_path) -> bytes:
    return samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()


def test_upload_creates_a_ready_post_with_renditions(author, jpeg_bytes, uploads_dir):
    response = upload(
        author,
        jpeg_bytes,
        object="Andromeda Galaxy",
        tags="Galaxy, #M31 galaxy",
        telescope="Esprit 100",
        exposure_count="40",
        exposure_seconds="180",
    )
    assert response.status_code == 201
    post = response.get_json()
    assert post["status"] == "ready"
    assert post["object"] == {
        "id": "NGC0224",
        "name": "Andromeda Galaxy",
        "common_name": "Andromeda Galaxy",
        "type": "Galaxy",
        "constellation": "Andromeda",
    }
    assert post["tags"] == ["galaxy", "m31"]
    assert post["observer"] == "Vega"
    assert post["exposure"]["integration_seconds"] == 7200
    media = post["media"]
    assert [r["content_type"] for r in media["display"]] == ["image/webp", "image/jpeg"]
    assert media["original"]["width"] == 600
    assert media["placeholder"]["color"].startswith("#")
    # Only the renditions remain in storage: the upload itself is gone.
    assert sorted(p.name for p in files_in(uploads_dir)) == [
        "display.jpg",
        "display.webp",
        "original.jpg",
        "thumb.jpg",
        "thumb.webp",
    ]


def test_capture_metadata_fills_what_the_uploader_left_empty(author, jpeg_bytes):
    post = upload(author, jpeg_bytes).get_json()
    assert post["observed_at"] == "2026-08-12T21:41:07Z"
    assert post["equipment"]["camera"] == "Canon EOS Ra"
    assert post["exposure"]["gain"] == "ISO 1600"
    given = upload(author, jpeg_bytes, camera="Nikon Z6", observed_at="2026-08-01T20:00:00Z")
    assert given.get_json()["equipment"]["camera"] == "Nikon Z6"
    assert given.get_json()["observed_at"] == "2026-08-01T20:00:00Z"


def test_fits_header_supplies_the_object(author, tmp_path):
    data = samples.fits_file(tmp_path / "m42.fits").read_bytes()
    post = upload(author, data, "m42.fits", None, title="Orion").get_json()
    assert post["object"]["id"] == "NGC1976"
    assert post["equipment"]["telescope"] == "Esprit 100ED"


def test_served_files_carry_no_gps_or_camera_serial(author, client, jpeg_bytes):
    post = upload(author, jpeg_bytes).get_json()
    urls = [r["url"] for r in post["media"]["display"] + post["media"]["thumb"]]
    urls.append(post["media"]["original"]["url"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert b"SERIAL-12345678" not in response.data
        with Image.open(io.BytesIO(response.data)) as image:
            assert not image.getexif().get_ifd(0x8825)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"title": ""}, "title"),
        ({"category": "galaxies"}, "category"),
        ({"observed_at": "yesterday"}, "observed_at"),
        ({"observed_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()}, "observed_at"),
        ({"bortle": "12"}, "bortle"),
        ({"exposure_seconds": "-5"}, "exposure_seconds"),
        ({"exposure_count": "2.5"}, "exposure_count"),
        ({"exposure_seconds": "nan"}, "exposure_seconds"),
        ({"tags": "good, <script>"}, "tags"),
        ({"title": "x" * 121}, "title"),
        ({"notes": "n" * 5001}, "notes"),
        ({"object": "M31\x00"}, "object"),
    ],
)
def test_invalid_details_are_422_per_field_and_leave_nothing(
    author, jpeg_bytes, uploads_dir, app, fields, bad
):
    response = upload(author, jpeg_bytes, **fields)
    assert response.status_code == 422
    assert bad in response.get_json()["error"]["fields"]
    assert files_in(uploads_dir) == []
    with app.app_context():
        assert db.session.query(Post).count() == 0


def test_observed_at_a_few_hours_ahead_is_accepted_as_clock_skew(author, jpeg_bytes):
    ahead = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    assert upload(author, jpeg_bytes, observed_at=ahead).status_code == 201


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("evil.svg", lambda p: samples.SVG, "image/svg+xml"),
        ("page.jpg", lambda p: samples.HTML, "image/jpeg"),
        ("shell.php", lambda p: samples.PHP, "application/x-php"),
        ("empty.jpg", lambda p: b"", "image/jpeg"),
        ("cut.jpg", lambda p: samples.truncated_jpeg(p / "cut.jpg").read_bytes(), "image/jpeg"),
        (
            "bomb.png",
            lambda p: samples.png_declaring(p / "b.png", 30000, 30000).read_bytes(),
            "image/png",
        ),
        ("star.png", lambda p: samples.write_image(p / "s.jpg").read_bytes(), "image/png"),
    ],
)
def test_refused_files_are_422_and_leave_no_rows_or_files(
    author, app, uploads_dir, tmp_path, name, make, content_type
):
    response = upload(author, make(tmp_path), name, content_type)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["file"]
    assert files_in(uploads_dir) == []
    with app.app_context():
        assert db.session.query(Post).count() == 0
        assert db.session.query(PostMedia).count() == 0


def test_missing_file_is_422(author):
    response = author.post(
        "/api/v1/posts",
        data={"title": "x", "category": "deep-sky"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]


def test_invalid_fields_beside_a_file_are_422_not_500(author, jpeg_bytes):
    """Found by fuzzing: validation errors used to echo the uploaded file object."""
    response = author.post(
        "/api/v1/posts",
        data={"file": (io.BytesIO(jpeg_bytes), "m31.jpg"), "title": "0"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "category" in response.get_json()["error"]["fields"]


def test_multipart_parts_without_a_name_are_ignored_not_a_500(author, jpeg_bytes):
    """Found by fuzzing: a nameless part arrived under the key None and crashed
    the CSRF check."""
    body = (
        b"--XX\r\nContent-Disposition: form-data\r\n\r\nnull\r\n"
        b'--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--XX--\r\n'
    )
    response = author.post(
        "/api/v1/posts", data=body, content_type="multipart/form-data; boundary=XX"
    )
    assert response.status_code == 422


def test_json_bodies_must_be_objects(author):
    for body in ("null", "[]", "3"):
        response = author.patch("/api/v1/me", data=body, content_type="application/json")
        assert response.status_code == 400, body


def test_oversized_upload_is_413_and_leaves_nothing(app_factory, make_user, jpeg_bytes):
    app = app_factory(UPLOAD_MAX_BYTES=10_000)
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    # Encoded in memory: werkzeug's test client would spool a body this big to a
    # temporary file that nobody closes when the app refuses it unread.
    boundary, body = encode_multipart(
        {
            "file": FileStorage(io.BytesIO(jpeg_bytes + b"\x00" * 2_000_000), "m31.jpg"),
            "title": "Big",
            "category": "deep-sky",
        }
    )
    response = client.post(
        "/api/v1/posts", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert files_in(Path(app.config["UPLOAD_FOLDER"])) == []


@pytest.mark.parametrize(
    "name", ["../../../etc/cron.d/x.jpg", "..\\..\\boot.ini.jpg", "C:/Users/x.jpg"]
)
def test_path_traversal_file_names_are_harmless(author, jpeg_bytes, uploads_dir, name):
    assert upload(author, jpeg_bytes, name).status_code == 201
    for path in files_in(uploads_dir):
        assert path.resolve().is_relative_to(uploads_dir.resolve())
        assert path.parent.parent.name == "posts"


def test_uploading_needs_a_signed_in_user(client, jpeg_bytes):
    assert upload(client, jpeg_bytes).status_code == 401


def test_media_files_have_type_nosniff_etag_and_cache(author, client, jpeg_bytes):
    post = upload(author, jpeg_bytes).get_json()
    url = post["media"]["display"][0]["url"]
    response = client.get(url)
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_unknown_media_keys_are_404(client):
    assert (
        client.get("/media/posts/0123456789abcdef0123456789abcdef/display.jpg").status_code == 404
    )
    assert client.get("/media/../../config.py").status_code == 404


@pytest.mark.parametrize(
    ("size", "width"), [("original", 600), ("display", 600), ("thumb", 480), (None, 600)]
)
def test_download_is_an_attachment_with_a_safe_name(author, client, jpeg_bytes, size, width):
    post = upload(author, jpeg_bytes, title='M31 "Andromeda" / 2026 — ünïcode').get_json()
    query = {"size": size} if size else {}
    response = client.get(f"/p/{post['id']}/download", query_string=query)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    suffix = "" if size in (None, "original") else f"-{size}"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="M31-Andromeda-2026-unicode{suffix}.jpg"'
    )
    assert response.headers["ETag"]
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.width == width


def test_download_rejects_unknown_sizes(author, client, jpeg_bytes):
    post = upload(author, jpeg_bytes).get_json()
    assert client.get(f"/p/{post['id']}/download?size=huge").status_code == 422


def test_downloads_are_rate_limited(app_factory, make_user, jpeg_bytes):
    app = app_factory(DOWNLOAD_LIMIT="3 per minute")
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    post = upload(client, jpeg_bytes).get_json()
    statuses = [client.get(f"/p/{post['id']}/download").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_media_originals_are_limited_per_client_and_renditions_apart(
    app_factory, make_user, jpeg_bytes
):
    """/media served originals without any limit once /p/<id>/download said
    429: now they have their own per-client limit, renditions a looser one."""
    app = app_factory(MEDIA_ORIGINAL_LIMIT="3 per minute", MEDIA_RENDITION_LIMIT="5 per minute")
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    media = upload(client, jpeg_bytes).get_json()["media"]
    original, display = media["original"]["url"], media["display"][0]["url"]
    assert [client.get(original).status_code for _ in range(4)] == [200, 200, 200, 429]
    elsewhere = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.get(original, environ_base=elsewhere).status_code == 200
    # Renditions count apart: the originals' 429 leaves the feed's images alone.
    thumb = media["thumb"][0]["url"]
    statuses = [client.get(url).status_code for url in [display, thumb] * 3]
    assert statuses == [200] * 5 + [429]
    assert client.get(display, environ_base=elsewhere).status_code == 200


def test_only_the_post_itself_carries_the_originals_url(author, client, jpeg_bytes):
    created = upload(author, jpeg_bytes, object="M31", tags="galaxy").get_json()
    assert created["media"]["original"]["url"].endswith("/original.jpg")
    post_id = created["id"]
    assert client.get(f"/api/v1/posts/{post_id}").get_json()["media"]["original"]["width"] == 600
    edited = client.patch(f"/api/v1/posts/{post_id}", json={"notes": "Two nights."})
    assert edited.get_json()["media"]["original"] is not None
    client.post(f"/api/v1/posts/{post_id}/favorite")
    listings = {
        "feed": "/api/v1/feed",
        "search": "/api/v1/search?q=andromeda",
        "object": "/api/v1/search?object=M31",
        "tag": "/api/v1/search?tag=galaxy",
        "saved": "/api/v1/me/favorites",
    }
    for name, url in listings.items():
        items = client.get(url).get_json()["items"]
        assert [item["id"] for item in items] == [post_id], name
        assert items[0]["media"]["original"] is None, name
        assert items[0]["download_url"] == f"/p/{post_id}/download", name
    for url in ["/", "/u/vega", "/search?q=andromeda", "/saved", "/o/NGC0224", "/t/galaxy"]:
        assert "original.jpg" not in client.get(url).get_data(as_text=True), url


def test_get_post_and_the_html_page(author, client, jpeg_bytes):
    post = upload(author, jpeg_bytes, notes="Shot from a Bortle 4 site.").get_json()
    assert client.get(f"/api/v1/posts/{post['id']}").get_json()["title"] == "Andromeda"
    page = client.get(f"/p/{post['id']}").get_data(as_text=True)
    assert "Andromeda" in page
    assert 'property="og:image"' in page
    assert 'fetchpriority="high"' in page
    assert 'width="600" height="400"' in page
    assert "Shot from a Bortle 4 site." in page


def test_missing_posts_are_404(client):
    assert client.get("/api/v1/posts/9999").status_code == 404
    assert client.get("/p/9999").status_code == 404


def test_owner_edits_details(author, jpeg_bytes):
    post = upload(author, jpeg_bytes).get_json()
    response = author.patch(
        f"/api/v1/posts/{post['id']}",
        json={
            "title": "M31 with M110",
            "object": "M 42",
            "tags": ["orion"],
            "bortle": "3",
            "camera": "",
        },
    )
    assert response.status_code == 200
    edited = response.get_json()
    assert edited["title"] == "M31 with M110"
    assert edited["object"]["id"] == "NGC1976"
    assert edited["tags"] == ["orion"]
    assert edited["exposure"]["bortle"] == 3
    assert edited["equipment"]["camera"] is None


def test_edit_validation_is_per_field(author, jpeg_bytes):
    post = upload(author, jpeg_bytes).get_json()
    response = author.patch(f"/api/v1/posts/{post['id']}", json={"title": "", "bortle": "0"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"title", "bortle"}


def test_others_cannot_edit_or_delete_but_moderators_can(app, client, make_user, jpeg_bytes):
    make_user("vega")
    make_user("mira")
    make_user("mod", role=Role.MODERATOR)
    login(client, "vega")
    post = upload(client, jpeg_bytes).get_json()
    client.post("/api/v1/auth/logout")
    login(client, "mira")
    assert client.patch(f"/api/v1/posts/{post['id']}", json={"title": "mine"}).status_code == 403
    assert client.delete(f"/api/v1/posts/{post['id']}").status_code == 403
    client.post("/api/v1/auth/logout")
    login(client, "mod")
    assert client.patch(f"/api/v1/posts/{post['id']}", json={"title": "fixed"}).status_code == 200
    assert client.delete(f"/api/v1/posts/{post['id']}").status_code == 204


def test_delete_removes_rows_and_files(author, app, jpeg_bytes, uploads_dir):
    post = upload(author, jpeg_bytes).get_json()
    assert author.delete(f"/api/v1/posts/{post['id']}").status_code == 204
    assert files_in(uploads_dir) == []
    with app.app_context():
        assert db.session.query(PostMedia).count() == 0
    assert author.get(f"/api/v1/posts/{post['id']}").status_code == 404


def test_html_upload_without_javascript(author, tmp_path, uploads_dir):
    page = author.get("/upload")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    # Small: werkzeug's test client leaks the temp file it spools big bodies to.
    data = samples.write_image(tmp_path / "moon.png", 200, 150, fmt="png").read_bytes()
    response = author.post(
        "/upload",
        data={"file": (io.BytesIO(data), "moon.png"), "title": "Moon", "category": "lunar"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/p/")
    refused = author.post(
        "/upload",
        data={"file": (io.BytesIO(samples.SVG), "x.svg"), "title": "x", "category": "lunar"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "Markup (SVG, HTML) is not accepted" in refused.get_data(as_text=True)


def test_html_edit_and_delete(author, jpeg_bytes, uploads_dir):
    post = upload(author, jpeg_bytes).get_json()
    form = author.get(f"/p/{post['id']}/edit").get_data(as_text=True)
    assert 'value="Andromeda"' in form
    response = author.post(
        f"/p/{post['id']}/edit", data={"title": "Andromeda, processed", "category": "deep-sky"}
    )
    assert response.status_code == 302
    assert "Andromeda, processed" in author.get(f"/p/{post['id']}").get_data(as_text=True)
    assert author.post(f"/p/{post['id']}/delete").status_code == 302
    assert files_in(uploads_dir) == []


def test_catalogue_suggestions(client):
    response = client.get("/api/v1/catalogue/suggest?q=andromeda")
    assert response.status_code == 200
    assert response.get_json()["items"][0]["id"] == "NGC0224"
    assert client.get("/api/v1/catalogue/suggest?q=%25").get_json()["items"] == []
