"""The Server-Timing header, when asked for."""

from __future__ import annotations

import re

from tests.conftest import build_app


def test_every_response_says_how_long_the_app_took_when_asked():
    timed = build_app("sqlite://", SERVER_TIMING=True).test_client()
    for path in ("/healthz", "/no-such-page"):
        header = timed.get(path).headers["Server-Timing"]
        assert re.fullmatch(r"app;dur=\d+\.\d\d", header), header


def test_no_timing_by_default():
    assert "Server-Timing" not in build_app("sqlite://").test_client().get("/healthz").headers
