"""Static files as the app itself sends them (issue #17): every file
of ``static/`` and of Bootstrap-Flask's folder gets a content-hashed name
(``css/app.3f2a9c0d1b7e.css``), served with far-future immutable caching,
gzip and Brotli precompressed once, and a content ETag, by WhiteNoise ahead
of Flask. The plain names keep working (short caching) for whatever asks for
them by name: ES module imports are sent to the hashed names by the page's
import map.

The hashed and compressed copies live in ``STATIC_BUILD_DIR``, built at
start-up: a file whose content is already there is not compressed again, so
only the first start after a change pays for it. ``url_for('static', ...)``
and ``url_for('bootstrap.static', ...)`` answer the hashed URL.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

HASH_LENGTH = 12
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[A-Za-z0-9]+$")
# Bootstrap-Flask ships 20 Bootswatch themes and source maps: never sent.
# and the whole 1.1 MB icon sprite (static/css/icons.css carries the icons used).
SKIPPED = re.compile(r"(^|/)bootswatch/|^icons/bootstrap-icons\.svg$|\.map$|\.scss$")
# Plain names are asked for by module imports and old pages: an hour at most.
PLAIN_MAX_AGE = 3600


@dataclass
class StaticTree:
    endpoint: str  # the url_for endpoint: "static", "bootstrap.static"
    source: Path
    url_prefix: str  # "/static/"
    hashed: dict[str, str] = field(default_factory=dict)  # name -> hashed name


def hashed_name(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot or "/" in suffix:
        return f"{name}.{digest}"
    return f"{stem}.{digest}.{suffix}"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class StaticFiles:
    """The hashed, precompressed copies of the app's static trees."""

    def __init__(self, build_dir: Path, trees: list[StaticTree]):
        self.build_dir = build_dir
        self.trees = {tree.endpoint: tree for tree in trees}
        self.etags: dict[str, str] = {}  # built file -> ETag
        self.compressor = Compressor(quiet=True, log=lambda _message: None)

    def build(self) -> None:
        for tree in self.trees.values():
            target = self.build_dir / tree.endpoint
            for path in sorted(tree.source.rglob("*")):
                name = path.relative_to(tree.source).as_posix()
                if not path.is_file() or SKIPPED.search(name):
                    continue
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
                tree.hashed[name] = hashed_name(name, digest)
                packed: dict[str, bytes] | None = None
                for built in (target / tree.hashed[name], target / name):
                    self.etags[str(built)] = f'"{digest}"'
                    if self._is_current(built, data):
                        continue
                    if packed is None:
                        packed = self._compressed(built.name, data)
                    self._place(built, data, packed)

    @staticmethod
    def _is_current(built: Path, data: bytes) -> bool:
        try:
            return built.stat().st_size == len(data) and built.read_bytes() == data
        except OSError:
            return False

    def _compressed(self, name: str, data: bytes) -> dict[str, bytes]:
        if not self.compressor.should_compress(name):
            return {}
        packed = {
            ".gz": self.compressor.compress_gzip(data),
            ".br": self.compressor.compress_brotli(data),
        }
        # As WhiteNoise's own compressor: only what saves at least 5 %.
        return {suffix: body for suffix, body in packed.items() if len(body) <= 0.95 * len(data)}

    @staticmethod
    def _place(built: Path, data: bytes, packed: dict[str, bytes]) -> None:
        for suffix in (".gz", ".br"):
            if suffix in packed:
                _write_atomically(Path(f"{built}{suffix}"), packed[suffix])
            else:
                Path(f"{built}{suffix}").unlink(missing_ok=True)
        # Last: a file in place means its compressed forms are too.
        _write_atomically(built, data)

    def url_name(self, endpoint: str, name: str) -> str:
        tree = self.trees.get(endpoint)
        return tree.hashed.get(name, name) if tree else name

    def wrap(self, wsgi_app):
        server = WhiteNoise(
            wsgi_app,
            max_age=PLAIN_MAX_AGE,
            allow_all_origins=False,
            immutable_file_test=lambda _path, url: bool(HASHED_NAME.search(url)),
            add_headers_function=self._add_headers,
        )
        for tree in self.trees.values():
            server.add_files(str(self.build_dir / tree.endpoint), prefix=tree.url_prefix)
        return server

    def _add_headers(self, headers, path: str, _url: str) -> None:
        etag = self.etags.get(path)
        if etag:
            headers["ETag"] = etag
        # Talisman's headers are on Flask's responses only; WhiteNoise answers first.
        headers["X-Content-Type-Options"] = "nosniff"

    def import_map(self) -> dict[str, dict[str, str]]:
        """Every module under static/js/ to its hashed URL, for the page's import map."""
        tree = self.trees["static"]
        return {
            "imports": {
                f"{tree.url_prefix}{name}": f"{tree.url_prefix}{hashed}"
                for name, hashed in tree.hashed.items()
                if name.startswith("js/") and name.endswith(".js")
            }
        }


def init_static_files(app: Flask) -> None:
    trees = [StaticTree("static", Path(app.static_folder), f"{app.static_url_path}/")]
    bootstrap = app.blueprints.get("bootstrap")
    if bootstrap is not None and bootstrap.static_folder:
        trees.append(
            StaticTree(
                "bootstrap.static", Path(bootstrap.static_folder), f"{bootstrap.static_url_path}/"
            )
        )
    files = StaticFiles(Path(app.config["STATIC_BUILD_DIR"]), trees)
    files.build()
    app.extensions["skyframe.web.static_files"] = files

    @app.url_defaults
    def hashed_static_urls(endpoint: str, values: dict) -> None:
        if endpoint in files.trees and "filename" in values:
            values["filename"] = files.url_name(endpoint, values["filename"])

    app.jinja_env.globals["static_import_map"] = files.import_map
    app.wsgi_app = files.wrap(app.wsgi_app)  # type: ignore[method-assign]


def static_files() -> StaticFiles:
    return current_app.extensions["skyframe.web.static_files"]
