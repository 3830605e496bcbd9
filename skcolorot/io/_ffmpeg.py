"""The ffmpeg plumbing of :mod:`skcolorot.io._video`: finding and starting ffmpeg,
child processes that die with us, unnamed files that vanish with us, which
streams each container takes, and a minimal Matroska writer that hands graded
frames to the encoder with their own timestamps.

The standard library only (and numpy for nothing): the video command imports it
before anything heavy.
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import threading
from contextlib import contextmanager

__all__ = ["FFmpegProcess", "MatroskaWriter", "ffmpeg_executable", "ffmpeg_version",
           "plan_streams", "start_version_query", "unnamed_file"]

_MUXERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".webm": "webm",
           ".avi": "avi"}
# Audio codecs each container takes as they are; others are re-encoded.
_AUDIO_COPY = {
    "mp4": {"aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"},
    "mov": {"aac", "mp3", "alac", "ac3", "pcm_s16le", "pcm_s24le", "pcm_s16be", "pcm_s24be"},
    "webm": {"opus", "vorbis"},
    "avi": {"mp3", "ac3", "pcm_s16le"},
}
_TEXT_SUBTITLES = {"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"}
# The text subtitle codec each container takes (None: no subtitles at all).
_SUBTITLE_CODEC = {"matroska": None, "mp4": "mov_text", "mov": "mov_text", "webm": "webvtt"}


def ffmpeg_executable():
    """The path of ffmpeg: on PATH, else imageio-ffmpeg's; FileNotFoundError if none."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        raise FileNotFoundError(
            2, "ffmpeg not found: install it (it must be on PATH) or pip install "
            "imageio-ffmpeg", "ffmpeg"
        ) from None
    return imageio_ffmpeg.get_ffmpeg_exe()


_VERSION = {}
_VERSION_LOCK = threading.Lock()


def ffmpeg_version():
    """``(major, minor)`` of ffmpeg (``(99, 0)`` for a git build), read once."""
    executable = ffmpeg_executable()
    with _VERSION_LOCK:
        if executable not in _VERSION:
            out = subprocess.run([executable, "-version"], capture_output=True, text=True).stdout
            match = re.search(r"version n?(\d+)\.(\d+)", out)
            _VERSION[executable] = (int(match[1]), int(match[2])) if match else (99, 0)
    return _VERSION[executable]


def start_version_query():
    """:func:`ffmpeg_version` in the background: its ``ffmpeg -version`` (0.1-0.2 s)
    then runs beside other work (ffprobe) instead of before the first command."""
    if ffmpeg_executable() not in _VERSION:
        threading.Thread(target=ffmpeg_version, daemon=True,
                         name="skcolorot-ffmpeg-version").start()


def passthrough_args():
    """Every decoded frame passed on once, with its own timestamp (no CFR dup/drop)."""
    return ["-fps_mode", "passthrough"] if ffmpeg_version() >= (5, 1) else ["-vsync", "0"]


def _die_with_parent():
    # Linux: the child gets SIGKILL when we die, even by kill -9.
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def last_line(text):
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


class FFmpegProcess:
    """ffmpeg as a child that cannot outlive us, its stderr drained by a thread.

    On Linux the child is killed by the kernel when this process dies (even by
    SIGKILL); elsewhere :meth:`close` and the ``with`` block's exit kill it on
    any error or Ctrl-C. Every pipe is closed on exit.
    """

    def __init__(self, command, *, stdin=False, stdout=False):
        self.command = command
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self._errors = []
        self._drain = threading.Thread(
            target=lambda: self._errors.append(self.process.stderr.read()), daemon=True
        )
        self._drain.start()

    @property
    def stdin(self):
        return self.process.stdin

    @property
    def stdout(self):
        return self.process.stdout

    @property
    def stderr_text(self):
        return b"".join(self._errors).decode(errors="replace")

    def close(self, *, kill=False):
        """End the child (killed if ``kill`` or still reading), close every pipe;
        returns its exit status."""
        process = self.process
        for pipe in (process.stdin, process.stdout):
            if pipe is not None and not kill:
                try:
                    pipe.close()
                except OSError:  # a broken pipe on flush
                    pass
        if kill and process.poll() is None:
            process.kill()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        process.wait()
        self._drain.join()
        process.stderr.close()
        return process.returncode

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self.close(kill=kind is not None)


@contextmanager
def unnamed_file(directory, *, suffix=""):
    """A path to a file nobody else sees and that vanishes with this process.

    On Linux an ``O_TMPFILE`` inode in ``directory`` (its path through
    ``/proc``), so even a SIGKILL leaves nothing behind; elsewhere a temporary
    file removed on exit. Yields ``(path, fd)`` (``fd`` None off Linux).
    """
    flag = getattr(os, "O_TMPFILE", None)
    fd = None
    if flag is not None and sys.platform.startswith("linux"):
        try:
            fd = os.open(directory, flag | os.O_RDWR, 0o644)
        except OSError:  # a filesystem without O_TMPFILE
            fd = None
    if fd is not None:
        try:
            yield f"/proc/{os.getpid()}/fd/{fd}", fd
        finally:
            os.close(fd)
        return
    import tempfile

    handle, path = tempfile.mkstemp(dir=directory, prefix=".skcolorot-", suffix=suffix)
    os.close(handle)
    try:
        yield path, None
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def filter_path(path):
    """``path`` quoted for an ffmpeg filter argument (Windows drive colons escaped)."""
    return "'" + path.replace("\\", "/").replace(":", "\\:").replace("'", "") + "'"


def muxer_for(output):
    extension = os.path.splitext(output)[1].lower()
    muxer = _MUXERS.get(extension)
    if muxer is None:
        raise ValueError(
            f"{output}: unknown video container {extension or '(no extension)'!r}; use "
            f"{', '.join(sorted(_MUXERS))}."
        )
    return muxer


def plan_streams(streams, primary, muxer, source):
    """How every stream of the input but the graded video reaches the output.

    Parameters
    ----------
    streams : list of dict
        ffprobe's streams of the input.
    primary : int
        Index of the video stream that is graded (output stream 0).
    muxer : str
    source : int
        Index of the input file in the ffmpeg command.

    Returns
    -------
    args : list of str
        ``-map`` / ``-c`` options (output streams 1, 2, ...).
    kept : list of str
        What is copied or converted ("audio aac", "subtitle subrip -> mov_text").
    dropped : list of str
        What the container cannot take, with the reason.
    """
    args, kept, dropped = [], [], []
    out = 1
    for stream in streams:
        index, kind = stream.get("index"), stream.get("codec_type")
        codec = stream.get("codec_name") or "unknown"
        if index == primary:
            continue
        label = f"{kind} #{index} ({codec})"
        encoder, reason = "copy", None
        if kind == "audio":
            if muxer != "matroska" and codec not in _AUDIO_COPY.get(muxer, ()):
                encoder = "libopus" if muxer == "webm" else "aac"
        elif kind == "subtitle":
            wanted = _SUBTITLE_CODEC.get(muxer, "none")
            if wanted == "none":
                reason = f"{muxer.upper()} holds no subtitles"
            elif wanted is None:
                # Matroska takes every subtitle codec but MP4's text one
                encoder = "srt" if codec == "mov_text" else "copy"
            elif codec != wanted:
                if codec in _TEXT_SUBTITLES:
                    encoder = wanted
                else:
                    reason = f"bitmap subtitles cannot go into {muxer.upper()} (text only)"
        elif kind == "data":
            if muxer != "mov":
                reason = f"{muxer.upper()} holds no data streams (only MOV does)"
        elif kind == "attachment":
            if muxer != "matroska":
                reason = "only Matroska holds attachments"
        elif kind == "video":
            if muxer not in ("matroska", "mp4", "mov"):
                reason = f"{muxer.upper()} takes one video stream"
        else:
            reason = "unknown stream type"
        if reason is not None:
            dropped.append(f"{label}: {reason}")
            continue
        args += ["-map", f"{source}:{index}", f"-c:{out}", encoder]
        kept.append(label if encoder == "copy" else f"{label} -> {encoder}")
        out += 1
    return args, kept, dropped


# ---------------------------------------------------------------- Matroska
def _vint_size(size):
    """EBML size as a variable-length integer (8 bytes: simple and always fits)."""
    return struct.pack(">Q", size | (1 << 56))


def _element(element_id, payload):
    return element_id + _vint_size(len(payload)) + payload


def _uint(element_id, value):
    return _element(element_id, struct.pack(">Q", value))


class MatroskaWriter:
    """Raw RGB frames with their timestamps as a Matroska stream on a pipe.

    A raw pipe gives the encoder frames without time (it then invents a constant
    rate); this carries each frame's own presentation time, in nanoseconds, so
    a variable-frame-rate clip keeps every frame where it was.
    """

    _FOURCC = {"rgb24": b"RGB\x18", "rgb48le": b"RGB0"}

    def __init__(self, stream, width, height, pix_fmt):
        self.stream = stream
        fourcc = self._FOURCC[pix_fmt]
        header = _element(b"\x1a\x45\xdf\xa3", b"".join([
            _uint(b"\x42\x86", 1), _uint(b"\x42\xf7", 1), _uint(b"\x42\xf2", 4),
            _uint(b"\x42\xf3", 8), _element(b"\x42\x82", b"matroska"),
            _uint(b"\x42\x87", 4), _uint(b"\x42\x85", 2),
        ]))
        info = _element(b"\x15\x49\xa9\x66", _uint(b"\x2a\xd7\xb1", 1)  # 1 ns ticks
                        + _element(b"\x4d\x80", b"skcolorot") + _element(b"\x57\x41", b"skcolorot"))
        video = _element(b"\xe0", _uint(b"\xb0", width) + _uint(b"\xba", height)
                         + _element(b"\x2e\xb5\x24", fourcc))
        track = _element(b"\xae", _uint(b"\xd7", 1) + _uint(b"\x73\xc5", 1) + _uint(b"\x83", 1)
                         + _element(b"\x86", b"V_UNCOMPRESSED") + video)
        tracks = _element(b"\x16\x54\xae\x6b", track)
        segment = b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff"  # unknown size
        stream.write(header + segment + info + tracks)

    def write(self, frame_bytes, pts_ns):
        """One frame at ``pts_ns`` (a cluster each: its time is absolute)."""
        block = b"\x81\x00\x00\x80"  # track 1, relative time 0, keyframe
        timestamp = _uint(b"\xe7", max(0, int(pts_ns)))
        simple = b"\xa3" + _vint_size(len(block) + len(frame_bytes))
        size = len(timestamp) + len(simple) + len(block) + len(frame_bytes)
        self.stream.write(b"\x1f\x43\xb6\x75" + _vint_size(size) + timestamp + simple + block)
        self.stream.write(frame_bytes)
