"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1

# 1 … 2147483647 without leading zeros. The range lives in the pattern, not
# in to_python(): a value the converter rejects after matching makes Werkzeug
# answer 405 instead of 404 when one path has several method-specific rules.
DATABASE_ID_PATTERN = (
    r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
    r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
)


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` that matches only ids a database integer column can hold
    (PostgreSQL answers an error for ids past 2**31 - 1); others are 404."""

    regex = DATABASE_ID_PATTERN

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        self.regex = DATABASE_ID_PATTERN
