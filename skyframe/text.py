"""Checks and clean-ups for text people type."""

from __future__ import annotations

import unicodedata


def has_control(value: str, allowed: str = "\n\t") -> bool:
    """Whether ``value`` holds control characters other than ``allowed``."""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


def one_line(value: str) -> str:
    """NFC-normalised, with runs of whitespace (newlines too) made one space."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def paragraphs(value: str) -> str:
    """NFC-normalised multi-line text: trailing spaces and runs of blank lines
    trimmed, Windows line ends made plain."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


def escape_like(text: str, escape: str = "\\") -> str:
    """``text`` with LIKE's wildcards (and the escape character) taken literally."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
