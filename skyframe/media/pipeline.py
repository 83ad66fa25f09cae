"""From an uploaded file to stored renditions.

``accept_upload`` runs while the request is open: it stores the upload as it
came and refuses anything that is not an image SkyFrame takes, or is too
large, without decoding pixels. ``render_to_storage`` is the heavy part
(run by the job): capture metadata, one decode, renditions written to storage.
Whatever it wrote is removed again if it fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from skyframe.media import images
from skyframe.media.errors import MediaError
from skyframe.media.formats import HEAD_BYTES, Format, identify
from skyframe.media.metadata import CaptureMetadata, read_metadata
from skyframe.media.placeholder import Placeholder
from skyframe.storage import Storage

DEFAULT_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class MediaSettings:
    max_pixels: int = DEFAULT_MAX_PIXELS
    display_edge: int = 2048
    thumb_edge: int = 480
    original_quality: int = 92
    display_quality: int = 82
    thumb_quality: int = 78
    webp_effort: int = 2

    @classmethod
    def from_config(cls, config) -> MediaSettings:
        return cls(
            max_pixels=config["UPLOAD_MAX_PIXELS"],
            display_edge=config["MEDIA_DISPLAY_EDGE"],
            thumb_edge=config["MEDIA_THUMB_EDGE"],
        )


@dataclass(frozen=True)
class AcceptedUpload:
    key: str  # where the upload waits in storage until it is processed
    fmt: Format
    width: int
    height: int


@dataclass(frozen=True)
class StoredRendition:
    kind: str
    key: str
    content_type: str
    width: int
    height: int
    size: int
    sha256: str


@dataclass
class ProcessedUpload:
    width: int
    height: int
    metadata: CaptureMetadata
    placeholder: Placeholder | None
    stored: list[StoredRendition] = field(default_factory=list)


def accept_upload(
    storage: Storage,
    incoming_prefix: str,
    path: Path,
    filename: str,
    declared_type: str | None,
    settings: MediaSettings,
) -> AcceptedUpload:
    """Recognise an uploaded file, check its header and store it as it came.

    Raises MediaError, before anything is stored, if the file is not an image
    SkyFrame takes or is too large. No pixels are decoded here.
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    fmt = identify(head, filename, declared_type)
    info = images.inspect(path, fmt, settings.max_pixels)
    key = f"{incoming_prefix}.{fmt.name}"
    storage.save_file(key, path, "application/octet-stream")
    return AcceptedUpload(key, fmt, info.width, info.height)


def render_to_storage(
    storage: Storage, prefix: str, upload_key: str, fmt: Format, settings: MediaSettings
) -> ProcessedUpload:
    """Make every rendition of a stored upload and store it under ``prefix/``."""
    with storage.local_copy(upload_key) as path:
        metadata = read_metadata(path, fmt)
        rendered = images.render(
            path,
            fmt,
            original=images.RenditionSpec(
                0, jpeg_quality=settings.original_quality, jpeg_progressive=False
            ),
            display=images.RenditionSpec(
                settings.display_edge,
                jpeg_quality=settings.display_quality,
                webp_effort=settings.webp_effort,
            ),
            thumb=images.RenditionSpec(
                settings.thumb_edge,
                jpeg_quality=settings.thumb_quality,
                webp_quality=settings.thumb_quality,
                webp_effort=settings.webp_effort,
            ),
        )
    result = ProcessedUpload(rendered.width, rendered.height, metadata, rendered.placeholder)
    try:
        for rendition in rendered.renditions:
            key = f"{prefix}/{rendition.kind}.{rendition.extension}"
            saved = storage.save(key, rendition.data, rendition.content_type)
            result.stored.append(
                StoredRendition(
                    rendition.kind,
                    key,
                    rendition.content_type,
                    rendition.width,
                    rendition.height,
                    saved.size,
                    saved.sha256,
                )
            )
    except BaseException:
        remove_stored(storage, [s.key for s in result.stored])
        raise
    return result


def remove_stored(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # noqa: S112 (best effort: the caller is already failing)
            continue


def process_upload(
    storage: Storage,
    prefix: str,
    path: Path,
    filename: str,
    declared_type: str | None,
    settings: MediaSettings | None = None,
) -> ProcessedUpload:
    """The whole pipeline in one call, as an upload goes through it (benchmarks)."""
    settings = settings or MediaSettings()
    upload = accept_upload(storage, f"incoming/{prefix}", path, filename, declared_type, settings)
    try:
        return render_to_storage(storage, prefix, upload.key, upload.fmt, settings)
    finally:
        storage.delete(upload.key)


__all__ = [
    "AcceptedUpload",
    "MediaError",
    "MediaSettings",
    "ProcessedUpload",
    "StoredRendition",
    "accept_upload",
    "process_upload",
    "remove_stored",
    "render_to_storage",
]
