"""A full disk is a clear 507 and leaves nothing behind: not the request's
spool, not the uploads folder, not a row. /dev/full gives the kernel's own
ENOSPC on write, so the failing writes are real ones."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from skyframe import storage as storage_module
from skyframe.extensions import db
from skyframe.models import Post
from skyframe.storage import LocalStorage, StorageFull
from skyframe.web import requests as requests_module
from tests.conftest import login
from tests.test_posts import files_in, upload

pytestmark = [
    pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full"),
    pytest.mark.one_database,
]


@pytest.fixture
def author(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


@pytest.fixture
def jpeg_bytes(tmp_path) -> bytes:
    from tests import media_samples as samples

    return samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()


@pytest.fixture
def full_uploads_folder(monkeypatch):
    """Every file the local backend writes lands on /dev/full (links fail as
    across file systems, so the bytes are copied)."""
    made = []

    def mkstemp(dir=None, prefix="tmp"):
        path = Path(dir) / f"{prefix}{len(made)}"
        path.touch()
        made.append(path)
        return os.open("/dev/full", os.O_WRONLY), str(path)

    def link(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(storage_module.tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(storage_module.os, "link", link)
    return made


def test_the_local_backend_says_it_is_full_and_keeps_no_part(tmp_path, full_uploads_folder):
    backend = LocalStorage(tmp_path / "uploads")
    with pytest.raises(StorageFull):
        backend.save("posts/a/display.jpg", b"x" * 10_000, "image/jpeg")
    assert files_in(tmp_path / "uploads") == []


def test_an_upload_onto_a_full_disk_is_507_and_leaves_nothing(
    app, author, jpeg_bytes, full_uploads_folder
):
    response = upload(author, jpeg_bytes)
    assert response.status_code == 507
    assert response.json["error"]["code"] == "insufficient_storage"
    assert response.headers["Retry-After"] == "60"
    with app.app_context():
        assert db.session.query(Post).count() == 0
    assert files_in(Path(app.config["UPLOAD_FOLDER"])) == []


def test_a_full_request_spool_is_507_too(app, author, jpeg_bytes, monkeypatch):
    def spool_on_full_disk(*args, **kwargs):
        return open("/dev/full", "wb+")  # the request closes it

    monkeypatch.setattr(requests_module.tempfile, "NamedTemporaryFile", spool_on_full_disk)
    response = upload(author, jpeg_bytes)
    assert response.status_code == 507
    assert response.json["error"]["code"] == "insufficient_storage"


def test_the_upload_page_shows_a_page_not_a_traceback(app, author, jpeg_bytes, full_uploads_folder):
    import io

    response = author.post(
        "/upload",
        data={"file": (io.BytesIO(jpeg_bytes), "m31.jpg"), "title": "M31", "category": "deep-sky"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 507
    assert b"run out of room" in response.data


def test_other_os_errors_stay_internal_errors(app, client):
    @app.get("/_test/broken")
    def broken():
        raise OSError(errno.EIO, "Input/output error")

    response = client.get("/_test/broken", headers={"Accept": "application/json"})
    assert response.status_code == 500
