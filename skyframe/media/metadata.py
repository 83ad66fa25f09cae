"""Capture details read from an upload before it is re-encoded (which drops
every embedded tag): EXIF from camera files, header cards from FITS."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from skyframe.media.fits import inspect
from skyframe.media.formats import FITS, Format

if TYPE_CHECKING:
    from skyframe.media.fits import FitsImage

TEXT_MAX = 120

# EXIF tag numbers (Exif 2.32).
EXIF_IFD = 0x8769
MAKE, MODEL = 0x010F, 0x0110
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
EXPOSURE_TIME, ISO_SPEED = 0x829A, 0x8827
LENS_MODEL = 0xA434


@dataclass
class CaptureMetadata:
    captured_at: datetime | None = None
    camera: str | None = None
    telescope: str | None = None
    filters: str | None = None
    exposure_seconds: float | None = None
    gain: str | None = None
    object_name: str | None = None

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def read_metadata(path: Path, fmt: Format, layout: FitsImage | None = None) -> CaptureMetadata:
    """Never raises: unreadable or odd tags simply give no value. For FITS,
    ``layout`` carries the cards the header scan already read."""
    try:
        return _read_fits(path, layout) if fmt is FITS else _read_exif(path, fmt)
    except Exception:
        return CaptureMetadata()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = " ".join(str(value).replace("\x00", " ").split())
    return text[:TEXT_MAX] or None


def _exif_datetime(value, offset) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        naive = datetime.strptime(text, "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (zone added below)
    except ValueError:
        return None
    zone = UTC
    offset_text = _text(offset)
    if offset_text and len(offset_text) == 6 and offset_text[0] in "+-":
        try:
            sign = 1 if offset_text[0] == "+" else -1
            hours, minutes = int(offset_text[1:3]), int(offset_text[4:6])
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        except ValueError:
            zone = UTC
    # Without an offset the camera's clock zone is unknown; UTC is the least wrong guess.
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _read_exif(path: Path, fmt: Format) -> CaptureMetadata:
    from PIL import Image

    with warnings.catch_warnings():
        # The pixel limit was checked before; Pillow only reads tags here.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path, formats=[fmt.name.upper()]) as image:
            exif = image.getexif()
    details = exif.get_ifd(EXIF_IFD)
    make, model = _text(exif.get(MAKE)), _text(exif.get(MODEL))
    camera = (
        model
        if make and model and model.lower().startswith(make.lower())
        else (" ".join(part for part in (make, model) if part) or None)
    )
    exposure = details.get(EXPOSURE_TIME)
    iso = details.get(ISO_SPEED)
    if isinstance(iso, tuple):
        iso = iso[0] if iso else None
    return CaptureMetadata(
        captured_at=_exif_datetime(
            details.get(DATETIME_ORIGINAL), details.get(OFFSET_TIME_ORIGINAL)
        ),
        camera=_text(camera),
        telescope=_text(details.get(LENS_MODEL)),
        exposure_seconds=float(exposure) if exposure else None,
        gain=f"ISO {int(iso)}" if iso else None,
    )


def _fits_datetime(value) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", ""))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _read_fits(path: Path, layout: FitsImage | None) -> CaptureMetadata:
    header = (layout or inspect(path)).cards
    exposure = header.get("EXPTIME", header.get("EXPOSURE"))
    gain = header.get("GAIN")
    return CaptureMetadata(
        captured_at=_fits_datetime(header.get("DATE-OBS")),
        camera=_text(header.get("INSTRUME")),
        telescope=_text(header.get("TELESCOP")),
        filters=_text(header.get("FILTER")),
        exposure_seconds=float(exposure) if isinstance(exposure, int | float) else None,
        gain=f"Gain {gain:g}" if isinstance(gain, int | float) else _text(gain),
        object_name=_text(header.get("OBJECT")),
    )
