"""Sign-in, registration, password and session pages."""

from skyframe.auth import account_pages, routes  # noqa: F401  (each module adds its routes to bp)
from skyframe.auth.blueprint import bp

__all__ = ["bp"]
