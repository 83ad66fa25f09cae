"""FITS files: a bounded scan of the headers, the first image's layout and
cards, and a viewable 8-bit preview made with a percentile clip and an asinh
stretch (astropy.visualization).

The scan reads the file's own structure (2880-byte blocks of 80-character
cards up to ``END``; ``BITPIX``, ``NAXISn``, ``PCOUNT`` and ``GCOUNT`` give
the size of the data to skip) before astropy sees the file, and refuses more
than ``MAX_HDUS`` HDUs or ``MAX_CARDS`` cards in one header: astropy took
6.8 s over 5,000 empty extensions and 3.9 s over a 60,000-card header. The
scan answers in milliseconds (benchmarks/media_bench.py) and is the only
header parse besides astropy's own when the pixels are read.

Every refusal is a fixed sentence for the uploader (it may name the FITS
keyword at fault); library errors go to the log, never to the user.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from skyframe.media.errors import MediaError

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

BLOCK = 2880
CARD = 80
CARDS_PER_BLOCK = BLOCK // CARD
MAX_HDUS = 16
MAX_CARDS = 10_000
BITPIX_BYTES = {8: 1, 16: 2, 32: 4, 64: 8, -32: 4, -64: 8}
# Tile compressions astropy decompresses.
COMPRESSIONS = ("RICE_1", "GZIP_1", "GZIP_2", "PLIO_1", "HCOMPRESS_1", "NOCOMPRESS")

# Clip the darkest and brightest fractions before stretching (typical for
# linear astronomical data, where a few hot pixels dominate the range).
CLIP_LOW_PERCENT, CLIP_HIGH_PERCENT = 0.25, 99.9
ASINH_SOFTENING = 0.1
# The clip levels are estimated from about this many samples (whole rows,
# evenly spaced), and the pixels are converted this many samples at a time.
PERCENTILE_SAMPLE = 1_000_000
BLOCK_SAMPLES = 2_000_000

UNREADABLE = "The FITS file could not be read; it may be damaged."
NO_IMAGE = "This FITS file holds no 2-D image."


@dataclass(frozen=True)
class Hdu:
    index: int
    cards: dict[str, object]  # keyword → value (first occurrence), value cards only
    card_count: int
    data_offset: int
    data_size: int  # bytes, without the padding to a whole block


@dataclass(frozen=True)
class FitsImage:
    """The first image of a FITS file, as its header describes it."""

    hdu_index: int
    width: int
    height: int
    channels: int
    bitpix: int  # of the pixel values (ZBITPIX for tile-compressed images)
    compressed: bool = False
    tile_samples: int = 0  # values in one compressed tile (0: not compressed)
    tile_rows: int = 1  # image rows one compressed tile spans
    data_size: int = 0  # bytes of the HDU's data as stored (the compressed heap)
    cube: bool = False  # NAXIS = 3 (planes first), even with one plane
    cards: dict[str, object] = field(default_factory=dict)  # primary, then the image's

    @property
    def samples(self) -> int:
        """Values to decode: what the memory needed grows with."""
        return self.width * self.height * self.channels

    @property
    def sample_bytes(self) -> int:
        return BITPIX_BYTES[self.bitpix]


def _value(text: str) -> object:
    """The value of a fixed- or free-format card (strings, logicals, numbers);
    None when it is none of them (complex numbers, damaged cards)."""
    text = text.strip()
    if text.startswith("'"):
        out, i = [], 1
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                return "".join(out).rstrip()
            out.append(text[i])
            i += 1
        return None  # no closing quote
    text = text.split("/", 1)[0].strip()
    if text in ("T", "F"):
        return text == "T"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text.replace("D", "E").replace("d", "e"))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _read_header(handle: BinaryIO) -> tuple[dict[str, object], int] | None:
    """The value cards of one header, up to END; None at the end of the file."""
    cards: dict[str, object] = {}
    count = 0
    first = True
    while True:
        block = handle.read(BLOCK)
        if first and not block.strip(b"\x00 "):
            return None  # end of file, or padding after the last HDU
        if len(block) < BLOCK:
            raise MediaError("The FITS file ends inside a header; it may be truncated.")
        first = False
        for start in range(0, BLOCK, CARD):
            card = block[start : start + CARD].decode("ascii", "replace")
            keyword = card[:8].rstrip()
            if keyword == "END":
                return cards, count
            count += 1
            if count > MAX_CARDS:
                raise MediaError(
                    f"A header in this FITS file has more than {MAX_CARDS:,} cards; "
                    f"SkyFrame reads at most {MAX_CARDS:,} per HDU."
                )
            if card[8:10] == "= " and keyword not in cards:
                cards[keyword] = _value(card[10:])


def _integer(cards: dict, keyword: str, *, low: int = 0, high: int = 2**40) -> int:
    value = cards.get(keyword)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise MediaError(f"The FITS header has an invalid {keyword} card.")
    return value


def _data_size(cards: dict, primary: bool) -> int:
    bitpix = _integer(cards, "BITPIX", low=-64, high=64)
    if bitpix not in BITPIX_BYTES:
        raise MediaError("The FITS header has an invalid BITPIX card.")
    naxis = _integer(cards, "NAXIS", high=999)
    if naxis == 0:
        return 0
    axes = [_integer(cards, f"NAXIS{n}") for n in range(1, naxis + 1)]
    groups = primary and cards.get("GROUPS") is True and axes[0] == 0
    count = math.prod(axes[1:] if groups else axes)
    pcount = 0 if primary and not groups else _integer(cards, "PCOUNT", high=2**40)
    gcount = 1 if primary and not groups else _integer(cards, "GCOUNT", low=1, high=2**40)
    return BITPIX_BYTES[bitpix] * gcount * (pcount + count)


def scan_hdus(handle: BinaryIO, file_size: int) -> list[Hdu]:
    """Every HDU's cards and data position, reading headers only (bounded:
    at most MAX_HDUS headers of MAX_CARDS cards; data is skipped by seeking)."""
    hdus: list[Hdu] = []
    offset = 0
    while offset < file_size:
        handle.seek(offset)
        if len(hdus) == MAX_HDUS:
            if handle.read(8) == b"XTENSION":
                raise MediaError(
                    f"This FITS file has more than {MAX_HDUS} HDUs (extensions); "
                    f"SkyFrame reads at most {MAX_HDUS}."
                )
            break
        header = _read_header(handle)
        if header is None:
            break
        cards, count = header
        primary = not hdus
        if primary and cards.get("SIMPLE") is not True:
            raise MediaError(UNREADABLE)
        if not primary and not isinstance(cards.get("XTENSION"), str):
            break  # not an extension: bytes after the last HDU are ignored
        size = _data_size(cards, primary)
        data_offset = handle.tell()
        if data_offset + size > file_size:
            raise MediaError("The FITS file is shorter than its headers say; it may be truncated.")
        hdus.append(Hdu(len(hdus), cards, count, data_offset, size))
        offset = data_offset + -(-size // BLOCK) * BLOCK
    if not hdus:
        raise MediaError(UNREADABLE)
    return hdus


def _image_of(hdu: Hdu, primary: dict) -> FitsImage | None:
    """The image this HDU holds, if it holds a 2-D image or a cube."""
    cards = hdu.cards
    compressed = cards.get("XTENSION") == "BINTABLE" and cards.get("ZIMAGE") is True
    if compressed:
        prefix = "Z"
    elif hdu.index == 0 or cards.get("XTENSION") == "IMAGE":
        prefix = ""
    else:
        return None
    naxis = _integer(cards, f"{prefix}NAXIS", high=999)
    if naxis not in (2, 3) or (hdu.index == 0 and cards.get("GROUPS") is True):
        return None
    axes = [_integer(cards, f"{prefix}NAXIS{n}") for n in range(1, naxis + 1)]
    if 0 in axes:
        return None
    bitpix = _integer(cards, f"{prefix}BITPIX", low=-64, high=64)
    if bitpix not in BITPIX_BYTES:
        raise MediaError(f"The FITS header has an invalid {prefix}BITPIX card.")
    width, height = axes[0], axes[1]
    channels = axes[2] if naxis == 3 else 1
    if channels not in (1, 3):
        raise MediaError("FITS cubes are accepted only with 1 or 3 planes (mono or RGB).")
    tile_samples, tile_rows = 0, 1
    if compressed:
        if cards.get("ZCMPTYPE") not in COMPRESSIONS:
            raise MediaError(
                "The FITS image is compressed with a ZCMPTYPE SkyFrame does not read; "
                f"use one of {', '.join(COMPRESSIONS[:-1])}."
            )
        tiles = [
            _integer(cards, f"ZTILE{n}", low=1) if f"ZTILE{n}" in cards else default
            for n, default in zip(range(1, naxis + 1), [width, 1, 1], strict=False)
        ]
        tile_samples = math.prod(min(t, a) for t, a in zip(tiles, axes, strict=True))
        tile_rows = min(tiles[1], height)
    image_cards = {**primary, **cards} if hdu.index else dict(cards)
    return FitsImage(
        hdu.index,
        width,
        height,
        channels,
        bitpix,
        compressed,
        tile_samples,
        tile_rows,
        hdu.data_size,
        naxis == 3,
        image_cards,
    )


def inspect(path: Path) -> FitsImage:
    """The first image's layout and cards, from the headers alone (no data is read)."""
    try:
        with path.open("rb") as handle:
            hdus = scan_hdus(handle, path.stat().st_size)
    except MediaError:
        raise
    except Exception:  # unreadable bytes: the user gets the fixed sentence
        log.warning("FITS header scan of %s failed", path, exc_info=True)
        raise MediaError(UNREADABLE) from None
    for hdu in hdus:
        image = _image_of(hdu, hdus[0].cards)
        if image is not None:
            return image
    raise MediaError(NO_IMAGE)


def _rows(hdu, info: FitsImage, y0: int, y1: int) -> np.ndarray:
    """Rows y0…y1 of every plane as float32 physical values (planes first)."""
    import numpy as np

    block = hdu.section[:, y0:y1, :] if info.cube else hdu.section[y0:y1, :]
    data = np.asarray(block, dtype=np.float32)
    if data.ndim == 2:
        data = data[np.newaxis]
    if info.bitpix < 0 or data.dtype.kind == "f":
        data[~np.isfinite(data)] = 0.0  # blank pixels
    return data


def _clip_levels(hdu, info: FitsImage) -> tuple[float, float]:
    """Percentile clip levels from evenly spaced rows (one interval for all
    planes keeps the colour balance)."""
    import numpy as np

    per_row = info.width * info.channels
    wanted = max(1, min(info.height, -(-PERCENTILE_SAMPLE // per_row)))
    rows = np.unique(np.linspace(0, info.height - 1, wanted).astype(int))
    sample = np.concatenate([_rows(hdu, info, int(y), int(y) + 1).reshape(-1) for y in rows])
    step = max(1, sample.size // PERCENTILE_SAMPLE)
    low, high = np.percentile(sample[::step], [CLIP_LOW_PERCENT, CLIP_HIGH_PERCENT])
    return float(low), float(high)


def stretched_pixels(path: Path, info: FitsImage) -> np.ndarray:
    """uint8 pixels, height × width × channels, stretched for display and
    upright (FITS stores the bottom row first).

    The data is read a block of rows at a time (decompressing only the tiles
    a block needs), so memory is the 8-bit result plus one block, whatever
    the data type: a float64 100 MP image no longer needs its float64 array
    and a float32 copy (1.2 GB).
    """
    import numpy as np
    from astropy.io import fits
    from astropy.visualization import AsinhStretch

    stretch = AsinhStretch(a=ASINH_SOFTENING)
    out = np.empty((info.height, info.width, info.channels), dtype=np.uint8)
    rows_per_block = max(info.tile_rows, BLOCK_SAMPLES // (info.width * info.channels) or 1)
    try:
        with (
            warnings.catch_warnings(),
            path.open("rb") as handle,
            fits.open(handle, memmap=False, lazy_load_hdus=True) as hdus,
        ):
            warnings.simplefilter("ignore")  # astropy's header fix-ups are not the user's problem
            hdu = hdus[info.hdu_index]
            low, high = _clip_levels(hdu, info)
            span = (high - low) or 1.0
            for y0 in range(0, info.height, rows_per_block):
                y1 = min(info.height, y0 + rows_per_block)
                data = _rows(hdu, info, y0, y1)
                if data.shape != (info.channels, y1 - y0, info.width):
                    raise MediaError("The FITS image data does not match its header.")
                data -= low
                data /= span
                np.clip(data, 0.0, 1.0, out=data)
                stretch(data, out=data, clip=True)
                data *= 255
                # Planes last, and bottom row first → top row first.
                out[info.height - y1 : info.height - y0] = np.moveaxis(data, 0, -1)[::-1]
    except MediaError:
        raise
    except MemoryError:
        raise
    except Exception:
        log.warning("reading the FITS image in %s failed", path, exc_info=True)
        raise MediaError("The FITS image data could not be read; it may be damaged.") from None
    return out
