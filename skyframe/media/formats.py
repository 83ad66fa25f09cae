"""Which files SkyFrame accepts, recognised by their own bytes.

A file is accepted only when its first bytes, its file-name extension and the
type the browser declared all agree on one of the formats below. SVG, HTML,
scripts and everything else are refused. Clips (MP4, QuickTime, WebM,
Matroska) are recognised here by their container; what they hold is the
probe's to judge (skyframe.media.video).
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
    is_video: bool = False


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

# Clips. MP4 and QuickTime are one box format (ISO BMFF) and WebM is a
# Matroska profile: phones and editors mix their names, so each takes the
# other's extensions and declared types, and the probe decides.
_ISO_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov", ".qt"})
_ISO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/x-m4v"})
_MKV_TYPES = frozenset({"video/webm", "video/x-matroska", "video/matroska"})
MP4 = Format("mp4", "MP4", _ISO_EXTENSIONS, _ISO_TYPES, is_video=True)
MOV = Format("mov", "QuickTime", _ISO_EXTENSIONS, _ISO_TYPES, is_video=True)
WEBM = Format("webm", "WebM", frozenset({".webm", ".mkv"}), _MKV_TYPES, is_video=True)
MKV = Format("mkv", "Matroska", frozenset({".mkv"}), _MKV_TYPES, is_video=True)

IMAGE_FORMATS = (JPEG, PNG, WEBP, TIFF, FITS)
VIDEO_FORMATS = (MP4, MOV, WEBM, MKV)
FORMATS = IMAGE_FORMATS + VIDEO_FORMATS
ACCEPTED_EXTENSIONS = sorted({ext for fmt in FORMATS for ext in fmt.extensions})

# ISO BMFF brands of still images and sound (HEIC, AVIF, M4A): not clips.
_NOT_CLIP_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis", b"M4A ", b"M4B "}
# QuickTime files written without an ftyp box start with one of these.
_QUICKTIME_FIRST_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
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
    return _sniff_clip(head)


def _sniff_clip(head: bytes) -> Format | None:
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _NOT_CLIP_BRANDS:
            return None
        return MOV if brand == b"qt  " else MP4
    if head[4:8] in _QUICKTIME_FIRST_BOXES and int.from_bytes(head[:4], "big") >= 8:
        return MOV
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska and WebM
        if b"webm" in head:
            return WEBM
        if b"matroska" in head:
            return MKV
    return None


def file_extension(filename: str) -> str:
    """The lower-case extension of a client file name, ignoring any path in it."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    return PurePosixPath(name).suffix.lower()


def identify(head: bytes, filename: str, declared_type: str | None) -> Format:
    """The upload's format, or MediaError saying why it is refused."""
    accepted = "an image (JPEG, PNG, WebP, TIFF or FITS) or a clip (MP4, MOV or WebM)"
    fmt = sniff(head)
    extension = file_extension(filename)
    if not head:
        raise MediaError("The file is empty.")
    if fmt is None:
        if head.lstrip()[:1] == b"<":
            raise MediaError(f"Markup (SVG, HTML) is not accepted; upload {accepted}.")
        raise MediaError(f"This is not an image or clip SkyFrame accepts; upload {accepted}.")
    if extension not in fmt.extensions:
        raise MediaError(
            f"The file's contents are {fmt.label} but its name ends in "
            f"{extension or 'no extension'}; rename it to {sorted(fmt.extensions)[0]}."
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in UNDECLARED_TYPES and declared not in fmt.declared_types:
        raise MediaError(f"The file was sent as {declared} but its contents are {fmt.label}.")
    return fmt
