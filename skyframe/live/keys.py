"""Where a live frame's renditions are stored (one place for every reader)."""

from __future__ import annotations

# (rendition, content type, file suffix); display first, then the strip's thumbnail.
FRAME_RENDITIONS = (
    ("display", "image/jpeg", "jpg"),
    ("display", "image/webp", "webp"),
    ("thumb", "image/jpeg", "jpg"),
    ("thumb", "image/webp", "webp"),
)
DISPLAY_LONG_EDGE = 1600
THUMB_LONG_EDGE = 320


def frame_key(media_key: str, rendition: str, suffix: str) -> str:
    return f"live/{media_key}/{rendition}.{suffix}"


def frame_keys(media_key: str) -> list[str]:
    return [frame_key(media_key, rendition, suffix) for rendition, _, suffix in FRAME_RENDITIONS]
