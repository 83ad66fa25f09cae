"""scripts/skyframe_live.py, the shipped uploader, against a stub of the live
API on 127.0.0.1 (http.server in a thread) that can drop connections and
answer 503, 429 or a refusal: it sends each finished image once, retries
through failures with back-off (honouring Retry-After), skips what the
server refuses, starts again when its session ended, and ends the session
on SIGINT and SIGTERM. Waits are recorded, not slept, where the loop runs
in this process; the subprocess runs poll quickly and are waited for by
condition, never by a time limit on the work."""

from __future__ import annotations

import email.parser
import email.policy
import importlib.util
import json
import logging
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from skyframe.paths import PROJECT_ROOT

pytestmark = pytest.mark.one_database

SCRIPT = PROJECT_ROOT / "scripts" / "skyframe_live.py"


def _load_script():
    # Registered under its name first: dataclasses look their module up.
    spec = importlib.util.spec_from_file_location("skyframe_live", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["skyframe_live"] = module
    spec.loader.exec_module(module)
    return module


live = _load_script()
TOKEN = "sf_pat_" + "t" * 43
# Long enough for a slow machine shared with other test runs; conditions end the waits.
PATIENCE = 60


@dataclass
class StubState:
    sessions: dict[int, str] = field(default_factory=dict)
    frames: list[tuple[int, str, bytes]] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    # Faults for the next requests, per route: "drop" or (status, headers, error code).
    faults: dict[str, deque] = field(default_factory=lambda: {"start": deque(), "frames": deque()})
    authorizations: list[str | None] = field(default_factory=list)
    # Set: starts are answered; cleared, a start waits for it (start_seen tells it came).
    answer_starts: threading.Event = field(default_factory=threading.Event)
    start_seen: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


def stub_handler(state: StubState):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def answer(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def fault(self, route: str) -> bool:
            with state.lock:
                pending = state.faults[route]
                fault = pending.popleft() if pending else None
            if fault is None:
                return False
            if fault == "drop":
                # The request is read, then the connection closes with no answer.
                self.close_connection = True
                self.connection.close()
                return True
            status, headers, code = fault
            self.answer(status, {"error": {"code": code, "message": f"stub says {code}"}}, headers)
            return True

        def body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def session_json(self, session_id: int) -> dict:
            return {
                "id": session_id,
                "owner": {"handle": "vega", "display_name": "Vega", "avatar_url": "/a"},
                "title": "t",
                "status": state.sessions[session_id],
            }

        def do_GET(self):
            session_id = int(self.path.split("/")[4])
            if session_id not in state.sessions:
                return self.answer(404, {"error": {"code": "not_found", "message": "No."}})
            return self.answer(200, {"session": self.session_json(session_id)})

        def do_POST(self):
            state.authorizations.append(self.headers.get("Authorization"))
            body = self.body()
            parts = self.path.split("/")  # /api/v1/live[/<id>/frames|end]
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.answer(401, {"error": {"code": "invalid_token", "message": "No."}})
            if self.path == "/api/v1/live":
                state.start_seen.set()
                state.answer_starts.wait()
                if self.fault("start"):
                    return None
                with state.lock:
                    session_id = len(state.sessions) + 1
                    state.sessions[session_id] = "live"
                return self.answer(201, {"session": self.session_json(session_id)})
            session_id = int(parts[4])
            if parts[5] == "end":
                state.sessions[session_id] = "ended"
                state.ended.append(session_id)
                return self.answer(200, {"session": self.session_json(session_id)})
            if self.fault("frames"):
                return None
            if state.sessions.get(session_id) != "live":
                return self.answer(409, {"error": {"code": "session_ended", "message": "Ended."}})
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
            )
            part = next(message.iter_parts())
            with state.lock:
                state.frames.append((session_id, part.get_filename(), part.get_content()))
                frame_id = len(state.frames)
            return self.answer(201, {"id": frame_id, "session_id": session_id})

    return Handler


@pytest.fixture
def stub():
    state = StubState()
    state.answer_starts.set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), stub_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


class Waits(list):
    """A sleep that records how long it was asked to wait, and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def uploader_for(stub, folder: Path, waits=None, **client_settings):
    waits = Waits() if waits is None else waits
    client = live.Client(stub.url, TOKEN, sleep=waits, **client_settings)
    watcher = live.Watcher(folder)
    uploader = live.Uploader(client, watcher, "M42 tonight", "M42", sleep=waits)
    return uploader, waits


def write(path: Path, data: bytes = b"\xff\xd8 frame") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- the folder -------------------------------------------------------------------------


def test_a_file_is_ready_once_it_looks_the_same_at_two_checks(tmp_path):
    watcher = live.Watcher(tmp_path)
    frame = write(tmp_path / "Stack_001.fits", b"SIMPLE  = T")
    assert watcher.ready() == []
    assert watcher.ready() == [frame]
    watcher.done(frame)
    assert watcher.ready() == []


def test_a_file_still_growing_waits(tmp_path):
    watcher = live.Watcher(tmp_path)
    frame = write(tmp_path / "live.png", b"\x89PNG part")
    assert watcher.ready() == []
    with frame.open("ab") as growing:
        growing.write(b" more")
    assert watcher.ready() == []
    assert watcher.ready() == [frame]


def test_an_empty_file_is_not_finished(tmp_path):
    watcher = live.Watcher(tmp_path)
    write(tmp_path / "empty.jpg", b"")
    watcher.ready()
    assert watcher.ready() == []


def test_a_file_saved_over_is_sent_again(tmp_path):
    watcher = live.Watcher(tmp_path)
    frame = write(tmp_path / "LiveStack.jpg", b"first")
    watcher.ready()
    watcher.done(*watcher.ready())
    write(frame, b"second, longer")
    watcher.ready()
    assert watcher.ready() == [frame]


def test_only_images_count_in_every_subfolder(tmp_path):
    watcher = live.Watcher(tmp_path)
    wanted = [
        write(tmp_path / "a.JPG"),
        write(tmp_path / "2026-12-03" / "M42" / "b.jpeg"),
        write(tmp_path / "c.tif"),
        write(tmp_path / "d.TIFF"),
        write(tmp_path / "e.fit"),
        write(tmp_path / "f.fts"),
        write(tmp_path / "g.png"),
    ]
    for ignored in ("notes.txt", "h.jpg.tmp", ".hidden.jpg", "~lock.png", "stack.xisf"):
        write(tmp_path / ignored)
    write(tmp_path / ".thumbnails" / "i.jpg")
    watcher.ready()
    assert sorted(watcher.ready()) == sorted(wanted)
    flat = live.Watcher(tmp_path, recursive=False)
    flat.ready()
    assert len(flat.ready()) == len(wanted) - 1


def test_files_there_at_the_start_are_left_alone(tmp_path):
    old = write(tmp_path / "yesterday.jpg")
    watcher = live.Watcher(tmp_path)
    assert watcher.skip_existing() == 1
    new = write(tmp_path / "tonight.jpg")
    watcher.ready()
    assert watcher.ready() == [new]
    assert old not in watcher.ready()


@pytest.mark.parametrize(
    ("header", "seconds"), [("7", 7.0), (" 0 ", 0.0), ("99999", 3600.0), ("soon", None), ("", None)]
)
def test_retry_after_in_seconds(header, seconds):
    assert live.retry_after_seconds(header) == seconds


def test_retry_after_as_a_date():
    in_a_while = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 0 < live.retry_after_seconds(in_a_while) <= 30


# -- the server -------------------------------------------------------------------------


def test_it_starts_a_session_and_sends_each_finished_file_once(stub, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="skyframe_live")
    uploader, _ = uploader_for(stub, tmp_path)
    uploader.go_live()
    assert stub.sessions == {1: "live"}
    write(tmp_path / "one.jpg", b"one")
    assert uploader.check_once() == 0
    assert uploader.check_once() == 1
    assert uploader.check_once() == 0
    assert stub.frames == [(1, "one.jpg", b"one")]
    assert set(stub.authorizations) == {f"Bearer {TOKEN}"}
    assert "/live/vega" in caplog.text
    assert "Sent one.jpg" in caplog.text
    uploader.end()
    assert stub.ended == [1]


def test_dropped_connections_are_retried_with_growing_waits(stub, tmp_path, caplog):
    uploader, waits = uploader_for(stub, tmp_path, backoff=1, max_backoff=3)
    uploader.go_live()
    stub.faults["frames"].extend(["drop"] * 4)
    write(tmp_path / "m42.fits", b"SIMPLE")
    uploader.check_once()
    uploader.check_once()
    assert stub.frames == [(1, "m42.fits", b"SIMPLE")]
    assert waits == [1, 2, 3, 3]
    assert "network problem" in caplog.text


def test_503_and_429_are_retried_after_what_the_server_asks(stub, tmp_path):
    uploader, waits = uploader_for(stub, tmp_path, backoff=1)
    stub.faults["start"].append((503, {"Retry-After": "5"}, "unavailable"))
    uploader.go_live()
    stub.faults["frames"].append((429, {"Retry-After": "12"}, "rate_limited"))
    stub.faults["frames"].append((502, {}, "bad_gateway"))
    write(tmp_path / "jupiter.png", b"\x89PNG")
    uploader.check_once()
    uploader.check_once()
    assert len(stub.frames) == 1
    # Retry-After when given, else the request's back-off (doubled once by then).
    assert waits == [5, 12, 2]


def test_a_file_the_server_refuses_is_skipped_with_its_reason(stub, tmp_path, caplog):
    uploader, _ = uploader_for(stub, tmp_path)
    uploader.go_live()
    stub.faults["frames"].append((422, {}, "invalid_image"))
    write(tmp_path / "broken.jpg", b"nope")
    uploader.check_once()
    uploader.check_once()
    assert stub.frames == []
    assert "Skipped broken.jpg" in caplog.text
    assert "invalid_image" in caplog.text
    write(tmp_path / "good.jpg", b"yes")
    uploader.check_once()
    uploader.check_once()
    assert [name for _, name, _ in stub.frames] == ["good.jpg"]


def test_a_session_ended_meanwhile_is_started_again(stub, tmp_path, caplog):
    uploader, _ = uploader_for(stub, tmp_path)
    uploader.go_live()
    stub.sessions[1] = "ended"  # idle on the server
    write(tmp_path / "after.jpg", b"x")
    uploader.check_once()
    uploader.check_once()
    assert stub.frames == [(2, "after.jpg", b"x")]
    assert uploader.session_id == 2
    assert "starting a new one" in caplog.text


def test_a_refused_token_stops_it(stub, tmp_path):
    client = live.Client(stub.url, "sf_pat_wrong", sleep=Waits())
    uploader = live.Uploader(client, live.Watcher(tmp_path), "t")
    with pytest.raises(live.Fatal, match="invalid_token"):
        uploader.go_live()


def test_already_live_says_how_to_continue(stub, tmp_path):
    uploader, _ = uploader_for(stub, tmp_path)
    stub.faults["start"].append((409, {}, "already_live"))
    with pytest.raises(live.Fatal, match="--session"):
        uploader.go_live()
    stub.sessions[7] = "live"
    uploader.resume(7)
    assert uploader.session_id == 7
    stub.sessions[8] = "ended"
    with pytest.raises(live.Fatal, match="has ended"):
        uploader.resume(8)


# -- the command ------------------------------------------------------------------------


def run_script(*arguments: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.05)


def test_help_documents_the_options():
    shown = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in ("--server", "--token", "--watch", "--title", "--object", "SKYFRAME_TOKEN"):
        assert option in shown


@pytest.mark.parametrize(
    "arguments",
    [
        ["--server", "skyframe.example", "--token", TOKEN, "--watch", "."],
        ["--server", "https://skyframe.example", "--watch", "."],
        ["--server", "https://skyframe.example", "--token", TOKEN, "--watch", "/no/such/folder"],
    ],
)
def test_bad_arguments_are_explained(arguments):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "error:" in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_command_sends_frames_through_failures_and_ends_on_a_signal(stub, tmp_path, stop):
    write(tmp_path / "old.jpg", b"old")
    stub.faults["frames"].extend(["drop", (503, {"Retry-After": "0"}, "unavailable")])
    process = run_script(
        "--server", stub.url, "--token", TOKEN, "--watch", str(tmp_path),
        "--title", "Orion", "--object", "M42", "--interval", "0.05", "--backoff", "0.05",
    )  # fmt: skip
    try:
        wait_for(lambda: stub.sessions, "the session start")
        write(tmp_path / "Light_001.fits", b"SIMPLE 1")
        wait_for(lambda: len(stub.frames) == 1, "the first frame")
        write(tmp_path / "sub" / "Light_002.png", b"\x89PNG 2")
        wait_for(lambda: len(stub.frames) == 2, "the second frame")
        process.send_signal(stop)
        output, _ = process.communicate(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert [name for _, name, _ in stub.frames] == ["Light_001.fits", "Light_002.png"]
    assert stub.ended == [1]
    # (The signal may come before the script has read the second answer.)
    assert re.search(r"Session 1 ended after [12] frames?\.", output)
    assert "network problem" in output
    assert "503" in output
    assert TOKEN not in output


def test_the_token_can_come_from_the_environment(stub, tmp_path):
    process = run_script(
        "--server", stub.url, "--watch", str(tmp_path), "--interval", "0.05",
        env={"SKYFRAME_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    try:
        # A frame arriving shows the script is past the start and watching.
        wait_for(lambda: stub.sessions, "the session start")
        write(tmp_path / "frame.jpg")
        wait_for(lambda: stub.frames, "a frame")
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert stub.ended == [1]


def test_a_refused_token_exits_with_the_reason(stub, tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--server", stub.url, "--token", "sf_pat_nope",
         "--watch", str(tmp_path)],
        capture_output=True, text=True, timeout=PATIENCE,
    )  # fmt: skip
    assert done.returncode == 2
    assert "invalid_token" in done.stderr + done.stdout


def test_signals_are_held_while_a_session_starts():
    signals = live.Signals()
    with pytest.raises(live.Stop):
        signals.handle(signal.SIGTERM, None)
    with signals.held():
        signals.handle(signal.SIGINT, None)  # held
        with pytest.raises(live.Stop):
            signals.handle(signal.SIGINT, None)  # a second one stops at once
    with pytest.raises(live.Stop, match="SIGINT"):
        signals.check()
    assert live.Signals().check() is None


def test_a_stop_during_the_start_still_ends_the_session(stub, tmp_path):
    stub.answer_starts.clear()
    process = run_script(
        "--server", stub.url, "--token", TOKEN, "--watch", str(tmp_path), "--interval", "0.05",
    )  # fmt: skip
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(process.stdout), daemon=True)
    reader.start()
    try:
        wait_for(stub.start_seen.is_set, "the start request")
        process.send_signal(signal.SIGINT)
        wait_for(lambda: any("Stopping once" in line for line in said), "the held stop")
        stub.answer_starts.set()
        process.wait(timeout=PATIENCE)
        reader.join(timeout=PATIENCE)
    finally:
        stub.answer_starts.set()
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=PATIENCE)
        process.stdout.close()
    output = "".join(said)
    assert process.returncode == 0, output
    assert stub.ended == [1]
    assert "Session 1 ended after 0 frames." in output
