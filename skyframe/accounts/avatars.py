"""Avatars: an uploaded picture cropped to a square, Gravatar for those who
opt in, and otherwise a default drawn locally from the user id (an 8×8
mirrored two-colour pattern, like GitHub's identicons)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pyvips

from skyframe.media import images
from skyframe.media.errors import MediaError
from skyframe.media.formats import JPEG, PNG, WEBP, identify
from skyframe.media.pipeline import MediaSettings
from skyframe.storage import Storage

AVATAR_EDGE = 256
AVATAR_MAX_PIXELS = 50_000_000
ACCEPTED = (JPEG, PNG, WEBP)
GRID = 8
DEFAULT_DECODE_BUDGET = MediaSettings().decode_budget_bytes


def store_avatar(
    storage: Storage,
    path: Path,
    filename: str,
    declared_type: str | None,
    budget_bytes: int = DEFAULT_DECODE_BUDGET,
) -> str:
    """Crop the picture to a centred square, re-encode it without metadata and
    store it; returns the new key. The decode memory is checked against
    ``budget_bytes`` from the header first (MediaError beyond), and the
    picture is decoded small (shrink on load) and sequentially."""
    with path.open("rb") as handle:
        fmt = identify(handle.read(80), filename, declared_type)
    if fmt not in ACCEPTED:
        raise MediaError("Avatars can be JPEG, PNG or WebP.")
    images.inspect(path, fmt, AVATAR_MAX_PIXELS, budget_bytes)
    try:
        # The bytes were recognised above, so thumbnail() picks that format's loader.
        image = pyvips.Image.thumbnail(
            str(path), AVATAR_EDGE, height=AVATAR_EDGE, crop="centre", fail_on="error"
        )
        square = images.to_display_8bit(image)
        data = square.jpegsave_buffer(Q=85, keep="none", interlace=True)
    except pyvips.Error as exc:
        raise MediaError("That picture could not be read; it may be damaged.") from exc
    key = f"avatars/{uuid.uuid4().hex}.jpg"
    storage.save(key, data, "image/jpeg")
    return key


def gravatar_url(email: str, size: int = AVATAR_EDGE) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"https://www.gravatar.com/avatar/{digest}?s={size}&d=identicon"


def default_avatar_png(user_id: int) -> bytes:
    """A deterministic 256 px PNG for a user id."""
    seed = hashlib.sha256(f"skyframe-avatar-{user_id}".encode()).digest()
    hue = seed[0] / 255
    foreground = _hsl_to_rgb(hue, 0.55, 0.62)
    background = (18, 26, 48)
    half = (GRID + 1) // 2
    bits = int.from_bytes(seed[1:9], "big")
    rows = []
    for y in range(GRID):
        left = [(bits >> (y * half + x)) & 1 for x in range(half)]
        row = left + left[: GRID - half][::-1]
        rows.append([foreground if cell else background for cell in row])
    flat = bytes(channel for row in rows for pixel in row for channel in pixel)
    grid = pyvips.Image.new_from_memory(flat, GRID, GRID, 3, "uchar")
    scale = AVATAR_EDGE // GRID
    return grid.zoom(scale, scale).pngsave_buffer(compression=9, keep="none")


def _hsl_to_rgb(h: float, s: float, lightness: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hls_to_rgb(h, lightness, s)
    return round(r * 255), round(g * 255), round(b * 255)
