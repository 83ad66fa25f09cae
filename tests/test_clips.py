"""Clips: uploaded like images, probed in the request, transcoded by a job
into one MP4 every browser plays (tests/clip_samples.py makes the sources)."""

from __future__ import annotations

import io

import av
import pytest

from skyframe.jobs import current_jobs
from tests import clip_samples as samples
from tests.conftest import login


def clip_form(path, name=None, **fields) -> dict:
    return {
        "file": (io.BytesIO(path.read_bytes()), name or path.name),
        "title": "Perseid",
        "category": "meteor",
        **fields,
    }


def upload(client, path, name=None):
    return client.post(
        "/api/v1/posts", data=clip_form(path, name), content_type="multipart/form-data"
    )


def settle(app) -> None:
    with app.app_context():
        current_jobs().wait()


@pytest.fixture
def uploader(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


@pytest.mark.parametrize("container", sorted(samples.CONTAINERS))
def test_each_container_is_accepted_and_transcoded(app, uploader, tmp_path, container):
    source = samples.make_clip(tmp_path / f"m{samples.CONTAINERS[container][3]}", container)
    response = upload(uploader, source)
    assert response.status_code == 202, response.get_json()
    post = response.get_json()
    assert post["kind"] == "video"
    assert post["status"] == "processing"
    settle(app)
    ready = uploader.get(f"/api/v1/posts/{post['id']}").get_json()
    assert ready["status"] == "ready", ready["failure_reason"]
    video = ready["video"]
    assert set(video) == {"url", "poster_url", "duration_s", "width", "height", "has_audio"}
    assert (video["width"], video["height"], video["has_audio"]) == (160, 90, True)
    assert video["duration_s"] == pytest.approx(1.0, abs=0.1)
    assert ready["media"]["display"][0]["content_type"] == "image/webp"
    data = uploader.get(video["url"]).data
    assert samples.atoms(data)[:2] == ["ftyp", "moov"]
    path = tmp_path / "out.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as out:
        assert [s.codec_context.name for s in out.streams] == ["h264", "aac"]
        assert out.streams.video[0].codec_context.profile == "High"
        assert sum(1 for _ in out.decode(video=0)) == 15
