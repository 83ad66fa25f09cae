"""FITS files: the header of the first image, and a viewable 8-bit preview
made with a percentile clip and an asinh stretch (astropy.visualization)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from skyframe.media.errors import MediaError

if TYPE_CHECKING:
    import numpy as np

# Clip the darkest and brightest fractions before stretching (typical for
# linear astronomical data, where a few hot pixels dominate the range).
CLIP_LOW_PERCENT, CLIP_HIGH_PERCENT = 0.25, 99.9
ASINH_SOFTENING = 0.1


@dataclass(frozen=True)
class FitsImage:
    hdu_index: int
    width: int
    height: int
    channels: int


def _first_image(hdus) -> tuple[int, object]:
    for index, hdu in enumerate(hdus):
        shape = getattr(hdu, "shape", None) or ()
        if hdu.is_image and len(shape) in (2, 3):
            return index, hdu
    raise MediaError("This FITS file holds no 2-D image.")


def inspect(path: Path) -> FitsImage:
    """Dimensions from the header alone (the data is not read)."""
    from astropy.io import fits

    try:
        # Our own handle: astropy leaks its file when a header is invalid.
        with path.open("rb") as handle, fits.open(handle, lazy_load_hdus=True) as hdus:
            index, hdu = _first_image(hdus)
            shape = hdu.shape  # from NAXISn (ZNAXISn for tile-compressed images)
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError(f"The FITS file could not be read ({exc}).") from exc
    if len(shape) == 3:
        channels, height, width = shape
        if channels not in (1, 3):
            raise MediaError("FITS cubes are accepted only with 1 or 3 planes (mono or RGB).")
    else:
        (height, width), channels = shape, 1
    return FitsImage(index, int(width), int(height), int(channels))


def image_header(path: Path) -> dict:
    from astropy.io import fits

    with path.open("rb") as handle, fits.open(handle, lazy_load_hdus=True) as hdus:
        primary = dict(hdus[0].header)
        _, hdu = _first_image(hdus)
        return {**primary, **dict(hdu.header)}


def stretched_pixels(path: Path, info: FitsImage) -> np.ndarray:
    """uint8 pixels, height × width × channels, top row first, stretched for display."""
    import numpy as np
    from astropy.io import fits
    from astropy.visualization import AsinhStretch, AsymmetricPercentileInterval

    try:
        # No memory map: scaled integer data (BZERO/BSCALE) cannot be mapped.
        with path.open("rb") as handle, fits.open(handle, memmap=False) as hdus:
            data = np.asarray(hdus[info.hdu_index].data, dtype=np.float32)
    except Exception as exc:
        raise MediaError(f"The FITS image data could not be read ({exc}).") from exc
    if data.shape[-2:] != (info.height, info.width):
        raise MediaError("The FITS image data does not match its header.")
    data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
    if data.ndim == 3:
        data = np.moveaxis(data, 0, -1)  # planes last
    # One interval for all channels keeps colour balance.
    interval = AsymmetricPercentileInterval(CLIP_LOW_PERCENT, CLIP_HIGH_PERCENT)
    scaled = AsinhStretch(a=ASINH_SOFTENING)(interval(data, clip=True), clip=True)
    pixels = np.round(scaled * 255).astype(np.uint8)
    # FITS rows run bottom to top.
    pixels = np.flipud(pixels)
    if pixels.ndim == 2:
        pixels = pixels[:, :, np.newaxis]
    return np.ascontiguousarray(pixels)
