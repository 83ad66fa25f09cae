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


def _read_float32(path: Path, info: FitsImage) -> np.ndarray:
    """The image data as float32, physical values, read once (the unscaled
    integers are freed when this returns)."""
    import numpy as np
    from astropy.io import fits

    try:
        with (
            path.open("rb") as handle,
            fits.open(handle, memmap=False, do_not_scale_image_data=True) as hdus,
        ):
            hdu = hdus[info.hdu_index]
            raw = hdu.data
            if raw is None or raw.size != info.samples:
                raise MediaError("The FITS image data does not match its header.")
            scale = float(hdu.header.get("BSCALE", 1) or 1)
            zero = float(hdu.header.get("BZERO", 0) or 0)
            data = raw.astype(np.float32)
            integers = raw.dtype.kind in "iu"
            del raw, hdu
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError(f"The FITS image data could not be read ({exc}).") from exc
    if scale != 1:
        data *= scale
    if zero:
        data += zero
    if not integers:
        data[~np.isfinite(data)] = 0.0  # blank pixels in float data
    return data


def stretched_pixels(path: Path, info: FitsImage) -> np.ndarray:
    """uint8 pixels, height × width × channels, stretched for display, rows in
    FITS order (bottom row first: the caller flips them).

    Memory is about one float32 copy of the data: everything after reading
    happens in place.
    """
    import numpy as np
    from astropy.visualization import AsinhStretch

    data = _read_float32(path, info)
    # One interval for all channels keeps colour balance; estimated on a
    # strided sample (a view) so no sorted copy of the whole image is made.
    step = max(1, data.size // PERCENTILE_SAMPLE)
    low, high = np.percentile(data.reshape(-1)[::step], [CLIP_LOW_PERCENT, CLIP_HIGH_PERCENT])
    span = float(high - low) or 1.0
    data -= low
    data /= span
    np.clip(data, 0.0, 1.0, out=data)
    AsinhStretch(a=ASINH_SOFTENING)(data, out=data, clip=True)
    data *= 255
    if data.ndim == 3:
        data = np.moveaxis(data, 0, -1)  # planes last; astype below makes it contiguous
    pixels = np.ascontiguousarray(data, dtype=np.uint8)
    del data
    return pixels if pixels.ndim == 3 else pixels[:, :, np.newaxis]
