"""Failure paths and limits of uploads (each found in review)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import pyvips
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from skyframe.extensions import db
from skyframe.models import Post
from tests import media_samples as samples
from tests.conftest import login
from tests.test_posts import files_in, upload


@pytest.fixture
def author(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


@pytest.fixture
def jpeg_bytes(tmp_path) -> bytes:
    return samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()


def test_anonymous_uploads_are_refused_before_the_body_is_read(client, app, jpeg_bytes):
    response = upload(client, jpeg_bytes)
    assert response.status_code == 401
    spool = Path(app.config["UPLOAD_FOLDER"]) / ".spool"
    assert not spool.exists() or list(spool.iterdir()) == []


def test_multipart_bodies_to_other_endpoints_are_small(author):
    # Encoded in memory (werkzeug's test client leaks the file it spools big bodies to).
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"x" * 1_500_000), "big.bin")}
    )
    response = author.post(
        "/api/v1/auth/logout", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413


def test_the_file_itself_is_held_to_the_upload_limit(app_factory, make_user, jpeg_bytes):
    app = app_factory(UPLOAD_MAX_BYTES=20_000)  # request limit is that plus 1 MiB for fields
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    response = upload(client, jpeg_bytes + b"\x00" * 100_000)
    assert response.status_code == 413
    assert files_in(Path(app.config["UPLOAD_FOLDER"])) == []


def test_uploads_are_rate_limited_per_user(app_factory, make_user, jpeg_bytes):
    app = app_factory(UPLOAD_LIMIT="2 per hour")
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    statuses = [upload(client, jpeg_bytes).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_created_posts_have_a_location(author, jpeg_bytes):
    response = upload(author, jpeg_bytes)
    assert response.headers["Location"] == f"/api/v1/posts/{response.get_json()['id']}"


def test_file_metadata_obeys_the_field_rules(author, tmp_path):
    data = samples.fits_file(
        tmp_path / "odd.fits", header={"GAIN": "g" * 60, "DATE-OBS": "2099-01-01T00:00:00"}
    ).read_bytes()
    post = upload(author, data, "odd.fits", None).get_json()
    assert post["status"] == "ready"
    assert len(post["exposure"]["gain"]) == 40
    assert post["observed_at"] is None  # a date in the future is not taken


def test_far_dates_are_a_field_error_not_a_crash(author, jpeg_bytes):
    response = upload(author, jpeg_bytes, observed_at="0001-01-01T00:00:00+05:00")
    assert response.status_code == 422
    assert "observed_at" in response.get_json()["error"]["fields"]


def test_integration_follows_the_subs_unless_given(author, jpeg_bytes):
    post = upload(author, jpeg_bytes, exposure_seconds="300", exposure_count="12").get_json()
    assert post["exposure"]["integration_seconds"] == 3600
    edited = author.patch(f"/api/v1/posts/{post['id']}", json={"exposure_count": "24"})
    assert edited.get_json()["exposure"]["integration_seconds"] == 7200
    given = author.patch(f"/api/v1/posts/{post['id']}", json={"integration_seconds": "5000"})
    assert given.get_json()["exposure"]["integration_seconds"] == 5000


def test_an_unreachable_queue_is_503_and_leaves_nothing(app_factory, make_user, jpeg_bytes):
    app = app_factory(JOBS_BACKEND="rq", RQ_REDIS_URL="redis://127.0.0.1:1/0")
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    response = upload(client, jpeg_bytes)
    assert response.status_code == 503
    assert files_in(Path(app.config["UPLOAD_FOLDER"])) == []
    with app.app_context():
        assert db.session.query(Post).count() == 0


def test_storage_failure_while_processing_is_503_not_the_files_fault(
    author, app, jpeg_bytes, monkeypatch
):
    from skyframe.storage import LocalStorage, StorageError

    real_save = LocalStorage.save

    def failing_save(self, key, data, content_type):
        if key.startswith("posts/"):
            raise StorageError("disk full")
        return real_save(self, key, data, content_type)

    monkeypatch.setattr(LocalStorage, "save", failing_save)
    response = upload(author, jpeg_bytes)
    assert response.status_code == 503
    assert files_in(Path(app.config["UPLOAD_FOLDER"])) == []
    with app.app_context():
        assert db.session.query(Post).count() == 0


def test_others_never_see_unfinished_posts(app, client, make_user, jpeg_bytes):
    from skyframe.models import PostStatus

    make_user("vega")
    make_user("mira")
    login(client, "vega")
    post = upload(client, jpeg_bytes).get_json()
    media_url = post["media"]["display"][0]["url"]
    with app.app_context():
        db.session.get(Post, post["id"]).status = PostStatus.FAILED
        db.session.commit()
    assert client.get(f"/api/v1/posts/{post['id']}").status_code == 200  # the owner
    client.post("/api/v1/auth/logout")
    login(client, "mira")
    for url in (
        f"/api/v1/posts/{post['id']}",
        f"/p/{post['id']}",
        f"/p/{post['id']}/download",
        media_url,
    ):
        assert client.get(url).status_code == 404, url


def test_32_bit_images_are_refused_with_a_way_out(author, tmp_path):
    pixels = np.random.default_rng(1).random((60, 80, 1)).astype(np.float32)
    path = tmp_path / "stack.tif"
    pyvips.Image.new_from_array(pixels).tiffsave(str(path))
    response = upload(author, path.read_bytes(), "stack.tif", "image/tiff")
    assert response.status_code == 422
    assert "16-bit" in response.get_json()["error"]["fields"]["file"]


def test_fits_planes_count_towards_the_limit(app_factory, make_user, tmp_path):
    app = app_factory(UPLOAD_MAX_PIXELS=200_000)  # 320×240 = 76,800 pixels, ×3 planes
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    cube = samples.fits_file(tmp_path / "rgb.fits", cube=True).read_bytes()
    response = upload(client, cube, "rgb.fits", None)
    assert response.status_code == 422
    assert "3 planes" in response.get_json()["error"]["fields"]["file"]


def test_settings_are_saved_all_or_nothing(author, tmp_path):
    response = author.post(
        "/settings",
        data={"display_name": "New Name", "bio": "", "avatar": (io.BytesIO(samples.SVG), "a.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert author.get("/api/v1/me").get_json()["display_name"] == "Vega"


def test_signed_url_redirects_are_not_cached_past_their_life(
    app_factory, make_user, s3_endpoint, jpeg_bytes
):
    from tests.test_post_backends import s3_settings
    from tests.test_storage import make_s3

    bucket = make_s3(s3_endpoint)
    app = app_factory(**s3_settings(s3_endpoint, bucket.bucket))
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    post = upload(client, jpeg_bytes).get_json()
    response = client.get(post["media"]["display"][0]["url"])
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, max-age=240"
    assert s3_endpoint in client.get("/").headers["Content-Security-Policy"]


def test_uploads_stuck_in_processing_are_swept(app, runner, make_user, jpeg_bytes):
    from datetime import timedelta

    from skyframe.models import PostStatus, utcnow

    owner = make_user("vega")
    uploads = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        stuck = Post(
            owner_id=owner.id,
            title="M31",
            category="deep-sky",
            observer="Vega",
            status=PostStatus.PROCESSING,
            media_key="c" * 32,
            created_at=utcnow() - timedelta(hours=2),
        )
        fresh = Post(
            owner_id=owner.id,
            title="M42",
            category="deep-sky",
            observer="Vega",
            status=PostStatus.PROCESSING,
            media_key="d" * 32,
        )
        db.session.add_all([stuck, fresh])
        db.session.commit()
        stuck_id, fresh_id = stuck.id, fresh.id
    (uploads / "incoming").mkdir(parents=True)
    (uploads / "incoming" / f"{'c' * 32}.jpeg").write_bytes(jpeg_bytes)
    result = runner.invoke(args=["posts", "sweep", "--older-than-minutes", "30"])
    assert result.exit_code == 0, result.output
    assert "1 stale upload(s)" in result.output
    with app.app_context():
        assert db.session.get(Post, stuck_id).status == PostStatus.FAILED
        assert db.session.get(Post, fresh_id).status == PostStatus.PROCESSING
    assert files_in(uploads) == []
