"""From an uploaded file to stored renditions.

``accept_upload`` runs while the request is open: it stores the upload as it
came and refuses anything that is not an image SkyFrame takes, is too large,
or would need more decoder memory than ``decode_budget_mb``, without decoding
pixels. ``render_to_storage`` is the heavy part (run by the job): the header
read once more (the stored file is what gets decoded), capture metadata, one
decode, renditions written to storage. At most ``max_concurrent`` of those
decodes run at a time in a process; the others wait. Whatever it wrote is
removed again if it fails.
"""

from __future__ import annotations

import ctypes
import functools
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from skyframe.media import images
from skyframe.media.budget import MB
from skyframe.media.errors import MediaError
from skyframe.media.formats import HEAD_BYTES, Format, identify
from skyframe.media.metadata import CaptureMetadata, read_metadata
from skyframe.media.placeholder import Placeholder
from skyframe.media.video import ClipInfo, EncodeSettings, VideoLimits, probe
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
    decode_budget_mb: int = 400  # 0: no budget
    max_concurrent: int = 1  # decodes at a time per process (0: no limit)
    video_max_bytes: int = 200 * MB
    video_limits: VideoLimits = field(default_factory=VideoLimits)
    video_encode: EncodeSettings = field(default_factory=EncodeSettings)

    @classmethod
    def from_config(cls, config) -> MediaSettings:
        return cls(
            max_pixels=config["UPLOAD_MAX_PIXELS"],
            display_edge=config["MEDIA_DISPLAY_EDGE"],
            thumb_edge=config["MEDIA_THUMB_EDGE"],
            decode_budget_mb=config["MEDIA_DECODE_BUDGET_MB"],
            max_concurrent=config["MEDIA_MAX_CONCURRENT"],
            video_max_bytes=config["VIDEO_MAX_BYTES"],
            video_limits=VideoLimits(max_seconds=config["VIDEO_MAX_SECONDS"]),
            video_encode=EncodeSettings(
                threads=config["VIDEO_THREADS"],
                # Under RQ's own timeout, so the post fails with this reason
                # before RQ kills the work-horse.
                time_limit_s=TRANSCODE_SHARE_OF_JOB_TIMEOUT * config["VIDEO_JOB_TIMEOUT"],
            ),
        )

    @property
    def decode_budget_bytes(self) -> int:
        return self.decode_budget_mb * MB


TRANSCODE_SHARE_OF_JOB_TIMEOUT = 0.9

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_freed_memory() -> None:
    """Hand the heap pages a decode freed back to the system. glibc keeps
    them otherwise, and decodes in turn in different threads stacked up
    (ten 100 MP uploads one after another: +433 MB where one takes +326 MB)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def decode_slot(settings: MediaSettings) -> threading.BoundedSemaphore | None:
    """The process-wide semaphore that bounds concurrent decodes (None: unbounded)."""
    if settings.max_concurrent <= 0:
        return None
    with _slots_lock:
        return _slots.setdefault(
            settings.max_concurrent, threading.BoundedSemaphore(settings.max_concurrent)
        )


@dataclass(frozen=True)
class AcceptedUpload:
    key: str  # where the upload waits in storage until it is processed
    fmt: Format
    width: int
    height: int
    clip: ClipInfo | None = None  # what the probe found in a clip


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


def identify_file(path: Path, filename: str, declared_type: str | None) -> Format:
    """What an uploaded file is, from its first bytes (its name and declared
    type only break ties); MediaError for anything SkyFrame does not take."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    return identify(head, filename, declared_type)


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
    SkyFrame takes or is too large. No pixels are decoded here; a clip is
    probed (its streams read, one frame decoded: skyframe.media.video).
    """
    fmt = identify_file(path, filename, declared_type)
    key = f"{incoming_prefix}.{fmt.name}"
    if fmt.is_video:
        size = path.stat().st_size
        if size > settings.video_max_bytes:
            raise MediaError(
                f"This clip is {_megabytes(size)}; clips may be at most "
                f"{_megabytes(settings.video_max_bytes)}."
            )
        clip = probe(path, fmt, settings.video_limits)
        storage.save_file(key, path, "application/octet-stream")
        return AcceptedUpload(key, fmt, clip.width, clip.height, clip)
    info = images.inspect(path, fmt, settings.max_pixels, settings.decode_budget_bytes)
    storage.save_file(key, path, "application/octet-stream")
    return AcceptedUpload(key, fmt, info.width, info.height)


def _megabytes(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / 1024:.0f} KB"


def render_to_storage(
    storage: Storage, prefix: str, upload_key: str, fmt: Format, settings: MediaSettings
) -> ProcessedUpload:
    """Make every rendition of a stored upload and store it under ``prefix/``."""
    with storage.local_copy(upload_key) as path:
        return render_file_to_storage(storage, prefix, path, fmt, settings)


def render_file_to_storage(
    storage: Storage, prefix: str, path: Path, fmt: Format, settings: MediaSettings
) -> ProcessedUpload:
    """Make every rendition of a local image file and store it under ``prefix/``
    (a clip's poster frame goes through here too)."""
    slot = decode_slot(settings)
    with tempfile.TemporaryDirectory(prefix="skyframe-render-") as workdir:
        info = images.inspect(path, fmt, settings.max_pixels, settings.decode_budget_bytes)
        metadata = read_metadata(path, fmt, info.fits)
        if slot is not None:
            slot.acquire()
        try:
            rendered = _render(path, fmt, info, Path(workdir), settings)
        finally:
            release_freed_memory()
            if slot is not None:
                slot.release()
        result = ProcessedUpload(rendered.width, rendered.height, metadata, rendered.placeholder)
        try:
            for rendition in rendered.renditions:
                key = f"{prefix}/{rendition.kind}.{rendition.extension}"
                if isinstance(rendition.data, Path):
                    with rendition.data.open("rb") as handle:
                        saved = storage.save(key, handle, rendition.content_type)
                else:
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


def _render(
    path: Path, fmt: Format, info: images.ImageInfo, workdir: Path, settings: MediaSettings
) -> images.Rendered:
    return images.render(
        path,
        fmt,
        info,
        workdir,
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
    "identify_file",
    "process_upload",
    "remove_stored",
    "render_file_to_storage",
    "render_to_storage",
]
