"""Many viewers of one live session: fan-out latency and memory per stream.

    make prod
    .venv/bin/python benchmarks/live_viewers.py [--viewers 500] [--frames 5]

Against `make prod` (nginx on PROD_PORT, the events pool behind it; PROD_DIR
says where its PIDs are): an observer signs up and goes live (cookie and
CSRF, as a browser would), ``--viewers`` clients open
``GET /api/v1/live/<id>/events`` at once (asyncio streams on loopback, each
from one of ``--addresses`` loopback addresses 127.0.1.x so nginx's
per-client limits meet them as they would meet phones), then the observer
uploads ``--frames`` frames ``--interval`` seconds apart. For each frame and
viewer it takes the time from the upload's response to that viewer's
``event: frame`` naming the frame, and prints p50/p95/p99/max, how many of
them arrived within ``--deadline`` (2 s), and the events pool's memory per
open stream (the resident memory of its processes with every viewer
connected, minus before, divided by the viewers; the pool is restarted
first, since gthread keeps the threads earlier streams made). A viewer the pool turns
away (503) tries again after its Retry-After, as a browser does.

Standard library only for the clients (Pillow makes the frames); loopback
only; the run stops by itself after ``--max-seconds`` at the latest.

Without `make prod`: point ``--url`` at an app server (uploads) and
``--events-url`` at a gunicorn gthread process serving the events (both
with PUBLISH_URL on the same Redis), and ``--events-pid`` at that process.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.client
import http.cookiejar
import io
import json
import os
import secrets
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PROD_DIR = Path(os.environ.get("PROD_DIR") or ROOT / "instance" / "prod").resolve()
PROD_PORT = int(os.environ.get("PROD_PORT") or 8080)
PASSWORD = "Orion-Nebula-42-live"  # a benchmark account


# The observer: a signed-in browser, standard library


class _FromAddress(urllib.request.HTTPHandler):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req):
        connect = functools.partial(http.client.HTTPConnection, source_address=(self.source, 0))
        return self.do_open(connect, req)


class Observer:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        # A loopback address of its own each run: sign-ups are limited per address.
        source = f"127.0.{secrets.randbelow(200) + 3}.{secrets.randbelow(250) + 1}"
        self.opener = urllib.request.build_opener(
            _FromAddress(source), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = ""

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str = ""):
        headers = {"X-CSRFToken": self.csrf, "Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.base + path, data=body, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def json(self, method: str, path: str, payload: dict):
        return self.call(method, path, json.dumps(payload).encode(), "application/json")

    def sign_up_and_go_live(self) -> int:
        self.csrf = self.call("GET", "/api/v1/auth/csrf")[1]["csrf_token"]
        handle = f"livebench{uuid.uuid4().hex[:8]}"
        status, body = self.json(
            "POST",
            "/api/v1/auth/register",
            {
                "email": f"{handle}@example.org",
                "handle": handle,
                "display_name": handle,
                "password": PASSWORD,
            },
        )
        if status != 201:
            raise SystemExit(f"sign-up failed: {status} {body}")
        self.csrf = self.call("GET", "/api/v1/auth/csrf")[1]["csrf_token"]
        status, body = self.json("POST", "/api/v1/live", {"title": "Benchmark: M42 live stack"})
        if status != 201:
            raise SystemExit(f"going live failed: {status} {body}")
        return int(body["session"]["id"])

    def push_frame(self, session_id: int, image: bytes) -> tuple[float, float, int]:
        """Upload a frame: (sent at, answered at, the frame's id)."""
        boundary = secrets.token_hex(16)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="stack.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            + image
            + f"\r\n--{boundary}--\r\n".encode()
        )
        sent = time.perf_counter()
        status, answer = self.call(
            "POST",
            f"/api/v1/live/{session_id}/frames",
            body,
            f"multipart/form-data; boundary={boundary}",
        )
        answered = time.perf_counter()
        if status != 201:
            raise SystemExit(f"frame upload failed: {status} {answer}")
        frame = answer.get("frame", answer)
        return sent, answered, int(frame["id"])

    def end(self, session_id: int) -> None:
        self.call("POST", f"/api/v1/live/{session_id}/end")


def frame_image(number: int) -> bytes:
    """A 1280×960 JPEG of noise and a number (a small live stack)."""
    from PIL import Image, ImageDraw

    image = Image.effect_noise((1280, 960), 40 + number).convert("RGB")
    ImageDraw.Draw(image).text((40, 40), f"frame {number}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


# The viewers: asyncio streams parsing text/event-stream


class Viewer:
    def __init__(self, number: int, source: str) -> None:
        self.number = number
        self.source = source
        self.connected = asyncio.Event()
        self.frames: dict[int, float] = {}  # frame id → when its event arrived
        self.refused = 0
        self.error = ""

    async def watch(self, host: str, port: int, path: str) -> None:
        """Connect (again after a 503), then read events until cancelled."""
        for _attempt in range(20):
            try:
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(self.source, 0)
                )
            except OSError as exc:
                self.error = f"connect: {exc}"
                return
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode()
            )
            await writer.drain()
            status_line = await reader.readline()
            headers = {}
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            status = int(status_line.split()[1]) if status_line else 0
            if status == 503:
                self.refused += 1
                writer.close()
                await asyncio.sleep(float(headers.get("retry-after", "1") or 1))
                continue
            if status != 200:
                self.error = f"status {status}"
                writer.close()
                return
            self.connected.set()
            try:
                await self._read(reader, headers)
            finally:
                writer.close()
            return

    async def _read(self, reader, headers: dict) -> None:
        chunked = "chunked" in headers.get("transfer-encoding", "")
        buffer = b""
        kind, data = "", []
        while True:
            chunk = await (_read_chunk(reader) if chunked else reader.read(65536))
            if not chunk:
                self.error = self.error or "stream closed"
                return
            arrived = time.perf_counter()
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                line = raw.rstrip(b"\r").decode()
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line == "":
                    if kind == "frame" and data:
                        frame_id = _frame_id("\n".join(data))
                        if frame_id is not None:
                            self.frames.setdefault(frame_id, arrived)
                    kind, data = "", []


async def _read_chunk(reader) -> bytes:
    size_line = await reader.readline()
    if not size_line:
        return b""
    size = int(size_line.split(b";")[0].strip() or b"0", 16)
    if size == 0:
        return b""
    chunk = await reader.readexactly(size)
    await reader.readexactly(2)
    return chunk


def _frame_id(data: str) -> int | None:
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    frame = parsed.get("frame", parsed) if isinstance(parsed, dict) else None
    if isinstance(frame, dict) and isinstance(frame.get("id"), int):
        return frame["id"]
    return None


# Memory of the events pool


def pool_pids(master: int) -> list[int]:
    """The master and its children (the workers)."""
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def resident_kib(master: int) -> int:
    total = 0
    for pid in pool_pids(master):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def events_master(explicit: int | None) -> int | None:
    if explicit:
        return explicit
    pids = PROD_DIR / "run" / "pids.json"
    if not pids.exists():
        return None
    return int(json.loads(pids.read_text())["events"]["pid"])


def restart_events_pool() -> int:
    """A fresh events pool of `make prod` (scripts/prod.py), so the memory
    it grows by is the streams': gthread keeps the threads earlier streams
    made, and Python keeps the memory it had."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("prod", ROOT / "scripts" / "prod.py")
    prod = importlib.util.module_from_spec(spec)
    sys.modules["prod"] = prod
    spec.loader.exec_module(prod)
    prod.stop("events")
    prod.start_events_pool()
    prod.wait_until(
        "the events pool", lambda: prod.http_ok(f"http://127.0.0.1:{prod.EVENTS_PORT}/readyz")
    )
    return int(prod.recorded()["events"]["pid"])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# The run


async def run(options: argparse.Namespace) -> int:
    master = options.events_pid
    observer = Observer(options.url)
    loop = asyncio.get_running_loop()
    session_id = await loop.run_in_executor(None, observer.sign_up_and_go_live)
    events = urlsplit(options.events_url or options.url)
    path = f"/api/v1/live/{session_id}/events"
    images = [frame_image(n) for n in range(options.frames)]
    await asyncio.sleep(1)
    before = resident_kib(master)

    viewers = [Viewer(n, f"127.0.1.{1 + n % options.addresses}") for n in range(options.viewers)]
    tasks = [
        asyncio.create_task(v.watch(events.hostname, events.port or 80, path)) for v in viewers
    ]
    started = time.perf_counter()
    connect_deadline = started + options.connect_seconds
    while time.perf_counter() < connect_deadline:
        if all(v.connected.is_set() or v.error for v in viewers):
            break
        await asyncio.sleep(0.1)
    connected = [v for v in viewers if v.connected.is_set() and not v.error]
    print(
        f"session {session_id}: {len(connected)}/{options.viewers} viewers connected in "
        f"{time.perf_counter() - started:.1f} s (503s retried: "
        f"{sum(v.refused for v in viewers)}; failed: {sum(1 for v in viewers if v.error)})"
    )
    reasons = sorted({v.error for v in viewers if v.error})
    if reasons:
        print(f"  why viewers failed: {'; '.join(reasons[:5])}")
    await asyncio.sleep(options.settle)  # let the viewer-count events die down
    after = resident_kib(master)

    rounds = []
    for image in images:
        sent, answered, frame_id = await loop.run_in_executor(
            None, observer.push_frame, session_id, image
        )
        await asyncio.sleep(options.interval)
        rounds.append((sent, answered, frame_id))
        print(f"  frame {frame_id}: upload answered in {1000 * (answered - sent):.0f} ms")

    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await loop.run_in_executor(None, observer.end, session_id)

    from_answer, from_sent, spread, missing, late = [], [], [], 0, 0
    for sent, answered, frame_id in rounds:
        arrivals = [v.frames[frame_id] for v in connected if frame_id in v.frames]
        missing += len(connected) - len(arrivals)
        for arrived in arrivals:
            from_answer.append(arrived - answered)
            from_sent.append(arrived - sent)
            spread.append(arrived - min(arrivals))
            late += arrived - sent > options.deadline
    expected = len(rounds) * len(connected)
    print(f"\n{len(connected)} viewers × {len(rounds)} frames = {expected} deliveries")
    if from_answer:
        for label, values in (
            ("upload's response → `event: frame`", from_answer),
            ("upload sent → `event: frame`      ", from_sent),
            ("first viewer's event → each one's ", spread),
        ):
            ms = [1000 * value for value in values]
            print(
                f"{label} (ms): p50 {percentile(ms, 0.5):6.0f}  p95 {percentile(ms, 0.95):6.0f}"
                f"  p99 {percentile(ms, 0.99):6.0f}  max {max(ms):6.0f}"
                f"  mean {statistics.fmean(ms):6.0f}"
            )
        print(
            "  (negative: the event reached the viewer before the upload's response reached "
            "the uploader; events go out when the frame's transaction commits)"
        )
    within = expected - missing - late
    print(
        f"within {options.deadline:.0f} s of the upload being sent: {within}/{expected} "
        f"(late {late}, never arrived {missing})"
    )
    grown = after - before
    print(
        f"events pool resident memory: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB "
        f"with {len(connected)} streams open: {grown / max(1, len(connected)):.1f} KiB "
        "per stream"
    )
    everyone = len(connected) == options.viewers and within == expected
    return 0 if everyone else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{PROD_PORT}")
    parser.add_argument("--events-url", default="", help="where viewers connect (--url)")
    parser.add_argument("--events-pid", type=int, help="the events server's master PID")
    parser.add_argument(
        "--keep-pool",
        action="store_true",
        help="do not restart make prod's events pool first (its memory then includes "
        "what earlier runs left)",
    )
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--addresses", type=int, default=100, help="loopback sources")
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between frames")
    parser.add_argument("--deadline", type=float, default=2.0)
    parser.add_argument("--connect-seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    options = parser.parse_args()
    for host in (urlsplit(options.url).hostname, urlsplit(options.events_url).hostname):
        if host not in (None, "127.0.0.1", "localhost", "::1"):
            raise SystemExit("loopback only: --url and --events-url must be on this machine")
    explicit = options.events_pid
    options.events_pid = events_master(explicit)
    if options.events_pid and not explicit and not options.keep_pool:
        options.events_pid = restart_events_pool()
    if options.events_pid is None:
        # Not a failure of `make bench`, which runs every benchmark: said, not run.
        print(f"not run: no {PROD_DIR}/run/pids.json; start `make prod`, or pass --events-pid")
        return
    try:
        code = asyncio.run(asyncio.wait_for(run(options), options.max_seconds))
    except TimeoutError:
        print(f"stopped after --max-seconds {options.max_seconds:.0f}")
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
