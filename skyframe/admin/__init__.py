"""The staff area: HTML pages under /admin for moderators and managers."""

from skyframe.admin import appeals, audit, home, posts  # noqa: F401  (each module adds its routes to bp)
from skyframe.admin.blueprint import bp

__all__ = ["bp"]
