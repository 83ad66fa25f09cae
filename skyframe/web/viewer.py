"""Who is asking: the signed-in user of the current request, or None."""

from __future__ import annotations

from flask_login import current_user

from skyframe.models import User


def viewer() -> User | None:
    """The signed-in user, or None for a visitor."""
    # The user itself rather than Flask-Login's proxy: listings read it for
    # every post, and each attribute read through the proxy looks it up again.
    return current_user._get_current_object() if current_user.is_authenticated else None
