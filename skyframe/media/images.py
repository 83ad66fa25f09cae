"""Still images: checking an upload's dimensions and turning it into renditions.

libvips (pyvips) does the pixel work. It converts 16-bit data to 8-bit by
scaling (not clipping) and streams: the full-size original is decoded and
re-encoded strip by strip, never held whole in memory; the display size is
decoded a second time with the decoder's own shrink (JPEG DCT scaling, WebP
scaling), and the thumbnail and placeholder come from that. Measured in
benchmarks/media_bench.py, this beats one full decode kept in memory on both
time and memory (and Pillow by far, which also drops the low byte of 48-bit
TIFF). Only format-specific loaders are called, after the bytes were
recognised, and libvips' untrusted loaders are blocked.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyvips

from skyframe.media import fits
from skyframe.media.errors import MediaError
from skyframe.media.formats import FITS, Format
from skyframe.media.placeholder import Placeholder, make_placeholder

pyvips.block_untrusted_set(True)
pyvips.cache_set_max(0)  # each upload is processed once: caching only holds memory

LOADERS = {
    "jpeg": pyvips.Image.jpegload,
    "png": pyvips.Image.pngload,
    "webp": pyvips.Image.webpload,
    "tiff": pyvips.Image.tiffload,
}
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
    data: bytes
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


def _open(path: Path, fmt: Format, *, sequential: bool = True, **options) -> pyvips.Image:
    try:
        # "error" makes truncated or corrupt files fail instead of being
        # padded with grey.
        return LOADERS[fmt.name](
            str(path), access="sequential" if sequential else "random", fail_on="error", **options
        )
    except pyvips.Error as exc:
        raise MediaError(f"The {fmt.label} file could not be read; it may be damaged.") from exc


def inspect(path: Path, fmt: Format, max_pixels: int) -> ImageInfo:
    """The image's size from its header, refusing oversized images before any decode."""
    if fmt is FITS:
        header = fits.inspect(path)
        width, height = header.width, header.height
        if header.samples > max_pixels:
            raise MediaError(
                f"The FITS data holds {header.samples / 1e6:.3g} million values "
                f"({header.channels} planes); SkyFrame takes up to {max_pixels / 1e6:.3g} million."
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
    return ImageInfo(width, height)


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


def _fits_image(path: Path) -> pyvips.Image:
    info = fits.inspect(path)
    pixels = fits.stretched_pixels(path, info)
    height, width, bands = pixels.shape
    # Wraps the array without copying it; flipver() turns FITS rows (bottom
    # first) upright while libvips copies the result into its own memory.
    image = pyvips.Image.new_from_memory(pixels.data, width, height, bands, "uchar")
    image = image.copy(interpretation="b-w" if bands == 1 else "srgb").flipver()
    return image.copy_memory()


def _full_size(path: Path, fmt: Format) -> pyvips.Image:
    """The whole image at 8 bits, upright. Lazy: pixels flow when it is saved."""
    image = _open(path, fmt)
    orientation = _orientation(image)
    if orientation != 1:
        # Rotating needs the whole image at hand (rare: phone and DSLR shots).
        image = _open(path, fmt, sequential=False).autorot()
    return to_display_8bit(image)


def _reduced(path: Path, fmt: Format, long_edge: int) -> pyvips.Image:
    """The image at about ``long_edge``, upright, in memory; decoded small where
    the format allows it."""
    probe = _open(path, fmt)
    longest = max(probe.width, probe.height)
    options: dict = {}
    if fmt.name == "jpeg":
        shrink = next(f for f in (8, 4, 2, 1) if longest / f >= long_edge or f == 1)
        options["shrink"] = shrink
    elif fmt.name == "webp" and longest > long_edge:
        options["scale"] = long_edge / longest
    image = to_display_8bit(_open(path, fmt, **options))
    image = _shrink(image, long_edge).copy_memory()
    return image.autorot()


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
    *,
    original: RenditionSpec,
    display: RenditionSpec,
    thumb: RenditionSpec,
) -> Rendered:
    """Full-size re-encoded original (JPEG), display and thumbnail (WebP and
    JPEG) and a placeholder, all free of embedded metadata."""

    def smaller_sizes(shown: pyvips.Image) -> tuple[list[Rendition], Placeholder]:
        small = _shrink(shown, thumb.long_edge).copy_memory()
        out = _encode(shown, "display", display, webp=True) + _encode(
            small, "thumb", thumb, webp=True
        )
        return out, make_placeholder(small)

    try:
        if fmt is FITS:
            full = _fits_image(path)
            originals = _encode(full, "original", original, webp=False)
            smaller, placeholder = smaller_sizes(_shrink(full, display.long_edge).copy_memory())
        else:
            # The two passes overlap: libvips releases the GIL, and each pass
            # is mostly one decoder and one encoder thread.
            full = _full_size(path, fmt)
            with ThreadPoolExecutor(max_workers=2) as pool:
                big = pool.submit(_encode, full, "original", original, webp=False)
                rest = pool.submit(lambda: smaller_sizes(_reduced(path, fmt, display.long_edge)))
                originals = big.result()
                smaller, placeholder = rest.result()
        rendered = Rendered(full.width, full.height, originals + smaller, placeholder)
    except pyvips.Error as exc:
        raise MediaError(
            f"The {fmt.label} file could not be converted; it may be damaged."
        ) from exc
    return rendered
