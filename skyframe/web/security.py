"""Security headers: CSP with per-request nonces, HSTS in production,
frame, referrer, permissions and content-type policies (Flask-Talisman)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, redirect, request, session

from skyframe.extensions import talisman
from skyframe.web.bearer import authenticate_bearer
from skyframe.web.hosts import refuse_untrusted_host
from skyframe.web.requests import count_oversized, refuse_anonymous_uploads, refuse_oversized_body

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",  # plus the request's nonce
    "style-src": "'self'",
    # Gravatar only shows for users who opted in to it.
    "img-src": "'self' data: blob: https://www.gravatar.com",
    "font-src": "'self'",
    "connect-src": "'self'",
    "media-src": "'self' blob:",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(config) -> dict[str, str]:
    """The policy, with the object-storage origin images are redirected to."""
    policy = dict(CONTENT_SECURITY_POLICY)
    if config.get("STORAGE_BACKEND") == "s3":
        endpoint = urlsplit(config.get("S3_ENDPOINT_URL") or "")
        origin = (
            f"{endpoint.scheme}://{endpoint.netloc}"
            if endpoint.netloc
            else "https://*.amazonaws.com"
        )
        policy["img-src"] += f" {origin}"
        policy["media-src"] += f" {origin}"
    return policy


PERMISSIONS_POLICY = {
    "camera": "(self)",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
}


# Load balancers probe these over plain HTTP.
PLAIN_HTTP_ENDPOINTS = {"main.healthz", "main.readyz"}


def redirect_to_https():
    """Send plain-HTTP requests to HTTPS. The scheme is the one ProxyFix
    established, so a client's own X-Forwarded-Proto is not believed unless
    PROXY_FIX_X_PROTO says a proxy sets it."""
    if request.is_secure or request.endpoint in PLAIN_HTTP_ENDPOINTS:
        return None
    url = urlsplit(request.url)
    # To PUBLIC_URL's host when set, else to the (trusted) host asked for.
    host = urlsplit(current_app.config["PUBLIC_URL"]).netloc or url.netloc
    target = urlunsplit(("https", host, url.path, url.query, ""))
    return redirect(target, code=301 if request.method in ("GET", "HEAD") else 308)


def no_store_when_signed_in(response):
    """Responses to a signed-in user carry personal data: no cache may keep
    them, unless the view chose its own policy (media, avatars)."""
    if "Cache-Control" in response.headers:
        return response
    from flask import g

    user = g.get("_login_user")
    if session.get("_user_id") or (user is not None and user.is_authenticated):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def init_security(app: Flask) -> None:
    from werkzeug.exceptions import RequestEntityTooLarge

    # Before-request work in this order, ahead of CSRF, the limiter (whose
    # login keys read the form), the login lookup and everything else: the
    # host check, the body cap, the HTTPS redirect, access tokens, anonymous
    # uploads.
    first = app.before_request_funcs.setdefault(None, [])
    first.insert(0, refuse_anonymous_uploads)
    # Before the upload gate (a token signs its upload in), CSRF, the limiter
    # and the login lookup; after the body cap and the HTTPS redirect.
    first.insert(0, authenticate_bearer)
    if app.config["FORCE_HTTPS"]:
        # Nothing else runs over plain HTTP.
        first.insert(0, redirect_to_https)
    first.insert(0, refuse_oversized_body)
    first.insert(0, refuse_untrusted_host)
    app.register_error_handler(RequestEntityTooLarge, count_oversized)
    app.after_request(no_store_when_signed_in)
    talisman.init_app(
        app,
        force_https=False,  # Talisman would trust a raw X-Forwarded-Proto
        strict_transport_security=app.config["HSTS_ENABLED"],
        strict_transport_security_max_age=app.config["HSTS_MAX_AGE"],
        strict_transport_security_include_subdomains=True,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        frame_options="DENY",
        content_security_policy=content_security_policy(app.config),
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
    )
