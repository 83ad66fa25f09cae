"""Trusted hosts and the public URL.

A request whose ``Host`` is not in ``TRUSTED_HOSTS`` (config.py resolves the
default: ``localhost``, ``127.0.0.1``, ``[::1]``, ``HOST`` and the host of
``PUBLIC_URL``) gets 400 before any before-request work, so a forged host never
reaches a share tag, the HTTPS redirect or Werkzeug's slash redirects. The
probes (``/healthz``, ``/readyz``) answer any host: load balancers call them by
the server's address, and they build no URL.

Flask 3.1 checks ``app.config["TRUSTED_HOSTS"]`` with Werkzeug's
``host_is_trusted``, which cuts every entry at its first colon (an IPv6
literal such as ``[::1]`` can never match) and compares case-sensitively; the
app class below checks the same list itself, with those two fixed, and the
request class hands Werkzeug no list of its own.

With ``PUBLIC_URL`` set, every absolute URL the app builds (``url_for`` with
``_external``, also outside requests, and the HTTPS redirect) starts with it
instead of the request's host.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from flask import Flask, Response, request
from flask.globals import _cv_request
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_host

from skyframe.web.errors import PLAIN_ERROR_PAGE, json_error, wants_json

# Answered whatever the Host (see the module's notes).
PROBE_PATHS = {"/healthz", "/readyz"}


def host_name(host: str) -> str:
    """The name in a ``host[:port]`` value, lower-cased (IPv6 in brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    return host.partition(":")[0]


def is_trusted(host: str, trusted: Iterable[str]) -> bool:
    """Whether ``host`` (a Host header value) names one of ``trusted``; an
    entry starting with a dot also trusts every subdomain."""
    name = host_name(host)
    if not name:
        return False
    for entry in trusted:
        entry = entry.strip().lower()
        if entry.startswith("."):
            if name == entry[1:] or name.endswith(entry):
                return True
        elif name == host_name(entry):
            return True
    return False


def check_host(environ: dict, trusted: Iterable[str] | None) -> None:
    """Raise SecurityError (400) unless the request's host is trusted."""
    if trusted is None:
        return
    host = get_host(
        environ["wsgi.url_scheme"],
        environ.get("HTTP_HOST"),
        (environ.get("SERVER_NAME", ""), int(environ.get("SERVER_PORT") or 0) or None),
    )
    if not is_trusted(host, trusted):
        raise SecurityError(f"Host {host!r} is not trusted.")


def refuse_untrusted_host():
    """First before-request work: an untrusted host is answered 400 here,
    plainly (the error page would build URLs, and there is no URL adapter)."""
    if isinstance(request.routing_exception, SecurityError):
        message = "The Host header names a site this server does not serve."
        if wants_json():
            return json_error(400, message, code="untrusted_host")
        return Response(
            PLAIN_ERROR_PAGE.format(status=400, title="Bad Request", message=message),
            status=400,
            mimetype="text/html",
        )
    return None


def public_origin(public_url: str) -> tuple[str, str]:
    """(scheme, netloc) of PUBLIC_URL."""
    parts = urlsplit(public_url)
    return parts.scheme, parts.netloc


class SkyFrameApp(Flask):
    """Flask, with SkyFrame's host check and PUBLIC_URL for absolute URLs."""

    def create_url_adapter(self, request):  # type: ignore[override]
        if request is not None and request.path not in PROBE_PATHS:
            check_host(request.environ, self.config["TRUSTED_HOSTS"])
        return super().create_url_adapter(request)

    def url_for(  # type: ignore[override]
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values,
    ) -> str:
        public = self.config.get("PUBLIC_URL")
        in_request = _cv_request.get(None) is not None
        external = _external if _external is not None else (_scheme is not None or not in_request)
        if not public or not external:
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        scheme, netloc = public_origin(public)
        if in_request:
            path = super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _external=False, **values
            )
            return f"{_scheme or scheme}://{netloc}{path}"
        # Outside a request (CLI, jobs): build against PUBLIC_URL itself.
        adapter = self.url_map.bind(netloc, url_scheme=_scheme or scheme)
        self.inject_url_defaults(endpoint, values)
        url = adapter.build(endpoint, values, method=_method, force_external=True)
        if _anchor is not None:
            url += "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")
        return url
