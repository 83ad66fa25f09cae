"""Counts as cards show them: 950, 1.2k, 12k, 3.4M (static/js/counts.js
writes the same). Rounded down, so a count never shows more than it is."""

from __future__ import annotations

_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k"))


def compact_count(value: int) -> str:
    value = max(0, int(value))
    for size, unit in _UNITS:
        if value >= size:
            tenths = value * 10 // size
            if tenths >= 100:  # 10k and up: no decimal
                return f"{tenths // 10}{unit}"
            whole, tenth = divmod(tenths, 10)
            return f"{whole}.{tenth}{unit}" if tenth else f"{whole}{unit}"
    return str(value)
