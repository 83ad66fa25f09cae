"""Generated test clips (never downloaded): tiny star-field videos in every
container and codec SkyFrame takes, made with PyAV in the test run, plus the
hostile ones. Used by the tests, by the playback tests and by
benchmarks/video_bench.py."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np

# A location a phone would write (Mount Everest), and a title: neither may
# survive the transcode.
LOCATION = "+27.9881+086.9250+8848/"
SECRET_TITLE = "Shot from my back garden"

CONTAINERS = {
    # name: (PyAV format, video codec, audio codec, extension)
    "mp4": ("mp4", "libx264", "aac", ".mp4"),
    "mov": ("mov", "libx264", "aac", ".mov"),
    "webm": ("webm", "libvpx-vp9", "libopus", ".webm"),
    "mkv": ("matroska", "libx264", "aac", ".mkv"),
}


def _frame(index: int, width: int, height: int, frames: int) -> np.ndarray:
    """A dark sky with a bright meteor crossing it (not a flat colour, so the
    poster picker has something to choose)."""
    rng = np.random.default_rng(index)
    img = rng.integers(0, 24, size=(height, width, 3), dtype=np.uint8)
    x = int((width - 1) * index / max(1, frames - 1))
    y0, y1 = height // 4, height // 4 + max(2, height // 12)
    img[y0:y1, max(0, x - width // 8) : x + 1] = (255, 240, 200)
    # A marker in the top-left quarter, to see which way a rotation went.
    img[: height // 6, : width // 6] = (255, 0, 0)
    return img


def make_clip(
    path: Path,
    container: str = "mp4",
    *,
    width: int = 160,
    height: int = 90,
    seconds: float = 1.0,
    fps: int = 15,
    audio: bool = True,
    metadata: dict[str, str] | None = None,
    black_start: int = 0,
    video_codec: str | None = None,
    preset: str = "ultrafast",
) -> Path:
    """Write a clip: ``container`` one of CONTAINERS; ``black_start`` frames
    of black first (a poster must not be one of them)."""
    fmt, vcodec, acodec, _ = CONTAINERS[container]
    vcodec = video_codec or vcodec
    with av.open(str(path), "w", format=fmt) as out:
        if metadata:
            out.metadata.update(metadata)
        video = out.add_stream(vcodec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if vcodec == "libx264":
            video.options = {"preset": preset, "tune": "zerolatency"}
        elif vcodec == "libvpx-vp9":
            video.options = {"deadline": "realtime", "cpu-used": "8"}
        sound = None
        if audio:
            sound = out.add_stream(acodec, rate=48000)
            sound.layout = "stereo"
        frames = max(1, round(seconds * fps))
        for index in range(frames):
            pixels = (
                np.zeros((height, width, 3), np.uint8)
                if index < black_start
                else _frame(index, width, height, frames)
            )
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if sound is not None:
            _write_tone(out, sound, seconds)
    return path


def _write_tone(out, sound, seconds: float) -> None:
    rate = 48000
    size = sound.codec_context.frame_size or 960
    total, start = int(seconds * rate), 0
    while start < total:
        t = np.arange(start, start + size) / rate
        wave = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([wave, wave]), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = rate, start
        out.mux(sound.encode(frame))
        start += size
    out.mux(sound.encode())


def with_location(path: Path, *, seconds: float = 1.0) -> Path:
    """A QuickTime clip carrying a ©xyz GPS atom and a title, as a phone writes."""
    make_clip(path, "mov", seconds=seconds, metadata={"location": LOCATION, "title": SECRET_TITLE})
    data = path.read_bytes()
    assert b"\xa9xyz" in data
    assert LOCATION.encode() in data
    return path


def rotated(path: Path, degrees: int = 90, *, width: int = 160, height: int = 90) -> Path:
    """An MP4 stored ``width``×``height`` whose track matrix says to show it
    turned by ``degrees`` (90 or 270), as phones record portrait clips."""
    make_clip(path, "mp4", width=width, height=height, audio=False)
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0
    version = data[at + 4]
    matrix_at = at + 4 + 4 + (32 if version == 1 else 20) + 16
    one = 1 << 16
    a, b, c, d = (0, one, -one, 0) if degrees == 90 else (0, -one, one, 0)
    matrix = struct.pack(">9i", a, b, 0, c, d, 0, 0, 0, 1 << 30)
    data[matrix_at : matrix_at + 36] = matrix
    path.write_bytes(bytes(data))
    return path


def audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 (M4A) with a sound track and no picture."""
    with av.open(str(path), "w", format="mp4") as out:
        sound = out.add_stream("aac", rate=48000)
        sound.layout = "stereo"
        _write_tone(out, sound, seconds)
    return path


def truncated(source: Path, path: Path, keep: float = 0.4) -> Path:
    """The first part of a clip, cut off (an interrupted copy)."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupt(path: Path) -> Path:
    """An MP4 header followed by noise: recognised by its bytes, not decodable."""
    header = struct.pack(">I4s4sI", 24, b"ftyp", b"isom", 512) + b"isomavc1"
    noise = np.random.default_rng(7).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    path.write_bytes(header + struct.pack(">I4s", 8 + len(noise), b"mdat") + noise)
    return path


def damaged_after_header(path: Path) -> Path:
    """An MP4 whose index and first frames are whole and whose picture data
    after them is noise: it passes the probe and fails in the transcode."""
    make_clip(path, "mp4", seconds=2, audio=False)
    data = bytearray(path.read_bytes())
    mdat, moov = data.find(b"mdat"), data.find(b"moov")
    start, end = mdat + 8 + (moov - mdat) // 4, moov - 16
    noise = np.random.default_rng(1).integers(0, 256, end - start, dtype=np.uint8)
    data[start:end] = noise.tobytes()
    path.write_bytes(bytes(data))
    return path


def duration_of(path: Path) -> float:
    with av.open(str(path)) as container:
        return container.duration / av.time_base if container.duration else 0.0


def atoms(data: bytes) -> list[str]:
    """The top-level box types of an MP4, in order (moov before mdat: faststart)."""
    found, at = [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        found.append(kind.decode("latin-1"))
        if size < 8:
            break
        at += size
    return found

