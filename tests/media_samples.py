"""Generated test images (never downloaded): star fields in every accepted
format, plus hostile files. Used by the tests and by benchmarks/media_bench.py."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime
from pathlib import Path

import numpy as np
import pyvips
from PIL import Image

RNG_SEED = 31  # M31


def star_field(
    width: int,
    height: int,
    *,
    bits: int = 8,
    channels: int = 3,
    stars: int = 400,
    seed: int = RNG_SEED,
) -> np.ndarray:
    """A dark sky with a soft glow, noise and gaussian stars (height × width × channels)."""
    rng = np.random.default_rng(seed)
    peak = 255 if bits == 8 else 65535
    y, x = np.ogrid[0:height, 0:width]
    cy, cx = height / 2, width / 2
    glow = np.exp(-(((x - cx) / (0.35 * width)) ** 2 + ((y - cy) / (0.35 * height)) ** 2))
    base = (0.06 + 0.18 * glow).astype(np.float32)
    sky = np.repeat(base[:, :, np.newaxis], channels, axis=2)
    sky += rng.normal(0, 0.01, size=(height, width, channels)).astype(np.float32)
    for _ in range(stars):
        sy, sx = rng.integers(0, height), rng.integers(0, width)
        radius = int(rng.integers(1, 4))
        y0, y1 = max(0, sy - 3 * radius), min(height, sy + 3 * radius + 1)
        x0, x1 = max(0, sx - 3 * radius), min(width, sx + 3 * radius + 1)
        yy, xx = np.ogrid[y0:y1, x0:x1]
        blob = np.exp(-((yy - sy) ** 2 + (xx - sx) ** 2) / (2 * radius**2)).astype(np.float32)
        sky[y0:y1, x0:x1, :] += blob[:, :, np.newaxis] * rng.uniform(0.3, 0.9)
    dtype = np.uint8 if bits == 8 else np.uint16
    return (np.clip(sky, 0, 1) * peak).astype(dtype)


def _vips(pixels: np.ndarray) -> pyvips.Image:
    bands = pixels.shape[2]
    sixteen = pixels.dtype == np.uint16
    interpretation = {
        (1, False): "b-w",
        (3, False): "srgb",
        (1, True): "grey16",
        (3, True): "rgb16",
    }[(bands, sixteen)]
    return pyvips.Image.new_from_array(pixels, interpretation=interpretation)


def write_image(
    path: Path,
    width: int = 640,
    height: int = 427,
    *,
    fmt: str = "jpeg",
    bits: int = 8,
    channels: int = 3,
    **save_options,
) -> Path:
    image = _vips(star_field(width, height, bits=bits, channels=channels))
    saver = {
        "jpeg": image.jpegsave,
        "png": image.pngsave,
        "webp": image.webpsave,
        "tiff": image.tiffsave,
    }[fmt]
    saver(str(path), **save_options)
    return path


def jpeg_with_exif(
    path: Path, *, orientation: int = 1, gps: bool = True, width: int = 600, height: int = 400
) -> Path:
    """A JPEG with camera, capture time, exposure, ISO, serial number and GPS tags."""
    pixels = star_field(width, height)
    # A bright marker in the top-left corner tells where "up" ended up.
    pixels[: height // 8, : width // 8] = [255, 0, 0]
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS Ra"
    exif[0x0112] = orientation
    exif[0x0131] = "SecretEditor 1.0"
    details = exif.get_ifd(0x8769)
    details[0x9003] = "2026:08:12 23:41:07"
    details[0x9011] = "+02:00"
    details[0x829A] = 30.0
    details[0x8827] = 1600
    details[0xA431] = "SERIAL-12345678"  # BodySerialNumber
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (46.0, 32.0, 10.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (7.0, 59.0, 0.0)
    image.save(path, "JPEG", exif=exif, quality=90)
    return path


def fits_file(
    path: Path,
    width: int = 320,
    height: int = 240,
    *,
    cube: bool = False,
    header: dict | None = None,
) -> Path:
    from astropy.io import fits

    mono = star_field(width, height, bits=16, channels=1)[:, :, 0]
    data = np.stack([mono, mono // 2, mono // 3]) if cube else mono
    hdu = fits.PrimaryHDU(data.astype(np.uint16))
    cards = {
        "OBJECT": "M 42",
        "DATE-OBS": "2026-01-15T21:04:00",
        "EXPTIME": 120.0,
        "INSTRUME": "ZWO ASI2600MM Pro",
        "TELESCOP": "Esprit 100ED",
        "GAIN": 100,
        "FILTER": "Ha",
    }
    cards.update(header or {})
    for key, value in cards.items():
        hdu.header[key] = value
    hdu.writeto(path, overwrite=True)
    return path


def png_declaring(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims width × height (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
    return path


def truncated_jpeg(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.fromarray(star_field(400, 300)).save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PHP = b"<?php system($_GET['c']); ?>"

CAPTURED_AT = datetime.fromisoformat("2026-08-12T21:41:07+00:00")


# Decoder bombs: small files inside the pixel limit whose decode is large.
# Drawn lazily by libvips (a pattern of diagonal bands), so making them takes
# little memory in the test process.


def _pattern(width: int, height: int, bands: int = 3) -> pyvips.Image:
    xy = pyvips.Image.xyz(width, height)
    grey = (((xy[0] * 7 + xy[1] * 3) % 256) / 8 + 20).cast("uchar")
    if bands == 1:
        return grey.copy(interpretation="b-w")
    return grey.bandjoin([grey] * (bands - 1)).copy(interpretation="srgb")


def progressive_jpeg(
    path: Path, width: int = 10000, height: int = 10000, *, chroma: str = "4:2:0"
) -> Path:
    """A progressive JPEG (libjpeg keeps all its DCT coefficients to decode it)."""
    subsample = {"4:2:0": "on", "4:4:4": "off"}[chroma]
    _pattern(width, height).jpegsave(str(path), interlace=True, Q=75, subsample_mode=subsample)
    return path


def big_webp(path: Path, width: int = 16383, height: int = 6000) -> Path:
    """A small lossy WebP (libwebp decodes the whole picture at once)."""
    _pattern(width, height).webpsave(str(path), Q=50, effort=0)
    return path


def interlaced_png(path: Path, width: int, height: int) -> Path:
    _pattern(width, height).pngsave(str(path), interlace=True, compression=1)
    return path


def single_strip_tiff(path: Path, width: int, height: int, *, tiled: bool = False) -> Path:
    """A TIFF stored as one strip of every row (decoded whole), or tiled normally."""
    image = _pattern(width, height)
    if tiled:
        image.tiffsave(str(path), tile=True, tile_width=256, tile_height=256, compression="lzw")
        return path
    from PIL import Image

    Image.fromarray(image.numpy()).save(
        path, "TIFF", compression="tiff_lzw", tiffinfo={278: height}
    )
    return path


def compressed_float_fits(path: Path, width: int = 10000, height: int = 10000) -> Path:
    """A tile-compressed (GZIP_1) float64 image: a few hundred KB for 800 MB of data."""
    from astropy.io import fits

    data = np.zeros((height, width), dtype=np.float64)
    data[height // 2 : height // 2 + 10, :] = 1.5  # a bright band, so there is a range
    data[:, width // 3] = 0.5
    fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(data, compression_type="GZIP_1")]).writeto(
        path, overwrite=True
    )
    del data
    return path


def _card(keyword: str, value: object = None) -> bytes:
    if value is None:
        return keyword.ljust(80).encode("ascii")
    if isinstance(value, bool):
        text = "T" if value else "F"
    elif isinstance(value, str) and not value.startswith("'"):
        text = "'" + value.ljust(8) + "'"
        return f"{keyword:<8}= {text:<20}".ljust(80).encode("ascii")
    else:
        text = str(value)
    return f"{keyword:<8}= {text:>20}".ljust(80).encode("ascii")


def fits_header(cards: list[tuple[str, object]], *, end: bool = True) -> bytes:
    """Header bytes from (keyword, value) pairs (value None: a commentary card),
    padded to whole 2880-byte blocks."""
    raw = b"".join(_card(k, v) for k, v in cards) + (_card("END") if end else b"")
    return raw + b" " * (-len(raw) % 2880)


def fits_layout(
    path: Path,
    *,
    empty_hdus: int = 0,
    extra_cards: int = 0,
    width: int = 64,
    height: int = 48,
    image_cards: list[tuple[str, object]] | None = None,
    data: bytes | None = None,
) -> Path:
    """A FITS file written by hand: an empty primary HDU, ``empty_hdus``
    empty IMAGE extensions, then a 16-bit image extension whose header
    carries ``extra_cards`` HISTORY cards (and ``image_cards``)."""
    parts = [fits_header([("SIMPLE", True), ("BITPIX", 8), ("NAXIS", 0), ("EXTEND", True)])]
    empty = fits_header(
        [("XTENSION", "IMAGE"), ("BITPIX", 8), ("NAXIS", 0), ("PCOUNT", 0), ("GCOUNT", 1)]
    )
    parts.extend([empty] * empty_hdus)
    cards = [
        ("XTENSION", "IMAGE"),
        ("BITPIX", 16),
        ("NAXIS", 2),
        ("NAXIS1", width),
        ("NAXIS2", height),
        ("PCOUNT", 0),
        ("GCOUNT", 1),
        *(image_cards or []),
    ]
    cards += [(f"HISTORY step {i}", None) for i in range(extra_cards)]
    parts.append(fits_header(cards))
    if data is None:
        pixels = star_field(width, height, bits=16, channels=1)[:, :, 0].astype(">i2")
        data = (pixels // 2).tobytes()
    parts.append(data + b"\x00" * (-len(data) % 2880))
    path.write_bytes(b"".join(parts))
    return path
