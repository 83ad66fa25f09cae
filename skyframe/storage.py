"""Where media files live: one interface, a local-disk and an S3 backend.

Public methods (``save``, ``open``, ``delete`` …) validate keys and wrap every
backend failure in :class:`StorageError`; backends implement the ``_``
methods. Keys are relative, lower-case paths such as
``posts/3f2a…/display.webp`` and never come from user input.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar

from skyframe.web.downloads import content_disposition

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*")
KEY_MAX_LENGTH = 256
CHUNK_SIZE = 1024 * 1024


class StorageError(Exception):
    """A storage backend could not do what was asked (or the key is invalid)."""


class NotInStorage(StorageError):
    """The key names nothing in the storage."""


class StorageFull(StorageError):
    """The backend is out of space (or over its quota): nothing was kept."""


OUT_OF_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_out_of_space(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in OUT_OF_SPACE


def _save_failed(name: str, key: str, exc: Exception) -> StorageError:
    kind = StorageFull if is_out_of_space(exc) else StorageError
    return kind(f"{name}: could not save {key}: {exc}")


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str
    content_type: str


def check_key(key: str) -> str:
    if len(key) > KEY_MAX_LENGTH or not KEY_PATTERN.fullmatch(key) or ".." in key:
        raise StorageError(f"invalid storage key {key!r}")
    return key


def _chunks(data: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
        return
    while chunk := data.read(CHUNK_SIZE):
        yield chunk


class Storage(ABC):
    """The interface every backend offers."""

    name: ClassVar[str]

    def save(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredFile:
        """Store ``data`` under ``key`` (replacing it), streaming; returns size and hash."""
        check_key(key)
        try:
            return self._save(key, data, content_type)
        except StorageError:
            raise
        except Exception as exc:
            raise _save_failed(self.name, key, exc) from exc

    def save_file(self, key: str, path: Path, content_type: str) -> int:
        """Store a local file under ``key`` (without hashing it); returns its size.
        The local backend links the file in when it can instead of copying it."""
        check_key(key)
        try:
            return self._save_file(key, path, content_type)
        except StorageError:
            raise
        except Exception as exc:
            raise _save_failed(self.name, key, exc) from exc

    def _save_file(self, key: str, path: Path, content_type: str) -> int:
        with path.open("rb") as handle:
            return self._save(key, handle, content_type).size

    def open(self, key: str) -> IO[bytes]:
        """A readable binary stream of the file; the caller closes it."""
        return self._wrap(key, "open", self._open)

    def read(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def delete(self, key: str) -> None:
        """Remove the file; removing a missing file is not an error."""
        self._wrap(key, "delete", self._delete)

    def exists(self, key: str) -> bool:
        return self._wrap(key, "check", self._exists)

    def size(self, key: str) -> int:
        return self._wrap(key, "measure", self._size)

    def files(self) -> Iterator[tuple[str, int]]:
        """Every stored file as (key, size), in key order: what a backup
        copies. Files still being written (and the upload spool) are left out."""
        try:
            yield from self._files()
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"{self.name}: could not list the files: {exc}") from exc

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """A path on local disk holding the file (a temporary copy if need be)."""
        path = self.local_path(key)
        if path is not None:
            if not path.is_file():
                raise NotInStorage(f"{self.name}: no file {key}")
            yield path
            return
        suffix = Path(key).suffix
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            with self.open(key) as source:
                for chunk in _chunks(source):
                    handle.write(chunk)
            handle.flush()
            yield Path(handle.name)

    def local_path(self, key: str) -> Path | None:
        """The file's path when the backend is the local disk, else None."""
        return None

    def spool_directory(self) -> str | None:
        """Where uploads should be spooled (None: the system's temporary folder)."""
        return None

    def download_url(self, key: str, *, filename: str, content_type: str) -> str | None:
        """A short-lived direct URL (object storage), or None to stream through the app."""
        return None

    def _wrap(self, key: str, action: str, method) -> Any:
        check_key(key)
        try:
            return method(key)
        except StorageError:
            raise
        except FileNotFoundError as exc:
            raise NotInStorage(f"{self.name}: no file {key}") from exc
        except Exception as exc:
            raise StorageError(f"{self.name}: could not {action} {key}: {exc}") from exc

    # Backends implement these.
    @abstractmethod
    def _save(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredFile: ...

    @abstractmethod
    def _open(self, key: str) -> IO[bytes]: ...

    @abstractmethod
    def _delete(self, key: str) -> None: ...

    @abstractmethod
    def _exists(self, key: str) -> bool: ...

    @abstractmethod
    def _size(self, key: str) -> int: ...

    @abstractmethod
    def _files(self) -> Iterator[tuple[str, int]]: ...


class LocalStorage(Storage):
    """Files under one directory (``uploads/`` by default)."""

    name = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def spool_directory(self) -> str:
        # Inside the root, so uploads are linked in; keys never start with ".".
        directory = self.root / ".spool"
        directory.mkdir(parents=True, exist_ok=True)
        return str(directory)

    def local_path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"invalid storage key {key!r}")
        return path

    def _save(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredFile:
        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        # Write beside the target and rename: readers never see half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in _chunks(data):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return StoredFile(key, size, digest.hexdigest(), content_type)

    def _save_file(self, key: str, path: Path, content_type: str) -> int:
        target = self.local_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".incoming-{target.name}")
        temporary.unlink(missing_ok=True)
        try:
            os.link(path, temporary)  # same file system: no bytes copied
        except OSError:
            return super()._save_file(key, path, content_type)
        os.replace(temporary, target)
        return target.stat().st_size

    def _open(self, key: str) -> IO[bytes]:
        return self.local_path(key).open("rb")

    def _delete(self, key: str) -> None:
        self.local_path(key).unlink(missing_ok=True)

    def _exists(self, key: str) -> bool:
        return self.local_path(key).is_file()

    def _size(self, key: str) -> int:
        return self.local_path(key).stat().st_size

    def _files(self) -> Iterator[tuple[str, int]]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            # Keys never start with "."; the spool and half-written files do.
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                yield relative.as_posix(), path.stat().st_size


class _HashingReader:
    """Counts and hashes what boto3 reads from a stream while uploading it."""

    def __init__(self, data: bytes | IO[bytes]) -> None:
        self._chunks = _chunks(data)
        self._buffer = b""
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.digest.update(out)
        self.size += len(out)
        return out


class S3Storage(Storage):
    """Objects in a bucket of any S3-compatible service."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
        presign_seconds: int = 300,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.presign_seconds = presign_seconds
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _object_key(self, key: str) -> str:
        return self.prefix + key

    def _save_file(self, key: str, path: Path, content_type: str) -> int:
        self.client.upload_file(
            str(path), self.bucket, self._object_key(key), ExtraArgs={"ContentType": content_type}
        )
        return path.stat().st_size

    def _save(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredFile:
        reader = _HashingReader(data)
        self.client.upload_fileobj(
            reader, self.bucket, self._object_key(key), ExtraArgs={"ContentType": content_type}
        )
        return StoredFile(key, reader.size, reader.digest.hexdigest(), content_type)

    def _open(self, key: str) -> IO[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise NotInStorage(f"s3: no file {key}") from exc
        return response["Body"]

    def _delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def _exists(self, key: str) -> bool:
        return self._head(key) is not None

    def _files(self) -> Iterator[tuple[str, int]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :], int(item["Size"])

    def _size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise NotInStorage(f"s3: no file {key}")
        return int(head["ContentLength"])

    def download_url(self, key: str, *, filename: str, content_type: str) -> str:
        check_key(key)
        try:
            return self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self._object_key(key),
                    "ResponseContentDisposition": content_disposition(filename),
                    "ResponseContentType": content_type,
                },
                ExpiresIn=self.presign_seconds,
            )
        except Exception as exc:
            raise StorageError(f"s3: could not sign a URL for {key}: {exc}") from exc


def storage_from_config(config: dict[str, Any]) -> Storage:
    backend = config["STORAGE_BACKEND"]
    if backend == "local":
        return LocalStorage(config["UPLOAD_FOLDER"])
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise StorageError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        return S3Storage(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
            access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            prefix=config.get("S3_PREFIX", ""),
            presign_seconds=config.get("S3_PRESIGN_SECONDS", 300),
        )
    raise StorageError(f"unknown STORAGE_BACKEND {backend!r}; choose local or s3")
