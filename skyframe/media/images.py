"""Still images: checking an upload's header (dimensions, decoder memory)
and turning it into renditions.

libvips (pyvips) does the pixel work. It converts 16-bit data to 8-bit by
scaling (not clipping) and streams: the source is decoded once, sequentially,
into the full-size original (a baseline JPEG written to a file strip by
strip, never held whole in memory); the display size and thumbnail are then
made from that JPEG with the decoder's own shrink (DCT scaling), which is
cheap whatever the source was. Decoding the source a second time for them
cost a second progressive-JPEG coefficient buffer, WebP frame or interlaced
PNG (the renditions decoded the file twice in parallel: +1.16 GB for a
progressive 100 MP JPEG). A baseline JPEG, whose small decode costs little
memory, still decodes small from the source while the original is written:
that is faster. Only format-specific loaders are called, after the
bytes were recognised, and libvips' untrusted loaders are blocked.
"""

from __future__ import annotations

import contextlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyvips

from skyframe.media import budget, fits
from skyframe.media.errors import MediaError
from skyframe.media.formats import FITS, Format
from skyframe.media.placeholder import Placeholder, make_placeholder

pyvips.block_untrusted_set(True)
pyvips.cache_set_max(0)  # each upload is processed once: caching only holds memory
log = logging.getLogger(__name__)

LOADERS = {
    "jpeg": pyvips.Image.jpegload,
    "png": pyvips.Image.pngload,
    "webp": pyvips.Image.webpload,
    "tiff": pyvips.Image.tiffload,
}
# How libvips and its decoders say an allocation failed (the worker's RLIMIT_AS).
OUT_OF_MEMORY = re.compile(
    r"insufficient memory|out of memory|cannot allocate|unable to allocate|failed to allocate",
    re.IGNORECASE,
)
# Dimensions WebP can hold; larger renditions would not encode.
MAX_SIDE = 16383 * 4


@dataclass(frozen=True)
class RenditionSpec:
    long_edge: int
    jpeg_quality: int = 85
    webp_quality: int = 80
    webp_effort: int = 2
    # Progressive, Huffman-optimised JPEG: ~5 % smaller, but on a 24 MP
    # original it costs +0.6 s; worth it only on the sizes served in the feed.
    jpeg_progressive: bool = True


@dataclass(frozen=True)
class Rendition:
    kind: str  # original | display | thumb
    content_type: str
    extension: str
    data: bytes | Path  # the encoded file, in memory or (the original) on local disk
    width: int
    height: int


@dataclass
class Rendered:
    width: int
    height: int
    renditions: list[Rendition] = field(default_factory=list)
    placeholder: Placeholder | None = None


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    cost: budget.DecodeCost
    fits: fits.FitsImage | None = None  # the FITS layout and cards, read once
    # A baseline (single-scan) JPEG: decoding it small costs little memory.
    shrinks_on_load: bool = False


def _open(path: Path, fmt: Format, *, sequential: bool = True, **options) -> pyvips.Image:
    try:
        # "error" makes truncated or corrupt files fail instead of being
        # padded with grey.
        return LOADERS[fmt.name](
            str(path), access="sequential" if sequential else "random", fail_on="error", **options
        )
    except pyvips.Error as exc:
        raise MediaError(f"The {fmt.label} file could not be read; it may be damaged.") from exc


def inspect(path: Path, fmt: Format, max_pixels: int, budget_bytes: int = 0) -> ImageInfo:
    """The image's size and decoder memory from its header, refusing oversized
    images (pixels, or memory over ``budget_bytes``; 0: no budget) before any decode."""
    layout = None
    if fmt is FITS:
        layout = fits.inspect(path)
        width, height = layout.width, layout.height
        if layout.samples > max_pixels:
            raise MediaError(
                f"The FITS data holds {layout.samples / 1e6:.3g} million values "
                f"({layout.channels} planes); SkyFrame takes up to {max_pixels / 1e6:.3g} million."
            )
    else:
        image = _open(path, fmt)
        width, height = image.width, image.height
        if image.format not in ("uchar", "ushort"):
            raise MediaError(
                f"{fmt.label} files with {image.format} samples are not accepted: "
                "export 8- or 16-bit, or upload FITS."
            )
    if width < 1 or height < 1:
        raise MediaError("The image has no pixels.")
    if width * height > max_pixels or max(width, height) > MAX_SIDE:
        raise MediaError(
            f"The image is {width}×{height} pixels ({width * height / 1e6:.3g} MP); "
            f"SkyFrame takes up to {max_pixels / 1e6:.3g} MP."
        )
    cost = (
        budget.fits_cost(layout, fits.BLOCK_SAMPLES)
        if layout is not None
        else _decode_cost(path, fmt, image)
    )
    budget.check(cost, budget_bytes, fmt.name, fmt.label)
    baseline = fmt.name == "jpeg" and not _multiscan(image)
    return ImageInfo(width, height, cost, layout, baseline)


def _multiscan(image: pyvips.Image) -> bool:
    return bool(_field(image, "jpeg-multiscan", _field(image, "interlaced", 0)))


def _field(image: pyvips.Image, name: str, default):
    if image.get_typeof(name) == 0:
        return default
    try:
        return image.get(name)
    except pyvips.Error:
        return default


def _decode_cost(path: Path, fmt: Format, image: pyvips.Image) -> budget.DecodeCost:
    width, height, bands = image.width, image.height, image.bands
    sample_bytes = 2 if image.format == "ushort" else 1
    if fmt.name == "jpeg":
        return budget.jpeg_cost(
            width,
            height,
            bands,
            multiscan=_multiscan(image),
            chroma=str(_field(image, "jpeg-chroma-subsample", "")),
            rotated=_orientation(image) != 1,
        )
    if fmt.name == "png":
        return budget.png_cost(
            width, height, bands, sample_bytes, interlaced=bool(_field(image, "interlaced", 0))
        )
    if fmt.name == "webp":
        return budget.webp_cost(width, height, bands)
    try:
        rows = budget.tiff_chunk_rows(path)
    except Exception:  # tags Pillow cannot read: assume the file is one strip
        log.info("TIFF strip layout of %s unreadable", path, exc_info=True)
        rows = height
    return budget.tiff_cost(width, height, bands, sample_bytes, rows)


def to_display_8bit(image: pyvips.Image) -> pyvips.Image:
    """sRGB (or grey) 8-bit pixels without alpha, whatever the source encoding."""
    if image.get_typeof("icc-profile-data") != 0:
        # A broken profile: fall back to plain conversion.
        with contextlib.suppress(pyvips.Error):
            image = image.icc_transform("srgb", embedded=True, intent="relative")
    if image.hasalpha():
        image = image.flatten(background=[0])  # astro images sit on black
    grey = image.bands == 1 or image.interpretation in ("b-w", "grey16")
    # colourspace() rescales 16-bit and float data into the 8-bit range.
    image = image.colourspace("b-w" if grey else "srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


def _orientation(image: pyvips.Image) -> int:
    if image.get_typeof("orientation") == 0:
        return 1
    try:
        return int(image.get("orientation"))
    except (pyvips.Error, ValueError):
        return 1


def _fits_image(path: Path, layout: fits.FitsImage) -> pyvips.Image:
    pixels = fits.stretched_pixels(path, layout)
    height, width, bands = pixels.shape
    # Wraps the array without copying it (pyvips keeps a reference to it).
    image = pyvips.Image.new_from_memory(pixels.data, width, height, bands, "uchar")
    return image.copy(interpretation="b-w" if bands == 1 else "srgb")


def _full_size(path: Path, fmt: Format) -> pyvips.Image:
    """The whole image at 8 bits, upright. Lazy: pixels flow when it is saved."""
    image = _open(path, fmt)
    orientation = _orientation(image)
    if orientation != 1:
        # Rotating needs the whole image at hand (rare: phone and DSLR shots).
        image = _open(path, fmt, sequential=False).autorot()
    return to_display_8bit(image)


def _reduced(path: Path, fmt: Format, long_edge: int) -> pyvips.Image:
    """A baseline JPEG source at about ``long_edge``, upright, in memory,
    decoded small (DCT scaling)."""
    probe = _open(path, fmt)
    longest = max(probe.width, probe.height)
    shrink = next(f for f in (8, 4, 2, 1) if longest / f >= long_edge or f == 1)
    image = to_display_8bit(_open(path, fmt, shrink=shrink))
    return _shrink(image, long_edge).copy_memory().autorot()


def _from_original(original: Path, long_edge: int) -> pyvips.Image:
    """The original rendition (a baseline JPEG, upright) at about
    ``long_edge``, in memory, decoded small with the JPEG's DCT scaling."""
    probe = pyvips.Image.jpegload(str(original), access="sequential")
    longest = max(probe.width, probe.height)
    shrink = next(f for f in (8, 4, 2, 1) if longest / f >= long_edge or f == 1)
    image = pyvips.Image.jpegload(str(original), shrink=shrink, access="sequential")
    return _shrink(image, long_edge).copy_memory()


def _encode(image: pyvips.Image, kind: str, spec: RenditionSpec, *, webp: bool) -> list[Rendition]:
    out = [
        Rendition(
            kind,
            "image/jpeg",
            "jpg",
            image.jpegsave_buffer(
                Q=spec.jpeg_quality,
                optimize_coding=spec.jpeg_progressive,
                interlace=spec.jpeg_progressive,
                keep="none",
            ),
            image.width,
            image.height,
        )
    ]
    if webp:
        out.append(
            Rendition(
                kind,
                "image/webp",
                "webp",
                image.webpsave_buffer(Q=spec.webp_quality, effort=spec.webp_effort, keep="none"),
                image.width,
                image.height,
            )
        )
    return out


def _shrink(image: pyvips.Image, long_edge: int) -> pyvips.Image:
    longest = max(image.width, image.height)
    if longest <= long_edge:
        return image
    return image.resize(long_edge / longest)  # lanczos3


def render(
    path: Path,
    fmt: Format,
    info: ImageInfo,
    workdir: Path,
    *,
    original: RenditionSpec,
    display: RenditionSpec,
    thumb: RenditionSpec,
) -> Rendered:
    """Full-size re-encoded original (a JPEG file in ``workdir``), display and
    thumbnail (WebP and JPEG) and a placeholder, all free of embedded
    metadata. The source is decoded once at full size (a baseline JPEG
    also once small, at the same time)."""
    try:
        full = _fits_image(path, info.fits) if fmt is FITS else _full_size(path, fmt)
        original_path = workdir / "original.jpg"

        def save_original() -> None:
            # Baseline (not progressive), so that the sizes below shrink on load.
            full.jpegsave(
                str(original_path),
                Q=original.jpeg_quality,
                optimize_coding=False,
                interlace=False,
                keep="none",
            )

        width, height = full.width, full.height
        if info.shrinks_on_load:
            # A baseline JPEG also decodes small at little cost: both passes
            # at once (libvips releases the GIL) save ~0.5 s on 24 MP.
            with ThreadPoolExecutor(max_workers=1) as pool:
                saving = pool.submit(save_original)
                shown = _reduced(path, fmt, display.long_edge)
                saving.result()
        else:
            save_original()
            del full  # frees FITS pixels before the smaller sizes are made
            shown = _from_original(original_path, display.long_edge)
        small = _shrink(shown, thumb.long_edge).copy_memory()
        renditions = [
            Rendition("original", "image/jpeg", "jpg", original_path, width, height),
            *_encode(shown, "display", display, webp=True),
            *_encode(small, "thumb", thumb, webp=True),
        ]
        placeholder = make_placeholder(small)
    except pyvips.Error as exc:
        if OUT_OF_MEMORY.search(str(exc)):
            raise MemoryError(str(exc)) from exc
        log.info("converting %s failed", path, exc_info=True)
        raise MediaError(
            f"The {fmt.label} file could not be converted; it may be damaged."
        ) from exc
    return Rendered(width, height, renditions, placeholder)
