"""The memory an upload's decode will need, estimated from its header before
any pixel is decoded, and the refusal when it is over the budget.

The pixel limit alone let small files take gigabytes: the decoders below
hold far more than one row at a time for some layouts. Each figure is what
benchmarks/media_bench.py measured for the decode in this pipeline (peak RSS
growth of the decoding process), per pixel:

- progressive or multi-scan JPEG: libjpeg keeps every DCT coefficient of the
  image, 2 bytes per sample at the components' own resolution (4:2:0: 3 bytes
  per pixel, 300 MB for 100 MP; 4:4:4: 600 MB). Baseline JPEG streams.
- WebP: libwebp decodes the whole picture (≈ 2 × (bands + 1) bytes per pixel:
  760 MB for 16383 × 6000).
- interlaced (Adam7) PNG: the whole image; plain PNG streams row by row.
- TIFF: one strip (or one row of tiles) at a time, a few of them in flight;
  a file written as a single strip is decoded whole.
- FITS: the 8-bit result plus one block of rows (and, when tile-compressed,
  the compressed data and the tiles a block touches).

A rotated (EXIF orientation) image also needs random access: libvips keeps
up to ``DISC_THRESHOLD`` of decoded pixels in memory, beyond that on disc.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from skyframe.media.errors import MediaError

MB = 1024 * 1024
# libvips' pipeline buffers, the encoders and the display-size renditions.
OVERHEAD = 64 * MB
DISC_THRESHOLD = 100 * MB  # libvips' default VIPS_DISC_THRESHOLD
CHROMA_SHARE = {"4:2:0": 0.25, "4:1:1": 0.25, "4:2:2": 0.5, "4:4:0": 0.5}
# Strips (or tile rows) a TIFF decode holds at once, decompressed and converted.
TIFF_CHUNKS_IN_FLIGHT = 3
FITS_BLOCK_BYTES_PER_SAMPLE = 8 + 4  # raw value (≤ 8 bytes) + float32 working copy

WAY_OUT = {
    "jpeg": "save it as a baseline (not progressive) JPEG",
    "png": "save it without interlacing",
    "webp": "upload it as JPEG, PNG or TIFF instead",
    "tiff": "save it with the usual strips or tiles (most programs' defaults)",
    "fits": "save it uncompressed, or compressed with tiles of one row",
}


@dataclass(frozen=True)
class DecodeCost:
    """Bytes a decode is expected to need at its peak, and what they are for."""

    nbytes: int
    cause: str  # e.g. "progressive JPEG coefficients"

    @property
    def megabytes(self) -> int:
        return -(-self.nbytes // MB)


def jpeg_cost(
    width: int, height: int, bands: int, *, multiscan: bool, chroma: str, rotated: bool
) -> DecodeCost:
    pixels = width * height
    cost, cause = OVERHEAD, "decoding"
    if multiscan:
        share = CHROMA_SHARE.get(chroma, 1.0)
        samples = pixels * (1 + (bands - 1) * share)
        cost += int(samples * 2 * 1.01)  # 2 bytes per coefficient, MCU padding
        cause = "progressive JPEG coefficients"
    if rotated:
        cost += min(pixels * bands, DISC_THRESHOLD)
    return DecodeCost(cost, cause)


def png_cost(width: int, height: int, bands: int, sample_bytes: int, *, interlaced: bool):
    if not interlaced:
        return DecodeCost(OVERHEAD, "decoding")
    return DecodeCost(
        OVERHEAD + int(width * height * (bands * sample_bytes + 0.5)), "interlaced PNG"
    )


def webp_cost(width: int, height: int, bands: int) -> DecodeCost:
    return DecodeCost(OVERHEAD + width * height * 2 * (bands + 1), "WebP decoding")


def tiff_cost(width: int, height: int, bands: int, sample_bytes: int, chunk_rows: int):
    rows = max(1, min(chunk_rows, height))
    chunk = rows * width * bands * sample_bytes
    return DecodeCost(OVERHEAD + TIFF_CHUNKS_IN_FLIGHT * chunk, "TIFF strips")


def fits_cost(info, block_samples: int) -> DecodeCost:
    """``info`` is a fits.FitsImage."""
    result = info.samples  # the 8-bit pixels
    rows = max(info.tile_rows, block_samples // (info.width * info.channels) or 1)
    block = min(rows, info.height) * info.width * info.channels
    result += block * FITS_BLOCK_BYTES_PER_SAMPLE
    cause = "FITS data"
    if info.compressed:
        # The compressed heap is read whole; each tile decompresses at its
        # full size (integers first when floats were quantised).
        result += info.data_size + info.tile_samples * (info.sample_bytes + 4)
        cause = "tile-compressed FITS data"
    return DecodeCost(OVERHEAD + result, cause)


def tiff_chunk_rows(path: Path) -> int:
    """Rows per strip, or tile height, from the first IFD (Pillow reads tags only)."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path, formats=["TIFF"]) as image:
            tags = image.tag_v2
            height = image.size[1]
            if 322 in tags and 323 in tags:  # TileWidth, TileLength
                return int(tags[323])
            return int(tags.get(278, height))  # RowsPerStrip (default: one strip)


def check(cost: DecodeCost, budget_bytes: int, fmt_name: str, label: str) -> None:
    """MediaError (the upload is refused, 422) when the decode would need more
    memory than an upload may use."""
    if budget_bytes and cost.nbytes > budget_bytes:
        raise MediaError(
            f"This {label} file would need about {cost.megabytes:,} MB of memory to "
            f"process ({cost.cause}); SkyFrame allows {budget_bytes // MB:,} MB per upload. "
            f"To upload it, {WAY_OUT[fmt_name]}."
        )
