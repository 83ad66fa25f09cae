"""The staff area: HTML pages under /admin for moderators and managers."""

from skyframe.admin import (  # noqa: F401  (each module adds its routes to bp)
    appeals,
    audit,
    home,
    posts,
    tickets,
)
from skyframe.admin.blueprint import bp

__all__ = ["bp"]
