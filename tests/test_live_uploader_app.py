"""The shipped uploader against the running app: the real SkyFrame served on
127.0.0.1 from a thread, a token made through the API, and
scripts/skyframe_live.py run as a subprocess watching a temporary folder.
Images written into the folder arrive as frames of the session it started;
a file the app refuses is skipped; SIGINT ends the session."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from werkzeug.serving import make_server

from skyframe.paths import PROJECT_ROOT
from tests import media_samples as samples
from tests.conftest import login

pytestmark = pytest.mark.one_database

SCRIPT = PROJECT_ROOT / "scripts" / "skyframe_live.py"
# Generous for a machine shared with other runs; conditions end every wait.
PATIENCE = 90


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def wait_for(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.1)


def test_images_written_into_the_folder_arrive_as_frames(app, served, make_user, tmp_path):
    make_user("vega")
    owner = app.test_client()
    assert login(owner, "vega").status_code == 200
    made = owner.post("/api/v1/me/tokens", json={"name": "Capture PC", "scopes": ["live"]})
    secret = made.get_json()["secret"]
    watched = tmp_path / "captures"
    watched.mkdir()
    samples.write_image(watched / "before.jpg", 320, 240)  # there already: left alone
    process = subprocess.Popen(
        [
            sys.executable, str(SCRIPT), "--server", served, "--token", secret,
            "--watch", str(watched), "--title", "Orion from the garden", "--object", "M42",
            "--interval", "0.1", "--backoff", "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    viewer = app.test_client()
    try:

        def running_session():
            answer = viewer.get("/api/v1/users/vega/live")
            return answer.get_json()["session"] if answer.status_code == 200 else None

        live = wait_for(running_session, "the session start")
        assert live["title"] == "Orion from the garden"
        assert live["object"]["name"] == "M42"

        def frames():
            return viewer.get(f"/api/v1/live/{live['id']}/frames").get_json()["items"]

        samples.write_image(watched / "Stack_0001.jpg", 1200, 800)
        wait_for(lambda: len(frames()) == 1, "the first frame")
        (watched / "not-an-image.png").write_bytes(b"this is no PNG at all")
        (watched / "2026-12-03").mkdir()
        samples.write_image(watched / "2026-12-03" / "Stack_0002.png", 1200, 800, fmt="png")
        arrived = wait_for(lambda: len(frames()) == 2 and frames(), "the second frame")
        assert all(frame["session_id"] == live["id"] for frame in arrived)
        assert arrived[0]["width"] == 1200
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=PATIENCE)
    except AssertionError as failure:
        process.kill()
        raise AssertionError(f"{failure}\nThe uploader said:\n{process.communicate()[0]}") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "Skipped not-an-image.png" in output
    assert "/live/vega" in output
    # The signal may come before the script has read the second answer.
    assert re.search(rf"Session {live['id']} ended after [12] frames?\.", output)
    assert secret not in output
    ended = viewer.get(f"/api/v1/live/{live['id']}").get_json()["session"]
    assert ended["status"] == "ended"
    assert ended["frame_count"] == 2
    assert viewer.get("/api/v1/users/vega/live").status_code == 404
    listed = owner.get("/api/v1/me/tokens").get_json()["items"]
    assert listed[0]["last_used_at"] is not None
