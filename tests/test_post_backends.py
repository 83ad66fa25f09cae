"""Uploads on the production set-up: S3-compatible storage (a real
S3-protocol server) and background jobs run by a real RQ worker on Redis."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from skyframe.extensions import db
from skyframe.models import Post
from tests import media_samples as samples
from tests.conftest import REDIS_URL, STRONG_PASSWORD, login
from tests.test_storage import make_s3

ROOT = Path(__file__).resolve().parent.parent


def s3_settings(endpoint: str, bucket: str) -> dict:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }


def bucket_keys(storage) -> list[str]:
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def post_form(data: bytes, name: str = "m31.jpg") -> dict:
    return {"file": (io.BytesIO(data), name), "title": "Andromeda", "category": "deep-sky"}


def test_upload_serve_and_delete_on_s3(app_factory, make_user, s3_endpoint, tmp_path):
    bucket_storage = make_s3(s3_endpoint)
    app = app_factory(**s3_settings(s3_endpoint, bucket_storage.bucket))
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    data = samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()
    response = client.post(
        "/api/v1/posts", data=post_form(data), content_type="multipart/form-data"
    )
    assert response.status_code == 201, response.get_json()
    post = response.get_json()
    keys = bucket_keys(bucket_storage)
    assert len(keys) == 5
    assert all(key.startswith("posts/") for key in keys)  # the upload itself is gone
    # Files are handed out as short-lived signed URLs of the bucket.
    media = client.get(post["media"]["display"][0]["url"])
    assert media.status_code == 302
    assert media.headers["Location"].startswith(s3_endpoint)
    download = client.get(f"/p/{post['id']}/download")
    assert download.status_code == 302
    assert "response-content-disposition=attachment" in download.headers["Location"]
    assert client.delete(f"/api/v1/posts/{post['id']}").status_code == 204
    assert bucket_keys(bucket_storage) == []


def test_on_s3_originals_redirects_are_limited_like_local_files(
    app_factory, make_user, s3_endpoint, tmp_path
):
    bucket_storage = make_s3(s3_endpoint)
    settings = s3_settings(s3_endpoint, bucket_storage.bucket)
    app = app_factory(**settings, MEDIA_ORIGINAL_LIMIT="2 per minute")
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    data = samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()
    post = client.post(
        "/api/v1/posts", data=post_form(data), content_type="multipart/form-data"
    ).get_json()
    original = post["media"]["original"]["url"]
    assert [client.get(original).status_code for _ in range(3)] == [302, 302, 429]
    assert client.get(post["media"]["display"][0]["url"]).status_code == 302
    assert client.delete(f"/api/v1/posts/{post['id']}").status_code == 204


def test_refused_and_failed_uploads_leave_nothing_in_the_bucket(
    app_factory, make_user, s3_endpoint, tmp_path
):
    bucket_storage = make_s3(s3_endpoint)
    app = app_factory(**s3_settings(s3_endpoint, bucket_storage.bucket))
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    for data, name in [
        (samples.SVG, "x.svg"),
        (samples.png_declaring(tmp_path / "bomb.png", 30000, 30000).read_bytes(), "bomb.png"),
        (samples.truncated_jpeg(tmp_path / "cut.jpg").read_bytes(), "cut.jpg"),
    ]:
        response = client.post(
            "/api/v1/posts", data=post_form(data, name), content_type="multipart/form-data"
        )
        assert response.status_code == 422, name
    assert bucket_keys(bucket_storage) == []
    with app.app_context():
        assert db.session.query(Post).count() == 0


def register_rq_user(client) -> None:
    client.post(
        "/api/v1/auth/register",
        json={
            "email": "rq@example.org",
            "handle": "rq_user",
            "display_name": "RQ",
            "password": STRONG_PASSWORD,
        },
    )


def run_worker_until_empty(database_url: str, settings: dict) -> None:
    """`flask worker --burst` in its own process, on the test's settings."""
    env = {
        **os.environ,
        "SKYFRAME_CONFIG": "testing",
        "DATABASE_URL": database_url,
        **{key: str(value) for key, value in settings.items()},
    }
    worker = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]


@pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")
def test_rq_worker_processes_uploads(app_factory, database_url, tmp_path):
    queue = f"skyframe-test-{uuid.uuid4().hex[:8]}"
    uploads = tmp_path / "uploads"
    settings = {
        "JOBS_BACKEND": "rq",
        "RQ_REDIS_URL": REDIS_URL,
        "RQ_QUEUE": queue,
        "UPLOAD_FOLDER": str(uploads),
    }
    app = app_factory(**settings)
    client = app.test_client()
    register_rq_user(client)
    good = samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()
    bad = samples.truncated_jpeg(tmp_path / "cut.jpg").read_bytes()
    accepted = client.post(
        "/api/v1/posts", data=post_form(good), content_type="multipart/form-data"
    )
    assert accepted.status_code == 202
    assert accepted.get_json()["status"] == "processing"
    assert accepted.get_json()["media"] is None
    broken = client.post(
        "/api/v1/posts", data=post_form(bad, "cut.jpg"), content_type="multipart/form-data"
    )
    assert broken.status_code == 202  # header fine: the damage shows when decoding

    run_worker_until_empty(database_url, settings)

    ready = client.get(f"/api/v1/posts/{accepted.get_json()['id']}").get_json()
    assert ready["status"] == "ready"
    assert len(ready["media"]["display"]) == 2
    failed = client.get(f"/api/v1/posts/{broken.get_json()['id']}").get_json()
    assert failed["status"] == "failed"
    assert "damaged" in failed["failure_reason"]
    # Only the good post's renditions are in storage: nothing from the failure.
    names = sorted(p.name for p in uploads.rglob("*") if p.is_file())
    assert names == ["display.jpg", "display.webp", "original.jpg", "thumb.jpg", "thumb.webp"]

    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    leftover = list(connection.scan_iter(f"rq:*{queue}*"))
    if leftover:
        connection.delete(*leftover)


def clip_form(data: bytes, name: str) -> dict:
    return {"file": (io.BytesIO(data), name), "title": "Perseid", "category": "meteor"}


def test_clips_on_s3_stream_through_signed_urls_and_refusals_leave_nothing(
    app_factory, make_user, s3_endpoint, tmp_path
):
    import urllib.request

    from skyframe.jobs import current_jobs
    from tests import clip_samples

    bucket_storage = make_s3(s3_endpoint)
    app = app_factory(**s3_settings(s3_endpoint, bucket_storage.bucket))
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    for path in (
        clip_samples.audio_only(tmp_path / "song.mp4"),
        clip_samples.corrupt(tmp_path / "noise.mp4"),
    ):
        refused = client.post(
            "/api/v1/posts",
            data=clip_form(path.read_bytes(), path.name),
            content_type="multipart/form-data",
        )
        assert refused.status_code == 422
    assert bucket_keys(bucket_storage) == []
    damaged = clip_samples.damaged_after_header(tmp_path / "damaged.mp4")
    good = clip_samples.make_clip(tmp_path / "meteor.webm", "webm")
    ids = []
    for path in (damaged, good):
        response = client.post(
            "/api/v1/posts",
            data=clip_form(path.read_bytes(), path.name),
            content_type="multipart/form-data",
        )
        assert response.status_code == 202
        ids.append(response.get_json()["id"])
    with app.app_context():
        current_jobs().wait()
    failed, post = (client.get(f"/api/v1/posts/{i}").get_json() for i in ids)
    assert failed["status"] == "failed"
    assert post["status"] == "ready"
    keys = bucket_keys(bucket_storage)
    assert sorted(k.rsplit("/", 1)[1] for k in keys) == [
        "clip.mp4",
        "display.jpg",
        "display.webp",
        "original.jpg",
        "thumb.jpg",
        "thumb.webp",
    ]
    media = client.get(post["video"]["url"])
    assert media.status_code == 302
    signed = media.headers["Location"]
    ranged = urllib.request.Request(signed, headers={"Range": "bytes=0-7"})  # noqa: S310
    with urllib.request.urlopen(ranged, timeout=10) as part:  # noqa: S310 (the test's own server)
        assert part.status == 206
        assert part.read()[4:8] == b"ftyp"
    assert client.get(post["download_url"]).status_code == 302
    for post_id in ids:
        assert client.delete(f"/api/v1/posts/{post_id}").status_code == 204
    assert bucket_keys(bucket_storage) == []


@pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")
def test_rq_worker_transcodes_clips_from_their_own_queue(app_factory, database_url, tmp_path):
    from tests import clip_samples

    queue = f"skyframe-test-{uuid.uuid4().hex[:8]}"
    uploads = tmp_path / "uploads"
    settings = {
        "JOBS_BACKEND": "rq",
        "RQ_REDIS_URL": REDIS_URL,
        "RQ_QUEUE": queue,
        "VIDEO_QUEUE": f"{queue}-video",
        "UPLOAD_FOLDER": str(uploads),
    }
    app = app_factory(**settings)
    client = app.test_client()
    register_rq_user(client)
    clip = clip_samples.make_clip(tmp_path / "meteor.mov", "mov")
    accepted = client.post(
        "/api/v1/posts",
        data=clip_form(clip.read_bytes(), clip.name),
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 202
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    assert connection.llen(f"rq:queue:{queue}-video") == 1
    assert connection.llen(f"rq:queue:{queue}") == 0
    run_worker_until_empty(database_url, settings)
    ready = client.get(f"/api/v1/posts/{accepted.get_json()['id']}").get_json()
    assert ready["status"] == "ready"
    assert ready["video"]["has_audio"] is True
    leftover = list(connection.scan_iter(f"rq:*{queue}*"))
    if leftover:
        connection.delete(*leftover)
