"""Request bodies: every route gets the smallest body it needs, refused (413)
from its headers before anything reads it, chunked bodies counted the same
while they stream, and oversized requests counted per client (429 past
OVERSIZE_LIMIT)."""

from __future__ import annotations

import http.client
import io
import json
import threading
from pathlib import Path

import pytest
from flask_wtf.csrf import CSRFProtect
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from skyframe.accounts import users
from skyframe.web.requests import SkyFrameRequest
from tests.conftest import login
from tests.test_posts import files_in
from tests.test_rate_limits import limited_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.one_database

KIB = 1024


class Body(io.RawIOBase):
    """A request body of ``size`` bytes that records how much was read."""

    def __init__(self, size: int, *, prefix: bytes = b"", fill: bytes = b"a") -> None:
        self.size = size
        self.data = prefix
        self.fill = fill
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        start = self.read_bytes
        chunk = bytearray()
        if start < len(self.data):
            chunk += self.data[start : start + count]
        chunk += self.fill * (count - len(chunk))
        buffer[:count] = chunk
        self.read_bytes += count
        return count


def send(
    client,
    path: str,
    body: io.RawIOBase,
    *,
    content_type: str,
    length: int | None,
    headers: dict[str, str] | None = None,
    remote_addr: str = "127.0.0.1",
):
    """POST ``body`` with that Content-Length, or chunked (none) when None,
    as a WSGI server that terminates the input stream passes it."""
    environ = EnvironBuilder(
        path=path,
        method="POST",
        content_type=content_type,
        headers=headers,
        environ_base={"REMOTE_ADDR": remote_addr},
    ).get_environ()
    environ["wsgi.input"] = body
    if length is None:
        environ.pop("CONTENT_LENGTH", None)
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(length)
    return client.open(Request(environ))


@pytest.fixture
def nothing_parses(monkeypatch):
    """Record whether the form parser, the CSRF check or the login lookup ran."""
    ran: list[str] = []
    real_load = SkyFrameRequest._load_form_data
    real_protect = CSRFProtect.protect
    real_lookup = users.user_by_login

    def load(self):
        ran.append("form parser")
        return real_load(self)

    def protect(self, *args, **kwargs):
        ran.append("csrf")
        return real_protect(self, *args, **kwargs)

    def lookup(*args, **kwargs):
        ran.append("login lookup")
        return real_lookup(*args, **kwargs)

    monkeypatch.setattr(SkyFrameRequest, "_load_form_data", load)
    monkeypatch.setattr(CSRFProtect, "protect", protect)
    monkeypatch.setattr(users, "user_by_login", lookup)
    return ran


FORM = "application/x-www-form-urlencoded"


def test_a_big_urlencoded_login_is_413_unread_before_csrf_or_any_lookup(client, nothing_parses):
    body = Body(63 * KIB * KIB, prefix=b"login=vega&password=")
    response = send(client, "/login", body, content_type=FORM, length=body.size)
    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert body.read_bytes == 0
    assert nothing_parses == []


def test_html_forms_may_be_256_kib_and_no_more(client, nothing_parses):
    at_cap = Body(256 * KIB, prefix=b"login=vega&password=")
    response = send(client, "/login", at_cap, content_type=FORM, length=at_cap.size)
    assert response.status_code == 403  # read and parsed: the CSRF check answers
    assert "csrf" in nothing_parses
    over = Body(256 * KIB + 1)
    assert send(client, "/login", over, content_type=FORM, length=over.size).status_code == 413
    assert over.read_bytes == 0


@pytest.mark.parametrize(
    ("path", "content_type", "cap"),
    [
        ("/api/v1/auth/login", "application/json", 256 * KIB),
        ("/api/v1/auth/login", FORM, 64 * KIB),  # the API takes no forms
        ("/api/v1/auth/login", "text/plain", 64 * KIB),
        ("/api/v1/auth/login", "application/octet-stream", 64 * KIB),
        ("/search", "application/xml", 64 * KIB),
        ("/login", "multipart/form-data; boundary=x", 64 * KIB),  # not an upload view
        ("/api/v1/auth/logout", "multipart/form-data; boundary=x", 64 * KIB),
    ],
)
def test_each_kind_of_body_has_its_cap_refused_unread(
    client, nothing_parses, path, content_type, cap
):
    body = Body(cap + 1)
    response = send(client, path, body, content_type=content_type, length=body.size)
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert nothing_parses == []
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "payload_too_large"


def test_a_chunked_body_over_the_cap_is_413_after_reading_just_past_it(client, nothing_parses):
    body = Body(8 * KIB * KIB, prefix=b"login=vega&password=")
    response = send(client, "/login", body, content_type=FORM, length=None)
    assert response.status_code == 413
    assert body.read_bytes == 256 * KIB + 1  # never the whole 8 MiB
    assert nothing_parses == []


def test_a_chunked_json_body_over_the_cap_is_never_cut_and_parsed(client, nothing_parses):
    # Werkzeug's own limited stream stops at the cap and hands the parser the
    # first 256 KiB; a cut body must be refused, not parsed.
    payload = json.dumps({"login": "vega", "password": "x" * (300 * KIB)}).encode()
    body = Body(len(payload), prefix=payload)
    response = send(
        client, "/api/v1/auth/login", body, content_type="application/json", length=None
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert nothing_parses == []


def test_a_chunked_body_within_the_cap_is_read_whole(client, make_user):
    make_user("vega")
    payload = json.dumps({"login": "vega", "password": "Orion-Nebula-42"}).encode()
    body = Body(len(payload), prefix=payload)
    response = send(
        client,
        "/api/v1/auth/login",
        body,
        content_type="application/json",
        length=None,
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["user"]["handle"] == "vega"


def test_chunked_uploads_stream_to_their_own_cap_and_leave_nothing(app_factory, make_user):
    app = app_factory(UPLOAD_MAX_BYTES=10_000)
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    head = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="m31.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    body = Body(5 * KIB * KIB, prefix=head)
    response = send(
        client,
        "/api/v1/posts",
        body,
        content_type="multipart/form-data; boundary=x",
        length=None,
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert response.status_code == 413
    assert body.read_bytes <= 10_000 + 1024 * KIB + 1  # the cap, not the 5 MiB
    assert files_in(Path(app.config["UPLOAD_FOLDER"])) == []


def test_oversized_requests_are_counted_per_client_then_429(limited_app, nothing_parses):  # noqa: F811
    app = limited_app(OVERSIZE_LIMIT="20 per minute")
    client = app.test_client()

    def oversize(remote_addr="198.51.100.7", path="/login", content_type=FORM):
        body = Body(300 * KIB)
        return send(
            client,
            path,
            body,
            content_type=content_type,
            length=body.size,
            remote_addr=remote_addr,
        )

    statuses = [oversize().status_code for _ in range(20)]
    assert statuses == [413] * 20
    refused = oversize(path="/api/v1/auth/login", content_type="application/json")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert oversize().status_code == 429  # the HTML form too: one count per client
    assert oversize(remote_addr="198.51.100.8").status_code == 413  # another client
    assert nothing_parses == []
    # Requests within their caps are not counted.
    assert client.get("/login", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200


def test_oversized_requests_are_not_counted_when_limits_are_off(app_factory):
    app = app_factory(RATELIMIT_ENABLED=False, OVERSIZE_LIMIT="1 per minute")
    client = app.test_client()
    for _ in range(3):
        body = Body(300 * KIB)
        assert send(client, "/login", body, content_type=FORM, length=body.size).status_code == 413


def test_max_content_length_still_caps_every_route(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    body = Body(2048)
    response = send(app.test_client(), "/login", body, content_type=FORM, length=body.size)
    assert response.status_code == 413


@pytest.fixture
def served(app):
    """The app on Werkzeug's real server (which de-chunks bodies itself)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    thread.join()


def chunked_post(port: int, path: str, content_type: str, size: int) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", content_type)
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        piece = b"a" * (16 * KIB)
        sent = 0
        while sent < size:
            part = piece[: size - sent]
            connection.send(b"%x\r\n%s\r\n" % (len(part), part))
            sent += len(part)
        connection.send(b"0\r\n\r\n")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_real_server_refuses_chunked_bodies_over_the_cap(served, app, nothing_parses):
    status, _ = chunked_post(served, "/api/v1/auth/login", "application/json", 300 * KIB)
    assert status == 413
    status, _ = chunked_post(served, "/login", FORM, 260 * KIB)
    assert status == 413
    assert nothing_parses == []
    # Within the cap the body is parsed (and the CSRF check answers).
    status, _ = chunked_post(served, "/login", FORM, 200 * KIB)
    assert status == 403
    assert "csrf" in nothing_parses
