"""Clips: uploaded like images, probed in the request, transcoded by a job
into one MP4 every browser plays (tests/clip_samples.py makes the sources,
tiny and in the test run)."""

from __future__ import annotations

import io
import threading

import av
import numpy as np
import pytest
from PIL import Image

from skyframe import jobs
from skyframe.extensions import db
from skyframe.jobs import current_jobs
from skyframe.media import video
from skyframe.models import Post, PostStatus
from skyframe.services import current_storage
from skyframe.web import uploads
from tests import clip_samples as samples
from tests.conftest import login

pytestmark = pytest.mark.one_database


def clip_form(data: bytes, name: str, **fields) -> dict:
    return {
        "file": (io.BytesIO(data), name),
        "title": "Perseid",
        "category": "meteor",
        **fields,
    }


def upload(client, path, name=None):
    return client.post(
        "/api/v1/posts",
        data=clip_form(path.read_bytes(), name or path.name),
        content_type="multipart/form-data",
    )


def settle(app) -> None:
    """Wait for the background thread to finish the queued clips."""
    with app.app_context():
        current_jobs().wait()


def stored_files(app) -> list[str]:
    root = app.config["UPLOAD_FOLDER"]
    from pathlib import Path

    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def upload_ready(app, client, path, name=None) -> dict:
    response = upload(client, path, name)
    assert response.status_code == 202, response.get_json()
    settle(app)
    post = client.get(f"/api/v1/posts/{response.get_json()['id']}").get_json()
    assert post["status"] == "ready", post["failure_reason"]
    return post


def fetch_clip(client, post, tmp_path):
    data = client.get(post["video"]["url"]).data
    path = tmp_path / f"out-{post['id']}.mp4"
    path.write_bytes(data)
    return data, path


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
    clip = ready["video"]
    assert set(clip) == {"url", "poster_url", "duration_s", "width", "height", "has_audio"}
    assert (clip["width"], clip["height"], clip["has_audio"]) == (160, 90, True)
    assert clip["duration_s"] == pytest.approx(1.0, abs=0.1)
    # Cards show the poster like an image.
    assert ready["media"]["display"][0]["content_type"] == "image/webp"
    assert clip["poster_url"] == ready["media"]["display"][1]["url"]
    data, path = fetch_clip(uploader, ready, tmp_path)
    assert samples.atoms(data)[:2] == ["ftyp", "moov"]  # faststart: moov before mdat
    with av.open(str(path)) as out:
        assert [s.codec_context.name for s in out.streams] == ["h264", "aac"]
        assert out.streams.video[0].codec_context.profile == "High"
        assert out.streams.video[0].codec_context.pix_fmt == "yuv420p"
        assert sum(1 for _ in out.decode(video=0)) == 15
    assert stored_files(app) == sorted(
        f"posts/{ready['video']['url'].split('/')[-2]}/{name}"
        for name in (
            "clip.mp4",
            "display.jpg",
            "display.webp",
            "original.jpg",
            "thumb.jpg",
            "thumb.webp",
        )
    )


def test_images_say_they_are_images(client, make_user, make_post):
    owner = make_user("vega")
    post_id = make_post(owner)
    post = client.get(f"/api/v1/posts/{post_id}").get_json()
    assert post["kind"] == "image"
    assert post["video"] is None


def test_location_and_metadata_are_dropped(app, uploader, tmp_path):
    source = samples.with_location(tmp_path / "phone.mov")
    post = upload_ready(app, uploader, source)
    data, path = fetch_clip(uploader, post, tmp_path)
    for secret in (b"\xa9xyz", b"loci", samples.LOCATION.encode(), samples.SECRET_TITLE.encode()):
        assert secret not in data
    with av.open(str(path)) as out:
        assert not {"location", "title", "encoder"} & set(out.metadata)
        assert all(not s.metadata.get("location") for s in out.streams)


def test_rotation_is_applied_to_the_pixels(app, uploader, tmp_path):
    """A portrait phone clip is stored landscape with a turn in its matrix:
    the MP4 holds it upright, with no turn left for players to apply."""
    source = samples.rotated(tmp_path / "portrait.mp4", 90)
    post = upload_ready(app, uploader, source)
    assert (post["video"]["width"], post["video"]["height"]) == (90, 160)
    _, path = fetch_clip(uploader, post, tmp_path)
    with av.open(str(path)) as out:
        frame = next(out.decode(video=0))
        assert frame.rotation == 0
        pixels = frame.to_ndarray(format="rgb24")
    assert pixels.shape == (160, 90, 3)
    # The red marker was top-left; turned clockwise it is top-right.
    top_right, top_left = pixels[5, 85], pixels[5, 5]
    assert top_right[0] > 180
    assert top_right[1] < 90
    assert top_left[0] < 120


def test_a_silent_clip_has_no_sound_track(app, uploader, tmp_path):
    source = samples.make_clip(tmp_path / "silent.mp4", audio=False)
    post = upload_ready(app, uploader, source)
    assert post["video"]["has_audio"] is False
    _, path = fetch_clip(uploader, post, tmp_path)
    with av.open(str(path)) as out:
        assert [s.type for s in out.streams] == ["video"]


def test_the_poster_is_not_the_black_first_frame(app, uploader, tmp_path):
    source = samples.make_clip(tmp_path / "fade.mp4", seconds=2, black_start=8, audio=False)
    post = upload_ready(app, uploader, source)
    poster = uploader.get(post["video"]["poster_url"]).data
    gray = np.asarray(Image.open(io.BytesIO(poster)).convert("L"), dtype=np.float32)
    assert gray.std() > video.FLAT_SPREAD
    assert post["media"]["placeholder"]["blurhash"]


def test_poster_scores_prefer_a_frame_with_something_in_it():
    rng = np.random.default_rng(3)
    black = np.zeros((36, 64), np.uint8)
    white = np.full((36, 64), 255, np.uint8)
    night = rng.integers(0, 30, size=(36, 64)).astype(np.uint8)
    scores = [video.poster_score(frame) for frame in (black, white, night)]
    assert scores[2] > max(scores[:2])


def test_frame_rates_over_60_are_capped(app, uploader, tmp_path):
    fast = samples.make_clip(tmp_path / "fast.mp4", fps=100, seconds=0.5, audio=False)
    post = upload_ready(app, uploader, fast)
    _, path = fetch_clip(uploader, post, tmp_path)
    with av.open(str(path)) as out:
        stream = out.streams.video[0]
        assert float(stream.average_rate) == pytest.approx(60, abs=1)
        assert sum(1 for _ in out.decode(stream)) == 30


def test_large_clips_are_scaled_to_a_1920_long_edge(tmp_path):
    from skyframe.media.formats import MP4

    source = samples.make_clip(
        tmp_path / "big.mp4", width=2560, height=1440, fps=5, seconds=0.4, audio=False
    )
    info = video.probe(source, MP4, video.VideoLimits())
    done = video.transcode(source, tmp_path / "out.mp4", info, video.EncodeSettings())
    assert (done.width, done.height) == (1920, 1080)
    assert video.output_size(1080, 1920, 1920) == (1080, 1920)
    assert video.output_size(3840, 1634, 1920) == (1920, 816)  # even sides


def assert_left_nothing(app):
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.query(Post).count() == 0


REFUSALS = {
    "corrupt": (lambda d: samples.corrupt(d / "noise.mp4"), None, "could not be read"),
    "truncated": (
        lambda d: samples.truncated(samples.make_clip(d / "whole.mp4"), d / "cut.mp4"),
        None,
        "could not be read",
    ),
    "audio only": (lambda d: samples.audio_only(d / "song.mp4"), None, "no picture"),
    "renamed text": (lambda d: _write(d / "notes.mp4", b"just some notes\n" * 20), None, "not"),
    "renamed JPEG": (
        lambda d: _write(d / "sky.mp4", b"\xff\xd8\xff\xe0" + b"\x00" * 200),
        None,
        "JPEG",
    ),
    "too fast": (
        lambda d: samples.make_clip(d / "fast.mp4", fps=150, seconds=0.2, audio=False),
        None,
        "frames per second",
    ),
    "too large": (
        lambda d: samples.make_clip(
            d / "huge.mp4", width=4096, height=2304, fps=5, seconds=0.2, audio=False, black_start=1
        ),
        None,
        "at most 3840×2160",
    ),
}


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_clips_answer_422_and_leave_nothing(app, uploader, tmp_path, case):
    make, _, reason = REFUSALS[case]
    response = upload(uploader, make(tmp_path))
    assert response.status_code == 422, response.get_json()
    assert reason in response.get_json()["error"]["fields"]["file"]
    assert_left_nothing(app)


@pytest.mark.parametrize(
    ("settings", "make", "reason"),
    [
        (
            {"VIDEO_MAX_SECONDS": 1},
            lambda d: samples.make_clip(d / "long.mp4", seconds=3, audio=False),
            "This clip is 3 s long; clips may be at most 1 s.",
        ),
        (
            {"VIDEO_MAX_BYTES": 20_000},
            lambda d: samples.make_clip(d / "heavy.mp4", width=320, height=180),
            "KB; clips may be at most 20 KB.",
        ),
    ],
    ids=["over-long", "over-size"],
)
def test_over_long_and_over_size_clips_are_refused(
    app_factory, make_user, tmp_path, settings, make, reason
):
    app = app_factory(**settings)
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    response = upload(client, make(tmp_path))
    assert response.status_code == 422
    assert reason in response.get_json()["error"]["fields"]["file"]
    assert_left_nothing(app)


def test_a_clip_damaged_past_its_header_fails_with_a_reason_and_no_files(app, uploader, tmp_path):
    source = samples.damaged_after_header(tmp_path / "damaged.mp4")
    response = upload(uploader, source)
    assert response.status_code == 202
    settle(app)
    post = uploader.get(f"/api/v1/posts/{response.get_json()['id']}").get_json()
    assert post["status"] == "failed"
    assert "damaged" in post["failure_reason"]
    assert post["video"] is None
    assert stored_files(app) == []


def test_a_failure_after_the_mp4_is_written_removes_it(app, uploader, tmp_path, monkeypatch):
    from skyframe.media import clips

    def broken(*args, **kwargs):
        raise RuntimeError("the poster could not be written")

    monkeypatch.setattr(clips, "render_file_to_storage", broken)
    response = upload(uploader, samples.make_clip(tmp_path / "m.mp4"))
    settle(app)
    post = uploader.get(f"/api/v1/posts/{response.get_json()['id']}").get_json()
    assert post["status"] == "failed"
    assert post["failure_reason"] == "This clip could not be processed on our side. " + (
        "Please try uploading it again, or export it as MP4 (H.264) first."
    )
    assert stored_files(app) == []


def test_a_killed_transcode_is_started_again_then_failed(app, uploader, tmp_path, monkeypatch):
    """The worker dies mid-transcode (RQ calls on_killed): the first death
    queues the clip again from its kept upload; a second fails it."""
    gate = threading.Event()
    real = uploads.post_lifecycle.process_clip
    monkeypatch.setattr(uploads.post_lifecycle, "process_clip", lambda *a: gate.wait(30))
    response = upload(uploader, samples.make_clip(tmp_path / "m.mp4"))
    post_id = response.get_json()["id"]
    with app.app_context():
        post = db.session.get(Post, post_id)
        # What a dying transcode leaves: a half-written MP4.
        current_storage().save(f"posts/{post.media_key}/clip.mp4", b"half", "video/mp4")
    monkeypatch.setattr(uploads.post_lifecycle, "process_clip", real)
    gate.set()
    settle(app)
    with app.test_request_context():
        uploads.process_clip_killed(post_id, 1)
        settle(app)
    post = uploader.get(f"/api/v1/posts/{post_id}").get_json()
    assert post["status"] == "ready"
    with app.test_request_context():
        db.session.get(Post, post_id).status = PostStatus.PROCESSING
        db.session.commit()
        uploads.process_clip_killed(post_id, uploads.CLIP_ATTEMPTS)
    post = uploader.get(f"/api/v1/posts/{post_id}").get_json()
    assert post["status"] == "failed"
    assert post["failure_reason"]
    assert stored_files(app) == []


def test_a_restarted_server_queues_again_the_clips_it_left_transcoding(
    app, uploader, tmp_path, monkeypatch
):
    """Inline jobs: the serving process stopped mid-transcode (its background
    thread died with it). The next one's scheduler, at its start, queues
    again the clips uploaded within STALE_UPLOAD_MINUTES; older ones are
    left to the sweep, which fails them."""
    from datetime import timedelta

    from skyframe.schedules import InProcessScheduler

    real = uploads.post_lifecycle.process_clip
    monkeypatch.setattr(uploads.post_lifecycle, "process_clip", lambda *a: None)
    fresh = upload(uploader, samples.make_clip(tmp_path / "a.mp4")).get_json()["id"]
    old = upload(uploader, samples.make_clip(tmp_path / "b.mp4")).get_json()["id"]
    settle(app)
    with app.app_context():
        post = db.session.get(Post, fresh)
        current_storage().save(f"posts/{post.media_key}/clip.mp4", b"half", "video/mp4")
        stale = db.session.get(Post, old)
        stale.created_at -= timedelta(minutes=app.config["STALE_UPLOAD_MINUTES"] + 1)
        db.session.commit()
    monkeypatch.setattr(uploads.post_lifecycle, "process_clip", real)

    InProcessScheduler(app).run_at_start()
    settle(app)

    assert uploader.get(f"/api/v1/posts/{fresh}").get_json()["status"] == "ready"
    assert uploader.get(f"/api/v1/posts/{old}").get_json()["status"] == "processing"


def test_a_transcode_over_its_time_limit_fails_with_a_reason(app, uploader, tmp_path, monkeypatch):
    """A thread cannot be killed: the transcode itself stops at its limit
    (VIDEO_JOB_TIMEOUT, a little under it) and the post fails, leaving nothing."""
    from skyframe.media import pipeline

    monkeypatch.setattr(pipeline, "TRANSCODE_SHARE_OF_JOB_TIMEOUT", 0)
    app.extensions["skyframe.media"] = pipeline.MediaSettings.from_config(app.config)
    response = upload(uploader, samples.make_clip(tmp_path / "m.mp4"))
    settle(app)
    post = uploader.get(f"/api/v1/posts/{response.get_json()['id']}").get_json()
    assert post["status"] == "failed"
    assert post["failure_reason"].startswith("Processing this clip took longer than 1 minute.")
    assert stored_files(app) == []


def test_the_background_queue_is_bounded():
    started, release = threading.Event(), threading.Event()
    name = "test-block"
    jobs.JOBS[name] = lambda: (started.set(), release.wait(30))
    background = jobs.BackgroundThread(size=1)
    from flask import Flask

    app = Flask("bounded")
    try:
        background.put(app, name, ())
        assert started.wait(30)  # the first one is running
        background.put(app, name, ())  # one waits
        with pytest.raises(jobs.QueueFull):
            background.put(app, name, ())
    finally:
        release.set()
        background.wait()
        del jobs.JOBS[name]


def test_a_full_queue_answers_503_and_keeps_nothing(app_factory, make_user, tmp_path):
    app = app_factory(VIDEO_INLINE_QUEUE_SIZE=1)
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    source = samples.make_clip(tmp_path / "m.mp4", audio=False)
    with app.app_context():
        waiting = current_jobs().background.queue
    waiting.put_nowait((app, "a clip ahead", ()))  # the queue's one place is taken
    try:
        response = upload(client, source)
    finally:
        waiting.get_nowait()
        waiting.task_done()
    assert response.status_code == 503
    assert_left_nothing(app)


def test_the_make_clip_post_fixture_makes_a_ready_clip(client, make_user, make_clip_post):
    owner = make_user("vega")
    post_id = make_clip_post(owner, audio=False)
    post = client.get(f"/api/v1/posts/{post_id}").get_json()
    assert post["status"] == "ready"
    assert post["video"]["has_audio"] is False
    assert client.get(post["video"]["url"]).headers["Content-Type"] == "video/mp4"


# Streaming: byte ranges on /media and on downloads.


@pytest.fixture
def served(client, make_user, make_clip_post):
    owner = make_user("vega")
    post = client.get(f"/api/v1/posts/{make_clip_post(owner)}").get_json()
    whole = client.get(post["video"]["url"])
    return client, post, whole


def test_range_first_bytes(served):
    client, post, whole = served
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = client.get(post["video"]["url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole.data)}"
    assert part.data == whole.data[:100]


def test_range_in_the_middle_and_suffix(served):
    client, post, whole = served
    middle = client.get(post["video"]["url"], headers={"Range": "bytes=1000-1999"})
    assert middle.status_code == 206
    assert middle.data == whole.data[1000:2000]
    suffix = client.get(post["video"]["url"], headers={"Range": "bytes=-500"})
    assert suffix.status_code == 206
    assert suffix.data == whole.data[-500:]
    size = len(whole.data)
    assert suffix.headers["Content-Range"] == f"bytes {size - 500}-{size - 1}/{size}"


def test_unsatisfiable_range_is_416(served):
    client, post, whole = served
    size = len(whole.data)
    response = client.get(post["video"]["url"], headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_if_range_serves_the_part_only_for_the_same_file(served):
    client, post, whole = served
    etag = whole.headers["ETag"]
    same = client.get(post["video"]["url"], headers={"Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206
    assert len(same.data) == 10
    other = client.get(
        post["video"]["url"], headers={"Range": "bytes=0-9", "If-Range": '"another-file"'}
    )
    assert other.status_code == 200
    assert other.data == whole.data


def test_a_clip_downloads_as_mp4_with_ranges(served):
    client, post, whole = served
    download = client.get(post["download_url"])
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "video/mp4"
    assert download.headers["Content-Disposition"] == 'attachment; filename="A-meteor.mp4"'
    assert download.data == whole.data
    part = client.get(post["download_url"], headers={"Range": "bytes=4-11"})
    assert part.status_code == 206
    assert part.data == b"ftypisom"
    poster = client.get(post["download_url"] + "?size=display")
    assert poster.headers["Content-Type"] == "image/jpeg"
