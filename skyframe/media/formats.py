"""Which files SkyFrame accepts, recognised by their own bytes.

A file is accepted only when its first bytes, its file-name extension and the
type the browser declared all agree on one of the formats below. SVG, HTML,
scripts and everything else are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from skyframe.media.errors import MediaError

HEAD_BYTES = 80  # enough for every signature below


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extensions: frozenset[str]
    declared_types: frozenset[str]


JPEG = Format(
    "jpeg",
    "JPEG",
    frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    frozenset({"image/jpeg", "image/pjpeg", "image/jpg"}),
)
PNG = Format("png", "PNG", frozenset({".png"}), frozenset({"image/png", "image/x-png"}))
WEBP = Format("webp", "WebP", frozenset({".webp"}), frozenset({"image/webp"}))
TIFF = Format(
    "tiff", "TIFF", frozenset({".tif", ".tiff"}), frozenset({"image/tiff", "image/x-tiff"})
)
FITS = Format(
    "fits",
    "FITS",
    frozenset({".fits", ".fit", ".fts"}),
    frozenset({"image/fits", "application/fits", "image/x-fits", "application/x-fits"}),
)

FORMATS = (JPEG, PNG, WEBP, TIFF, FITS)
ACCEPTED_EXTENSIONS = sorted(ext for fmt in FORMATS for ext in fmt.extensions)
# Browsers send these when they do not know the type (FITS, often TIFF).
UNDECLARED_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


def sniff(head: bytes) -> Format | None:
    """The format the file's first bytes announce, if it is one SkyFrame takes."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    # FITS: a fixed-format header card "SIMPLE  =                    T".
    if head.startswith(b"SIMPLE  =") and head[9:30].strip() == b"T":
        return FITS
    return None


def file_extension(filename: str) -> str:
    """The lower-case extension of a client file name, ignoring any path in it."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    return PurePosixPath(name).suffix.lower()


def identify(head: bytes, filename: str, declared_type: str | None) -> Format:
    """The upload's format, or MediaError saying why it is refused."""
    accepted = "JPEG, PNG, WebP, TIFF or FITS"
    fmt = sniff(head)
    extension = file_extension(filename)
    if not head:
        raise MediaError("The file is empty.")
    if fmt is None:
        if head.lstrip()[:1] == b"<":
            raise MediaError(f"Markup (SVG, HTML) is not accepted; upload {accepted}.")
        raise MediaError(f"This is not an image SkyFrame accepts; upload {accepted}.")
    if extension not in fmt.extensions:
        raise MediaError(
            f"The file's contents are {fmt.label} but its name ends in "
            f"{extension or 'no extension'}; rename it to {sorted(fmt.extensions)[0]}."
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in UNDECLARED_TYPES and declared not in fmt.declared_types:
        raise MediaError(f"The file was sent as {declared} but its contents are {fmt.label}.")
    return fmt
