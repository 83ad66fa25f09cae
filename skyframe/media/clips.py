"""From a stored clip upload to its stored files: the web MP4 and the poster
frame's renditions (through the image pipeline, so a clip's card is an
image's). Whatever it wrote is removed again if it fails."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyvips

from skyframe.media.formats import PNG, Format
from skyframe.media.pipeline import (
    MediaSettings,
    ProcessedUpload,
    StoredRendition,
    release_freed_memory,
    remove_stored,
    render_file_to_storage,
)
from skyframe.media.video import ClipInfo, Transcoded, probe, transcode
from skyframe.storage import Storage

CLIP_FILE = "clip.mp4"
CLIP_TYPE = "video/mp4"


@dataclass
class ProcessedClip:
    transcoded: Transcoded
    poster: ProcessedUpload
    stored: list[StoredRendition] = field(default_factory=list)  # the MP4 and the poster's


def render_clip_to_storage(
    storage: Storage, prefix: str, upload_key: str, fmt: Format, settings: MediaSettings
) -> ProcessedClip:
    """Probe the stored upload again (the stored file is what gets decoded),
    transcode it and store the MP4 and poster renditions under ``prefix/``."""
    written: list[str] = []
    with (
        storage.local_copy(upload_key) as path,
        tempfile.TemporaryDirectory(prefix="skyframe-clip-") as workdir,
    ):
        info: ClipInfo = probe(path, fmt, settings.video_limits)
        output = Path(workdir) / CLIP_FILE
        try:
            done = transcode(path, output, info, settings.video_encode)
        finally:
            release_freed_memory()
        poster_path = Path(workdir) / "poster.png"
        height, width, _ = done.poster.shape
        pyvips.Image.new_from_memory(done.poster.tobytes(), width, height, 3, "uchar").pngsave(
            str(poster_path), compression=1
        )
        done.poster = None  # the frame is in the file now
        try:
            key = f"{prefix}/{CLIP_FILE}"
            with output.open("rb") as handle:
                saved = storage.save(key, handle, CLIP_TYPE)
            written.append(key)
            clip = StoredRendition(
                "video", key, CLIP_TYPE, done.width, done.height, saved.size, saved.sha256
            )
            poster = render_file_to_storage(storage, prefix, poster_path, PNG, settings)
        except BaseException:
            remove_stored(storage, written)
            raise
    return ProcessedClip(done, poster, [clip, *poster.stored])
