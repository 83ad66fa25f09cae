"""Personal access tokens on the routes that accept them.

PLACEHOLDER until the tokens work lands: ``accepts_token(scope)`` marks a
route as one a token with ``scope`` may call (start, end and frames of a
live session); it changes nothing yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

View = TypeVar("View", bound=Callable)


def accepts_token(scope: str) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.skyframe_token_scope = scope  # type: ignore[attr-defined]
        return view

    return mark
