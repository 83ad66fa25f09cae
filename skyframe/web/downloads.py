"""File names for downloads."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

FILENAME_MAX_LENGTH = 80


def safe_filename(title: str, extension: str, fallback: str = "skyframe") -> str:
    """A file name built from a title: letters, digits, dashes, underscores."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:FILENAME_MAX_LENGTH]
    return f"{stem or fallback}.{extension}"


def content_disposition(filename: str, *, unicode_name: str | None = None) -> str:
    """``attachment`` with an ASCII name and, when given, the RFC 6266 UTF-8 one."""
    header = f'attachment; filename="{filename}"'
    if unicode_name and unicode_name != filename:
        header += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    return header
