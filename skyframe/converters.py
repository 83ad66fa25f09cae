"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` that only matches ids a database integer column can hold.

    Werkzeug's converter accepts any size, and PostgreSQL answers an error for
    an id past 2**31 - 1; here such URLs simply do not match (404).
    """

    def __init__(self, map, fixed_digits=0, min=1, max=DATABASE_INT_MAX, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
