"""Long-lived first-party cookies the app sets besides the session's."""

from __future__ import annotations

from datetime import timedelta

from flask import after_this_request, current_app


def set_on_response(name: str, value: str, lifetime: timedelta) -> None:
    """Set an HttpOnly, SameSite=Lax cookie on this request's response
    (Secure as the session cookie is)."""

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            name,
            value,
            max_age=int(lifetime.total_seconds()),
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response
