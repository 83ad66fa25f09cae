"""One contract for every storage backend: local disk and S3 (a real
S3-protocol server, moto's, on a local port)."""

from __future__ import annotations

import io
import uuid
from urllib.request import urlopen

import pytest

from skyframe.storage import (
    LocalStorage,
    NotInStorage,
    S3Storage,
    StorageError,
    storage_from_config,
)


def make_s3(endpoint: str, bucket: str | None = None) -> S3Storage:
    bucket = bucket or f"skyframe-{uuid.uuid4().hex[:12]}"
    storage = S3Storage(
        bucket,
        endpoint_url=endpoint,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
    )
    storage.client.create_bucket(Bucket=bucket)
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    return make_s3(request.getfixturevalue("s3_endpoint"))


PAYLOAD = b"\x89PNG fake bytes " * 5000


def test_save_reports_size_and_hash_and_reads_back(storage):
    import hashlib

    stored = storage.save("posts/abc/display.webp", PAYLOAD, "image/webp")
    assert stored.size == len(PAYLOAD)
    assert stored.sha256 == hashlib.sha256(PAYLOAD).hexdigest()
    assert storage.read("posts/abc/display.webp") == PAYLOAD
    assert storage.exists("posts/abc/display.webp")
    assert storage.size("posts/abc/display.webp") == len(PAYLOAD)


def test_save_streams_from_a_file_object(storage):
    big = io.BytesIO(b"x" * (3 * 1024 * 1024 + 7))
    stored = storage.save("incoming/big.bin", big, "application/octet-stream")
    assert stored.size == 3 * 1024 * 1024 + 7
    assert storage.size("incoming/big.bin") == stored.size


def test_save_replaces_an_existing_file(storage):
    storage.save("a/b.jpg", b"first", "image/jpeg")
    storage.save("a/b.jpg", b"second", "image/jpeg")
    assert storage.read("a/b.jpg") == b"second"


def test_delete_is_idempotent(storage):
    storage.save("a/b.jpg", b"data", "image/jpeg")
    storage.delete("a/b.jpg")
    storage.delete("a/b.jpg")
    assert not storage.exists("a/b.jpg")


def test_missing_files_raise_not_in_storage(storage):
    with pytest.raises(NotInStorage):
        storage.read("nothing/here.jpg")
    with pytest.raises(NotInStorage):
        storage.size("nothing/here.jpg")


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "/abs/path",
        "a/../../b",
        "A/Upper.jpg",
        "a//b",
        "a/./b",
        "",
        "a\\b",
        "a/b/",
        "x" * 300,
        "posts/%2e%2e/x",
        "a/b\x00.jpg",
    ],
)
def test_unsafe_keys_are_refused(storage, key):
    with pytest.raises(StorageError):
        storage.save(key, b"x", "image/jpeg")
    with pytest.raises(StorageError):
        storage.open(key)


def test_local_copy_gives_a_readable_path(storage):
    storage.save("posts/p/original.jpg", PAYLOAD, "image/jpeg")
    with storage.local_copy("posts/p/original.jpg") as path:
        assert path.read_bytes() == PAYLOAD


def test_local_storage_never_leaves_partial_files(tmp_path):
    storage = LocalStorage(tmp_path)

    class Exploding(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("client went away")
            return b"x" * 1000

    with pytest.raises(StorageError):
        storage.save("posts/p/original.jpg", Exploding(), "image/jpeg")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_s3_errors_are_wrapped(s3_endpoint):
    storage = S3Storage(
        "no-such-bucket-here",
        endpoint_url=s3_endpoint,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
    )
    with pytest.raises(StorageError):
        storage.save("a/b.jpg", b"x", "image/jpeg")


def test_s3_download_url_serves_the_file_with_attachment_headers(s3_endpoint):
    storage = make_s3(s3_endpoint)
    storage.save("posts/p/display.jpg", b"jpeg-bytes", "image/jpeg")
    url = storage.download_url("posts/p/display.jpg", filename="m31.jpg", content_type="image/jpeg")
    with urlopen(url, timeout=10) as response:  # noqa: S310 (local moto server)
        assert response.read() == b"jpeg-bytes"
        assert response.headers["Content-Disposition"] == 'attachment; filename="m31.jpg"'


def test_backend_is_chosen_by_configuration(tmp_path, s3_endpoint):
    local = storage_from_config({"STORAGE_BACKEND": "local", "UPLOAD_FOLDER": str(tmp_path)})
    assert isinstance(local, LocalStorage)
    s3 = storage_from_config(
        {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": "b",
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "k",
            "S3_SECRET_ACCESS_KEY": "s",
        }
    )
    assert isinstance(s3, S3Storage)
    with pytest.raises(StorageError, match="S3_BUCKET"):
        storage_from_config({"STORAGE_BACKEND": "s3"})
    with pytest.raises(StorageError, match="unknown STORAGE_BACKEND"):
        storage_from_config({"STORAGE_BACKEND": "ftp"})
