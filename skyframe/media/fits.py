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
# The clip levels are estimated from about this many samples.
PERCENTILE_SAMPLE = 1_000_000


@dataclass(frozen=True)
class FitsImage:
    hdu_index: int
    width: int
    height: int
    channels: int

    @property
    def samples(self) -> int:
        """Values to decode: what the memory needed grows with (float32 each)."""
        return self.width * self.height * self.channels


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
    from astropy.visualization import AsinhStretch

    try:
        # No memory map: scaled integer data (BZERO/BSCALE) cannot be mapped.
        with path.open("rb") as handle, fits.open(handle, memmap=False) as hdus:
            data = hdus[info.hdu_index].data
            if data is None or data.size != info.samples:
                raise MediaError("The FITS image data does not match its header.")
            data = data.astype(np.float32, copy=False)
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError(f"The FITS image data could not be read ({exc}).") from exc
    np.nan_to_num(data, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    if data.ndim == 3:
        data = np.moveaxis(data, 0, -1)  # planes last (a view)
    # One interval for all channels keeps colour balance; estimated on a
    # strided sample so no sorted copy of the whole image is made.
    step = max(1, data.size // PERCENTILE_SAMPLE)
    sample = data.reshape(-1)[::step] if data.flags.c_contiguous else data.ravel()[::step]
    low, high = np.percentile(sample, [CLIP_LOW_PERCENT, CLIP_HIGH_PERCENT])
    span = float(high - low) or 1.0
    data -= low
    data /= span
    np.clip(data, 0.0, 1.0, out=data)
    AsinhStretch(a=ASINH_SOFTENING)(data, out=data, clip=True)
    data *= 255
    pixels = data.astype(np.uint8)
    # FITS rows run bottom to top.
    pixels = np.flipud(pixels)
    if pixels.ndim == 2:
        pixels = pixels[:, :, np.newaxis]
    return np.ascontiguousarray(pixels)
