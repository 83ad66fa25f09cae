"""The staff area: HTML pages under /admin for moderators and managers."""

# Each page module adds its routes to bp.
from skyframe.admin import appeals, audit, home, posts, reports, tickets, users  # noqa: F401
from skyframe.admin.blueprint import bp

__all__ = ["bp"]
