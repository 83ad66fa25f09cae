#!/usr/bin/env python3
"""Go live on SkyFrame from capture software: watch the folder it saves to.

    python skyframe_live.py --server https://skyframe.example --token sf_pat_… \\
        --watch ~/SharpCap/Captures --title "M42 from the garden" --object M42

Starts a live session, then checks the folder (and its subfolders) every
--interval seconds for new image files (JPEG, PNG, TIFF, FITS: .jpg .jpeg
.png .tif .tiff .fit .fits .fts). A file is sent once its size and
modification time are the same at two checks in a row, i.e. once the
capture software has finished writing it; a file written again later (a
live stack saved over itself) is sent again. Files already in the folder
when the script starts are left alone unless --include-existing is given.

When the network drops or the server answers 5xx or 429, the request is
tried again after 1, 2, 4 … seconds (at most --max-backoff; a Retry-After
from the server is honoured). A file the server refuses (not an image, too
large …) is skipped with the server's reason. If the session was ended
meanwhile (by hand on the site, or after 15 minutes without frames), a new
one is started. Ctrl-C (SIGINT) or SIGTERM ends the session and exits; a
second Ctrl-C exits at once.

Make the token on the site: Settings → Access tokens. The token can also
be given in the SKYFRAME_TOKEN environment variable (then it does not show
in the list of running processes). Needs Python 3.9+ and `requests`, nothing
else. Exit status: 0 after a clean stop, 2 when the server refuses the token
or the session (the message says why), 1 on other errors.
"""

from __future__ import annotations

import argparse
import email.utils
import logging
import mimetypes
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

__version__ = "1.0"

log = logging.getLogger("skyframe_live")

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".fit", ".fits", ".fts"})
CONTENT_TYPES = {
    ".fit": "application/fits",
    ".fits": "application/fits",
    ".fts": "application/fits",
}
# Files capture software is still writing or keeps for itself.
TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 120  # a large FITS on a slow uplink
RETRY_AFTER_MAX = 3600
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class Stop(BaseException):
    """SIGINT or SIGTERM: end the session and leave."""


class Refused(Exception):
    """The server refused a request with a 4xx answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class Fatal(Exception):
    """Nothing more can be done (a refused token, a refused session)."""


# -- talking to the server --------------------------------------------------------


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (it may be a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_MAX)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), RETRY_AFTER_MAX))


def describe_refusal(response: requests.Response) -> Refused:
    try:
        error = response.json()["error"]
        code, message = str(error.get("code", "error")), str(error.get("message", ""))
        fields = error.get("fields") or {}
        if fields:
            message += " (" + "; ".join(f"{k}: {v}" for k, v in fields.items()) + ")"
    except (ValueError, KeyError, TypeError, AttributeError):
        code, message = "error", response.text[:200].strip() or response.reason
    return Refused(response.status_code, code, message)


@dataclass
class Client:
    """The few API calls the uploader makes, each retried through network
    failures, 5xx and 429 answers with exponential back-off."""

    server: str
    token: str
    backoff: float = 1.0
    max_backoff: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    http: requests.Session = field(default_factory=requests.Session)
    # Called before each wait between tries (a held stop is taken there).
    before_wait: Callable[[], None] = lambda: None

    def __post_init__(self) -> None:
        self.server = self.server.rstrip("/")
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.http.headers["User-Agent"] = f"skyframe-live/{__version__}"

    def url(self, path: str) -> str:
        return f"{self.server}/api/v1{path}"

    def call(
        self,
        method: str,
        path: str,
        *,
        json: dict | None = None,
        file: Path | None = None,
        attempts: int | None = None,
    ) -> dict[str, Any]:
        """The answer's JSON; Refused for a 4xx other than 429. Tries until it
        gets an answer (or ``attempts`` times, then raises the last problem)."""
        delay = self.backoff
        tried = 0
        while True:
            tried += 1
            wait: float | None = None
            try:
                response = self._send(method, path, json=json, file=file)
            except requests.RequestException as exc:
                problem = f"network problem ({type(exc).__name__})"
                if attempts is not None and tried >= attempts:
                    raise
            else:
                if response.status_code < 400:
                    return response.json() if response.content else {}
                if response.status_code not in RETRIED_STATUSES:
                    raise describe_refusal(response)
                problem = f"the server answered {response.status_code}"
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                if attempts is not None and tried >= attempts:
                    raise describe_refusal(response)
            pause = wait if wait is not None else delay
            self.before_wait()
            log.warning("%s; trying again in %s", problem, _seconds(pause))
            self.sleep(pause)
            delay = min(delay * 2, self.max_backoff)

    def _send(self, method, path, *, json=None, file=None) -> requests.Response:
        timeout = (CONNECT_TIMEOUT, READ_TIMEOUT)
        if file is None:
            return self.http.request(method, self.url(path), json=json, timeout=timeout)
        kind = CONTENT_TYPES.get(file.suffix.lower()) or (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        with file.open("rb") as body:  # opened afresh for every try
            return self.http.request(
                method, self.url(path), files={"file": (file.name, body, kind)}, timeout=timeout
            )

    def start(self, title: str, target: str | None) -> dict[str, Any]:
        body = {"title": title, **({"object": target} if target else {})}
        return self.call("POST", "/live", json=body)["session"]

    def session(self, session_id: int) -> dict[str, Any]:
        return self.call("GET", f"/live/{session_id}")["session"]

    def push(self, session_id: int, path: Path) -> dict[str, Any]:
        return self.call("POST", f"/live/{session_id}/frames", file=path)

    def end(self, session_id: int) -> dict[str, Any]:
        return self.call("POST", f"/live/{session_id}/end", attempts=3)["session"]


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 1 else f"{value:.2f} s"


# -- watching the folder ----------------------------------------------------------


Signature = tuple[int, int]  # size, modification time (ns)


def is_image(path: Path) -> bool:
    name = path.name
    return (
        path.suffix.lower() in IMAGE_EXTENSIONS
        and not name.startswith((".", "~"))
        and not name.lower().endswith(TEMPORARY_SUFFIXES)
    )


@dataclass
class Watcher:
    """Finds finished image files by polling: a file is ready once it looks
    the same (size and modification time, size above zero) at two checks in
    a row, and it is ready again only when it changes."""

    folder: Path
    recursive: bool = True
    seen: dict[Path, Signature] = field(default_factory=dict)
    sent: dict[Path, Signature] = field(default_factory=dict)

    def files(self) -> dict[Path, Signature]:
        found: dict[Path, Signature] = {}
        walk = os.walk(self.folder) if self.recursive else [(self.folder, [], None)]
        for directory, subdirectories, names in walk:
            subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
            if names is None:
                names = [entry.name for entry in os.scandir(directory) if entry.is_file()]
            for name in names:
                path = Path(directory, name)
                if not is_image(path):
                    continue
                try:
                    stat = path.stat()
                except OSError:
                    continue  # gone between the listing and now
                found[path] = (stat.st_size, stat.st_mtime_ns)
        return found

    def skip_existing(self) -> int:
        """Take what is in the folder now as sent already; how many files."""
        self.sent = self.files()
        return len(self.sent)

    def ready(self) -> list[Path]:
        """One check: the files that are finished and not sent as they are,
        oldest first."""
        now = self.files()
        finished = [
            path
            for path, signature in now.items()
            if signature[0] > 0
            and self.seen.get(path) == signature
            and self.sent.get(path) != signature
        ]
        self.seen = now
        return sorted(finished, key=lambda path: (now[path][1], str(path)))

    def done(self, path: Path) -> None:
        """Sent (or refused): not again unless it changes."""
        if path in self.seen:
            self.sent[path] = self.seen[path]


# -- the loop ---------------------------------------------------------------------


@dataclass
class Uploader:
    client: Client
    watcher: Watcher
    title: str
    target: str | None = None
    interval: float = 2.0
    session_id: int | None = None
    sleep: Callable[[float], None] = time.sleep
    frames: int = 0
    signals: Signals | None = None

    def go_live(self) -> None:
        held = self.signals.held() if self.signals is not None else nullcontext()
        try:
            with held:
                live = self.client.start(self.title, self.target)
        except Refused as exc:
            if exc.code == "already_live":
                raise Fatal(
                    "You are live already in another session: end it on the site, or "
                    "continue it with --session ID."
                ) from exc
            raise Fatal(f"The server would not start a session: {exc}") from exc
        self.session_id = live["id"]
        owner = live.get("owner", {}).get("handle")
        where = f" — watch it at {self.client.server}/live/{owner}" if owner else ""
        log.info("Live: session %s started%s", live["id"], where)
        if self.signals is not None:
            self.signals.check()  # a stop that came meanwhile ends it now

    def resume(self, session_id: int) -> None:
        try:
            live = self.client.session(session_id)
        except Refused as exc:
            raise Fatal(f"Cannot continue session {session_id}: {exc}") from exc
        if live.get("status") != "live":
            raise Fatal(f"Session {session_id} has ended: start a new one (leave out --session).")
        self.session_id = session_id
        log.info("Live: continuing session %s", session_id)

    def send(self, path: Path) -> None:
        assert self.session_id is not None
        for _ in range(2):  # once more in a new session if this one ended
            try:
                self.client.push(self.session_id, path)
            except FileNotFoundError:
                log.warning("Skipped %s: it was removed before it could be sent", path.name)
                return
            except Refused as exc:
                if exc.status in (401, 403):  # the token, or the account (suspended)
                    raise Fatal(f"The server refused the frame: {exc}") from exc
                if exc.code == "session_ended" or exc.status == 404:
                    log.warning("The session has ended on the server; starting a new one")
                    self.go_live()
                    continue
                log.warning("Skipped %s: the server refused it (%s)", path.name, exc)
                return
            self.frames += 1
            size = path.stat().st_size if path.exists() else 0
            log.info("Sent %s (%s) — frame %d", path.name, _size(size), self.frames)
            return

    def check_once(self) -> int:
        sent = 0
        for path in self.watcher.ready():
            self.send(path)
            self.watcher.done(path)
            sent += 1
        return sent

    def run(self) -> None:
        while True:
            self.check_once()
            self.sleep(self.interval)

    def end(self) -> None:
        if self.session_id is None:
            return
        try:
            self.client.end(self.session_id)
        except (Refused, requests.RequestException) as exc:
            log.error(
                "Could not end session %s (%s): it ends by itself after a while without frames.",
                self.session_id,
                exc,
            )
            return
        log.info("Session %s ended after %s.", self.session_id, _count(self.frames, "frame"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return str(count)


# -- the command --------------------------------------------------------------------


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="skyframe_live.py",
        description=(
            "Go live on SkyFrame: start a live session, send every new image the "
            "capture software saves in a folder (JPEG, PNG, TIFF, FITS) as a frame, "
            "and end the session on Ctrl-C."
        ),
        epilog=(
            "Point --watch at the folder where SharpCap, N.I.N.A., ASIAIR or KStars/Ekos "
            "save live stacks or snapshots (see the README, 'Going live from capture "
            "software'). Make the token on the site under Settings → Access tokens."
        ),
    )
    parser.add_argument("--server", required=True, help="the site, e.g. https://skyframe.example")
    parser.add_argument(
        "--token",
        default=os.environ.get("SKYFRAME_TOKEN"),
        help="a personal access token with the 'live' scope (sf_pat_…); "
        "default: the SKYFRAME_TOKEN environment variable",
    )
    parser.add_argument(
        "--watch",
        required=True,
        type=Path,
        metavar="FOLDER",
        help="the folder the capture software saves images to",
    )
    parser.add_argument(
        "--title",
        default="Live at the telescope",
        help="the session's title (up to 120 characters)",
    )
    parser.add_argument(
        "--object",
        dest="target",
        metavar="OBJECT",
        help='the target, e.g. "M42", "NGC 7000", "Jupiter"',
    )
    parser.add_argument(
        "--session",
        type=int,
        metavar="ID",
        help="continue this running session instead of starting one",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often to look for new files (default: 2)",
    )
    parser.add_argument(
        "--backoff",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="the first wait before trying a failed request again, doubled each time (default: 1)",
    )
    parser.add_argument(
        "--max-backoff",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the longest wait between tries (default: 60)",
    )
    parser.add_argument(
        "--include-existing", action="store_true", help="also send the images already in the folder"
    )
    parser.add_argument(
        "--no-subfolders",
        dest="recursive",
        action="store_false",
        help="look in FOLDER only, not in its subfolders",
    )
    parser.add_argument("--quiet", action="store_true", help="report problems only")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    arguments = parser.parse_args(argv)
    scheme = urlsplit(arguments.server).scheme
    if scheme not in ("http", "https") or not urlsplit(arguments.server).netloc:
        parser.error("--server must be a URL such as https://skyframe.example")
    if not arguments.token:
        parser.error("give --token (or set SKYFRAME_TOKEN)")
    if not arguments.watch.is_dir():
        parser.error(f"--watch: {arguments.watch} is not a folder")
    if arguments.interval <= 0 or arguments.backoff <= 0 or arguments.max_backoff <= 0:
        parser.error("--interval, --backoff and --max-backoff must be above zero")
    return arguments


class Signals:
    """SIGINT and SIGTERM raise Stop, except while a session is being
    started: a stop then waits for the server's answer, so that a session
    the server made is known and ended (a second signal stops at once)."""

    def __init__(self) -> None:
        self.holding = False
        self.pending: str | None = None

    def handle(self, signum, _frame) -> None:
        name = signal.Signals(signum).name
        if self.holding and self.pending is None:
            self.pending = name
            log.info("Stopping once the server has answered (%s again stops at once)", name)
            return
        raise Stop(name)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False

    def check(self) -> None:
        """Stop now if a signal came while held."""
        if self.pending is not None:
            raise Stop(self.pending)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(
        format="%(asctime)s %(message)s",
        datefmt="%H:%M:%S",
        level=logging.WARNING if arguments.quiet else logging.INFO,
    )
    client = Client(
        arguments.server,
        arguments.token,
        backoff=arguments.backoff,
        max_backoff=arguments.max_backoff,
    )
    watcher = Watcher(arguments.watch.resolve(), recursive=arguments.recursive)
    uploader = Uploader(client, watcher, arguments.title, arguments.target, arguments.interval)
    signals = Signals()
    client.before_wait = signals.check
    uploader.signals = signals
    signal.signal(signal.SIGINT, signals.handle)
    signal.signal(signal.SIGTERM, signals.handle)
    status = 0
    try:
        if not arguments.include_existing:
            count = watcher.skip_existing()
            if count:
                already = _count(count, "image")
                log.info("Leaving the %s already in %s alone", already, watcher.folder)
        if arguments.session:
            uploader.resume(arguments.session)
        else:
            uploader.go_live()
        log.info("Watching %s for new images (Ctrl-C to end the session)", watcher.folder)
        uploader.run()
    except Stop as stop:
        log.info("Stopping (%s)", stop)
    except Fatal as exc:
        log.error("%s", exc)
        status = 2
    except Exception as exc:  # the message, not a traceback, for people at a telescope
        log.error("Stopped by an unexpected problem: %s: %s", type(exc).__name__, exc)
        status = 1
    # A second Ctrl-C while the session ends leaves at once.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        uploader.end()
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
