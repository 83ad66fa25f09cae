"""Clips: probing an upload (cheap, in the request) and transcoding it (the
job) with PyAV, whose wheel carries FFmpeg (no system ffmpeg).

``probe`` opens the container, reads its streams and decodes one frame:
enough to refuse what SkyFrame does not take (no picture, a codec it does not
decode, too long, too large, too fast) before anything is stored.

``transcode`` makes the one MP4 every browser plays: H.264 High, yuv420p,
long edge at most ``long_edge`` (1920), frame rate kept up to ``max_fps``
(60), constant quality (CRF) under a bitrate cap; AAC stereo, or no sound
track when the source has none; ``moov`` before ``mdat`` (faststart) so
playback starts before the download ends. Nothing of the source's metadata
is copied (PyAV copies none unless told: no GPS ``©xyz``/``location``
atoms, titles, camera serials), and ``+bitexact`` drops the muxer's own
tag. A display rotation (phones' portrait clips) is applied to the pixels.
While it decodes, a few frames spread over the clip are scored and the
brightest, busiest one is kept as the poster (never the black first frame
of a fade-in).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from skyframe.media.errors import MediaError
from skyframe.media.formats import MKV, MOV, MP4, WEBM, Format

log = logging.getLogger(__name__)
# PyAV's default: FFmpeg's own log lines are dropped. (Routing them to Python
# logging with av.logging.set_level deadlocked here: decoder threads log while
# the main thread waits on them holding the GIL.)

# What the probe accepts inside each container (FFmpeg decoder names).
ACCEPTED_CODECS = {
    MP4.name: {"h264", "hevc", "vp9", "av1", "mpeg4"},
    MOV.name: {"h264", "hevc", "prores", "mpeg4"},
    WEBM.name: {"vp8", "vp9", "av1"},
    MKV.name: {"h264", "hevc", "vp8", "vp9", "av1"},
}
CODEC_LABELS = {"h264": "H.264", "hevc": "HEVC", "vp8": "VP8", "vp9": "VP9", "av1": "AV1"}
# FFmpeg's demuxer names for each family.
DEMUXERS = {MP4.name: "mp4", MOV.name: "mp4", WEBM.name: "matroska", MKV.name: "matroska"}
# A clip may run this much over the limit (container rounding).
DURATION_SLACK_S = 0.5
UNREADABLE = (
    "This clip could not be read: it may be damaged or cut short. "
    "Export it again as MP4 (H.264) and upload that."
)


@dataclass(frozen=True)
class VideoLimits:
    max_seconds: float = 180
    max_long_edge: int = 3840
    max_short_edge: int = 2160
    max_fps: float = 120


@dataclass(frozen=True)
class EncodeSettings:
    long_edge: int = 1920
    max_fps: int = 60
    preset: str = "veryfast"
    crf: int = 23
    maxrate_kbps: int = 8000  # the cap at 1080p; scaled down with the pixel count
    audio_kbps: int = 128
    threads: int = 2  # x264's and the decoder's threads
    scaler: str = "BILINEAR"  # PyAV Interpolation name for swscale
    # Seconds a transcode may take (None: no limit). Threads cannot be killed,
    # so the inline background thread would otherwise hold its queue for as
    # long as a pathological clip takes; the loop checks it per packet.
    time_limit_s: float | None = None


@dataclass(frozen=True)
class ClipInfo:
    container: str  # Format name
    codec: str
    width: int  # as shown: rotation applied
    height: int
    duration_s: float
    frame_rate: float
    has_audio: bool
    rotation: int  # degrees clockwise to apply: 0, 90, 180 or 270


@dataclass
class Transcoded:
    width: int
    height: int
    duration_s: float
    frame_rate: float
    has_audio: bool
    frames: int
    poster: np.ndarray  # RGB, height × width × 3, at the clip's size


def _clockwise(frame_rotation: int) -> int:
    """Degrees to turn the picture clockwise, from FFmpeg's display matrix
    angle (counter-clockwise, as PyAV's ``frame.rotation`` gives it)."""
    return round(-frame_rotation / 90) * 90 % 360


def _frame_rate(stream) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return float(rate) if rate else 0.0


def _duration(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def probe(path: Path, fmt: Format, limits: VideoLimits) -> ClipInfo:
    """What the clip holds, or MediaError (written for the uploader) when
    SkyFrame does not take it. Decodes one frame."""
    try:
        container = av.open(str(path), format=DEMUXERS[fmt.name], metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError(UNREADABLE) from exc
    with container:
        if not container.streams.video:
            raise MediaError(
                "This file has no picture (a sound track only?); upload a clip with video."
            )
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        accepted = ACCEPTED_CODECS[fmt.name]
        if codec not in accepted:
            names = ", ".join(sorted(CODEC_LABELS.get(c, c) for c in accepted))
            raise MediaError(f"{fmt.label} clips must hold {names} video; this one is {codec}.")
        duration = _duration(container, stream)
        if duration is None or duration <= 0:
            raise MediaError(UNREADABLE)
        if duration > limits.max_seconds + DURATION_SLACK_S:
            raise MediaError(
                f"This clip is {duration:.0f} s long; clips may be at most "
                f"{limits.max_seconds:.0f} s. Trim it and upload it again."
            )
        width, height = stream.codec_context.width, stream.codec_context.height
        if max(width, height) > limits.max_long_edge or min(width, height) > limits.max_short_edge:
            raise MediaError(
                f"This clip is {width}×{height}; clips may be at most "
                f"{limits.max_long_edge}×{limits.max_short_edge}."
            )
        fps = _frame_rate(stream)
        if fps > limits.max_fps + 0.5:
            raise MediaError(
                f"This clip runs at {fps:.0f} frames per second; at most "
                f"{limits.max_fps:.0f} are accepted."
            )
        first = _first_frame(container, stream)
        rotation = _clockwise(first.rotation)
        if rotation in (90, 270):
            width, height = height, width
        has_audio = bool(container.streams.audio)
    return ClipInfo(fmt.name, codec, width, height, duration, fps, has_audio, rotation)


def _first_frame(container, stream):
    try:
        for frame in container.decode(stream):
            return frame
    except (av.FFmpegError, ValueError) as exc:
        raise MediaError(UNREADABLE) from exc
    raise MediaError(UNREADABLE)


def output_size(width: int, height: int, long_edge: int) -> tuple[int, int]:
    """The clip's size once scaled to fit ``long_edge``, even on both sides
    (yuv420p needs it)."""
    scale = min(1.0, long_edge / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _maxrate_kbps(settings: EncodeSettings, width: int, height: int, fps: float) -> int:
    """The bitrate cap: ``maxrate_kbps`` at 1080p30, in proportion to pixels
    per second (square root: small sizes need relatively more)."""
    ratio = (width * height * max(fps, 1)) / (1920 * 1080 * 30)
    return max(500, round(settings.maxrate_kbps * ratio**0.5))


# Poster candidates: frames at these fractions of the clip.
POSTER_POINTS = (0.1, 0.25, 0.4, 0.55, 0.7, 0.85)
POSTER_SAMPLE = (64, 36)
FLAT_SPREAD = 2.0  # grey levels


def poster_score(gray: np.ndarray) -> float:
    """How good a poster a frame makes: its detail (standard deviation) and
    a little of its brightness. A flat frame (black, white, one colour: a
    fade) scores below any frame with something in it; a night sky is dark
    but not flat."""
    mean, spread = float(gray.mean()), float(gray.std())
    if spread < FLAT_SPREAD:
        return spread - 100
    return spread + mean / 20


class _PosterPicker:
    def __init__(self, duration_s: float) -> None:
        self.points = [duration_s * p for p in POSTER_POINTS]
        self.best: tuple[float, np.ndarray] | None = None

    def offer(self, frame: av.VideoFrame, seconds: float) -> None:
        # The first frame too, so that a clip shorter than a sample interval
        # still gets a poster.
        if self.best is not None and (not self.points or seconds < self.points[0]):
            return
        while self.points and seconds >= self.points[0]:
            self.points.pop(0)
        small = frame.reformat(*POSTER_SAMPLE, format="gray").to_ndarray()
        score = poster_score(small)
        if self.best is None or score > self.best[0]:
            self.best = (score, frame.to_ndarray(format="rgb24"))


def _rotate_graph(frame: av.VideoFrame, rotation: int, threads: int):
    graph = av.filter.Graph()
    source = graph.add_buffer(
        width=frame.width,
        height=frame.height,
        format=frame.format.name,
        time_base=Fraction(1, 1000),
    )
    chain = {90: ["transpose=clock"], 180: ["hflip", "vflip"], 270: ["transpose=cclock"]}
    nodes = [source]
    for spec in chain[rotation]:
        name, _, args = spec.partition("=")
        nodes.append(graph.add(name, args or None))
    nodes.append(graph.add("buffersink"))
    graph.link_nodes(*nodes).configure()
    return graph


def too_slow_message(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        f"Processing this clip took longer than {minutes} minute{'s' if minutes > 1 else ''}. "
        "Try a shorter clip, or export it at 1080p first."
    )


def transcode(src: Path, dst: Path, info: ClipInfo, settings: EncodeSettings) -> Transcoded:
    """Write the web MP4 of ``src`` to ``dst``; MediaError if the source
    cannot be decoded after all (a corrupt stream past its header), or when
    it takes longer than ``settings.time_limit_s``."""
    try:
        return _transcode(src, dst, info, settings)
    except av.FFmpegError as exc:
        log.info("transcoding %s failed: %s", src, exc)
        raise MediaError(UNREADABLE) from exc


def _transcode(src: Path, dst: Path, info: ClipInfo, settings: EncodeSettings) -> Transcoded:
    out_fps = Fraction(min(info.frame_rate or 30, settings.max_fps)).limit_denominator(1001)
    width, height = output_size(info.width, info.height, settings.long_edge)
    # Scale before rotating: the stored frame's size is the shown one turned.
    pre_w, pre_h = (height, width) if info.rotation in (90, 270) else (width, height)
    picker = _PosterPicker(info.duration_s)
    interpolation = av.video.reformatter.Interpolation[settings.scaler]
    with (
        av.open(str(src), format=DEMUXERS[info.container], metadata_errors="ignore") as source,
        av.open(
            str(dst),
            "w",
            format="mp4",
            options={"movflags": "+faststart", "fflags": "+bitexact"},
        ) as out,
    ):
        vin = source.streams.video[0]
        vin.thread_type = "AUTO"
        vin.codec_context.thread_count = settings.threads
        ain = source.streams.audio[0] if source.streams.audio else None
        vout = out.add_stream("libx264", rate=out_fps)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        maxrate = _maxrate_kbps(settings, width, height, float(out_fps))
        vout.options = {
            "preset": settings.preset,
            "profile": "high",
            "crf": str(settings.crf),
            "maxrate": f"{maxrate}k",
            "bufsize": f"{2 * maxrate}k",
            "g": str(max(1, round(2 * float(out_fps)))),
            "threads": str(settings.threads),
        }
        vout.codec_context.time_base = 1 / out_fps
        aout = resampler = None
        if ain is not None:
            aout = out.add_stream("aac", rate=48000)
            aout.layout = "stereo"
            aout.bit_rate = settings.audio_kbps * 1000
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000)
        start = vin.start_time * vin.time_base if vin.start_time is not None else 0
        graph = None
        last_pts, frames, samples, bad = -1, 0, 0, [0]
        streams = [vin] + ([ain] if ain is not None else [])
        limit = settings.time_limit_s
        deadline = time.monotonic() + limit if limit is not None else None
        for packet in source.demux(*streams):
            if deadline is not None and time.monotonic() > deadline:
                raise MediaError(too_slow_message(limit))
            if packet.stream is vin:
                for frame in _decode(packet, bad):
                    if frame.time is None:
                        continue
                    seconds = float(frame.time - start)
                    pts = round(seconds * out_fps)
                    if pts <= last_pts:
                        continue  # over the frame-rate cap (or a duplicate time)
                    last_pts = pts
                    scaled = frame.reformat(
                        pre_w,
                        pre_h,
                        format="yuv420p",
                        interpolation=interpolation,
                        threads=settings.threads,
                    )
                    if info.rotation:
                        graph = graph or _rotate_graph(scaled, info.rotation, settings.threads)
                        scaled.pts, scaled.time_base = pts, Fraction(1, 1000)
                        graph.push(scaled)
                        scaled = graph.pull()
                    picker.offer(scaled, seconds)
                    scaled.pts, scaled.time_base = pts, vout.codec_context.time_base
                    out.mux(vout.encode(scaled))
                    frames += 1
            elif aout is not None:
                for frame in _decode(packet, bad):
                    for converted in resampler.resample(frame):
                        converted.pts, samples = samples, samples + converted.samples
                        out.mux(aout.encode(converted))
        out.mux(vout.encode())
        if aout is not None:
            for converted in resampler.resample(None):
                converted.pts, samples = samples, samples + converted.samples
                out.mux(aout.encode(converted))
            out.mux(aout.encode())
    if frames == 0 or picker.best is None:
        raise MediaError(UNREADABLE)
    duration = (last_pts + 1) / float(out_fps)
    return Transcoded(
        width,
        height,
        round(duration, 3),
        float(out_fps),
        aout is not None and samples > 0,
        frames,
        picker.best[1],
    )


# A few damaged packets are skipped (as players do); more is a corrupt file.
MAX_BAD_PACKETS = 8


def _decode(packet, bad: list[int]):
    try:
        return packet.decode()
    except av.error.InvalidDataError:
        bad[0] += 1
        if bad[0] > MAX_BAD_PACKETS:
            raise
        return []
