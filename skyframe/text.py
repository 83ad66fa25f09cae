"""Checks and clean-ups for text people type."""

from __future__ import annotations

import unicodedata

# Characters that change how text reads without being seen. The bidirectional
# embeddings, overrides (U+202A–202E) and isolates (U+2066–2069) make a title
# or a name display in another order than it is stored ("moc.elgoog"-style
# spoofs, comments that seem to say something else); zero-width spaces, the
# word joiner and the byte-order mark (U+200B, U+2060, U+FEFF) hide inside
# words, so that look-alike names differ and searched words do not match.
# Zero-width non-joiner and joiner (U+200C, U+200D) are not among them:
# Persian, the Indic scripts and emoji sequences need them.
HIDDEN_FORMATTING = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff"
)
JOINERS = frozenset("\u200c\u200d")
CONTROL_MESSAGE = "Remove control characters."


def has_control(value: str, allowed: str = "\n\t") -> bool:
    """Whether ``value`` holds control characters other than ``allowed``."""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


def hidden_formatting(value: str) -> list[str]:
    """The HIDDEN_FORMATTING characters in ``value``, each once, in order."""
    return list(dict.fromkeys(ch for ch in value if ch in HIDDEN_FORMATTING))


def hidden_formatting_message(found: list[str]) -> str:
    names = ", ".join(f"U+{ord(ch):04X}" for ch in found[:3])
    return (
        f"Remove the invisible characters ({names}): direction overrides and "
        "zero-width spaces are not allowed."
    )


def text_problem(value: str, *, allowed_controls: str = "\n\t") -> str | None:
    """The one rule for every field people type (titles, notes, comments,
    bios, names, equipment …): what is wrong with ``value``, or None.
    Control characters other than ``allowed_controls`` (NUL always) and
    HIDDEN_FORMATTING are refused."""
    if "\x00" in value or has_control(value, allowed=allowed_controls):
        return CONTROL_MESSAGE
    if found := hidden_formatting(value):
        return hidden_formatting_message(found)
    return None


def is_invisible_in_names(ch: str) -> bool:
    """Characters names may not hold: every control, format, private-use or
    unassigned character but the joiners (names are one short line, so the
    stricter rule costs nothing legitimate)."""
    return unicodedata.category(ch).startswith("C") and ch not in JOINERS


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


def too_long(sent: str, kept: str, limit: int) -> bool:
    """Whether text is over ``limit`` characters, as sent or as kept.

    Judged on what was sent too, because the API document promises
    ``maxLength`` on the field as a client sends it: padding a text past the
    limit with spaces or blank lines is refused, not quietly trimmed to fit."""
    return len(sent) > limit or len(kept) > limit


def escape_like(text: str, escape: str = "\\") -> str:
    """``text`` with LIKE's wildcards (and the escape character) taken literally."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
