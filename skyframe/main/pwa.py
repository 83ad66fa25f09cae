"""Installability and offline: the web app manifest, the service worker (served
at the root so its scope is the whole site) and the offline page it falls
back to.

The worker's cache names carry a version made from the bytes of every file it
precaches, so a deploy that changes any of them replaces the old caches.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Response, current_app, render_template, url_for

from skyframe.extensions import limiter
from skyframe.main.blueprint import bp

THEME_COLOUR = "#0b1020"

# The app shell: what every page needs to paint, plus the offline page.
SHELL_STATIC = [
    "css/bootstrap.css",
    "css/app.css",
    "css/icons.css",
    "js/app.js",
    "js/api.js",
    "js/motd.js",
    "js/components.js",
    "js/pwa.js",
    "js/offline.js",
    "icons/skyframe.svg",
    "icons/icon-192.png",
]
SHELL_BOOTSTRAP = [
    "js/bootstrap.min.js",
]


def _shell_files() -> list[tuple[str, Path]]:
    """(URL, file) of every precached static file."""
    bootstrap = current_app.blueprints["bootstrap"]
    files = [
        (url_for("static", filename=name), Path(current_app.static_folder) / name)
        for name in SHELL_STATIC
    ]
    files += [
        (url_for("bootstrap.static", filename=name), Path(bootstrap.static_folder) / name)
        for name in SHELL_BOOTSTRAP
    ]
    return files


def shell_version() -> str:
    """A digest of the shell's files and the worker's own template (cached per app)."""
    cached = current_app.extensions.get("skyframe.shell_version")
    if cached:
        return cached
    digest = hashlib.sha256()
    worker = Path(current_app.root_path).parent / "templates" / "pwa" / "sw.js"
    for _, path in [*_shell_files(), ("", worker)]:
        digest.update(path.read_bytes())
    version = digest.hexdigest()[:12]
    current_app.extensions["skyframe.shell_version"] = version
    return version


@bp.get("/manifest.webmanifest")
@limiter.exempt
def manifest():
    icon = lambda name: url_for("static", filename=f"icons/{name}")  # noqa: E731
    document = {
        "id": "/",
        "name": "SkyFrame",
        "short_name": "SkyFrame",
        "description": "Share and discover astrophotography in a vertical feed.",
        "start_url": url_for("main.index") + "?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": THEME_COLOUR,
        "categories": ["photo", "social", "education"],
        "icons": [
            {"src": icon("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": icon("maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {
                "name": "Upload a capture",
                "short_name": "Upload",
                "url": url_for("main.upload"),
                "icons": [
                    {"src": icon("shortcut-upload.png"), "sizes": "96x96", "type": "image/png"}
                ],
            },
            {
                "name": "Search",
                "short_name": "Search",
                "url": url_for("main.search"),
                "icons": [
                    {"src": icon("shortcut-search.png"), "sizes": "96x96", "type": "image/png"}
                ],
            },
        ],
    }
    response = current_app.response_class(
        current_app.json.dumps(document), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sw.js")
@limiter.exempt
def service_worker():
    body = render_template(
        "pwa/sw.js",
        version=shell_version(),
        shell=[url for url, _ in _shell_files()] + [url_for("main.offline")],
        offline_url=url_for("main.offline"),
        image_cap=current_app.config["OFFLINE_IMAGES_MAX"],
        image_bytes=current_app.config["OFFLINE_IMAGES_MAX_KB"] * 1024,
    )
    response = Response(body, mimetype="text/javascript")
    # Browsers check for a new worker on navigations; never let a cache hide one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@limiter.exempt
def offline():
    """Shown by the service worker when a page cannot be loaded. It is cached
    for everyone, so it holds nothing about the visitor (no CSRF token)."""
    response = Response(render_template("pwa/offline.html", version=shell_version()))
    response.headers["Cache-Control"] = "no-cache"
    return response
