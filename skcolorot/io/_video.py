"""Grading a video clip through ffmpeg: one grade for the whole clip.

A colour transfer fitted on every frame separately (what image tools applied
frame by frame do) follows every change of framing, and the grade flickers.
:func:`grade_video` fits **one** grade on colours sampled from frames spread
evenly across the clip, then applies that same grade to every frame, so
identical colours stay identical from frame to frame (``benchmarks/
bench_video_flicker.py`` measures the difference).

ffmpeg does the decoding and encoding (the ``ffmpeg`` executable on ``PATH``, or
the one the ``imageio-ffmpeg`` package ships): frames travel as raw RGB through
pipes, the frame rate is copied exactly, audio is copied when the output
container takes it as it is (re-encoded otherwise), and the output is written to a temporary file
that replaces nothing until it is complete.
"""

import json
import os
import shutil
import subprocess
import threading

import numpy as np

__all__ = ["VideoInfo", "ffmpeg_executable", "grade_video", "probe_video", "read_frames"]

# Frames of the fit are shrunk to at most this width: a colour distribution
# needs no detail, and decoding stays cheap.
_SAMPLE_WIDTH = 320
_MUXERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".webm": "webm",
           ".avi": "avi"}
# Audio codecs each container takes as they are; others are re-encoded.
_AUDIO_COPY = {
    "mp4": {"aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"},
    "mov": {"aac", "mp3", "alac", "ac3", "pcm_s16le", "pcm_s24le", "pcm_s16be", "pcm_s24be"},
    "webm": {"opus", "vorbis"},
    "avi": {"mp3", "ac3", "pcm_s16le"},
}
_ENCODER_FORMATS = {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le",
                    "yuv444p10le"}
_MATRICES = {"bt709": "bt709", "smpte170m": "bt601", "bt470bg": "bt601",
             "bt2020nc": "bt2020", "bt2020ncl": "bt2020"}


class VideoInfo(dict):
    """What :func:`probe_video` found: ``width``, ``height``, ``fps`` (a string
    such as ``"30000/1001"``), ``frames`` (an estimate, or None), ``pix_fmt``,
    ``bits`` (8 or 16: the depth frames are decoded at), ``colorspace``,
    ``color_primaries``, ``color_trc``, ``audio_codec`` (None without audio)."""

    __getattr__ = dict.get


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


def _fraction(text):
    try:
        num, _, den = str(text).partition("/")
        return float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return 0.0


def probe_video(path):
    """Streams of ``path`` through ffprobe.

    Returns
    -------
    info : VideoInfo

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ffprobe cannot read it or it has no video stream.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(2, "no such file", path)
    ffmpeg = ffmpeg_executable()
    ffprobe = shutil.which("ffprobe") or os.path.join(os.path.dirname(ffmpeg), "ffprobe")
    completed = subprocess.run(
        [ffprobe, "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
        capture_output=True, text=True,
    )
    if completed.returncode != 0:
        raise ValueError(f"{path}: not a video ffmpeg can read ({_last_line(completed.stderr)}).")
    data = json.loads(completed.stdout or "{}")
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    if video is None:
        raise ValueError(f"{path}: has no video stream.")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    fps = video.get("avg_frame_rate") or video.get("r_frame_rate") or "25/1"
    if _fraction(fps) <= 0:
        fps = video.get("r_frame_rate") or "25/1"
    frames = video.get("nb_frames")
    frames = int(frames) if frames and str(frames).isdigit() else None
    if frames is None:
        duration = _fraction(video.get("duration") or data.get("format", {}).get("duration") or 0)
        frames = int(round(duration * _fraction(fps))) or None
    pix_fmt = video.get("pix_fmt", "")
    deep = any(tag in pix_fmt for tag in ("p10", "p12", "p16", "48", "64"))
    return VideoInfo(
        width=int(video["width"]), height=int(video["height"]), fps=fps, frames=frames,
        pix_fmt=pix_fmt, bits=16 if deep else 8, codec=video.get("codec_name"),
        colorspace=video.get("color_space"), color_primaries=video.get("color_primaries"),
        color_trc=video.get("color_transfer"), color_range=video.get("color_range"),
        audio_codec=audio.get("codec_name") if audio else None,
    )


def _last_line(text):
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def read_frames(path, *, info=None, width=None, bits=None):
    """Decode the frames of ``path`` one by one as RGB arrays.

    Parameters
    ----------
    path : str or path-like
    info : VideoInfo, default=None
        From :func:`probe_video` (probed when None).
    width : int, default=None
        Scale frames to this width (even height, aspect kept); None: full size.
    bits : {8, 16}, default=None
        uint8 or uint16 frames; None follows the source (16 for 10-bit video).

    Yields
    ------
    frame : ndarray of shape (H, W, 3)
    """
    path = os.fspath(path)
    info = probe_video(path) if info is None else info
    bits = info.bits if bits is None else bits
    w, h = info.width, info.height
    filters = []
    if width is not None and width < w:
        h = max(2, int(round(h * width / w / 2)) * 2)
        w = width
        filters = ["-vf", f"scale={w}:{h}:flags=area"]
    pix_fmt, dtype = ("rgb48le", np.dtype("<u2")) if bits == 16 else ("rgb24", np.dtype(np.uint8))
    command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0",
               *filters, "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"]
    frame_bytes = w * h * 3 * dtype.itemsize
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errors = []
    drain = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
    drain.start()
    count = 0
    try:
        while True:
            data = process.stdout.read(frame_bytes)
            if len(data) < frame_bytes:
                break
            count += 1
            yield np.frombuffer(data, dtype=dtype).reshape(h, w, 3).astype(dtype.newbyteorder("="))
    finally:
        process.stdout.close()
        if process.poll() is None:
            process.kill()
        process.wait()
        drain.join()
    if process.returncode != 0 or count == 0:
        message = errors[0].decode(errors="replace") if errors else ""
        raise ValueError(f"{path}: ffmpeg cannot decode the video ({_last_line(message)}).")


def _sample_frames(path, info, n_frames):
    """``n_frames`` small frames spread evenly over the clip (all if it is shorter)."""
    total = info.frames
    frames = []
    if total:
        wanted = set(np.linspace(0, total - 1, min(n_frames, total)).round().astype(int))
        for index, frame in enumerate(read_frames(path, info=info, width=_SAMPLE_WIDTH)):
            if index in wanted:
                frames.append(frame)
    else:  # length unknown: a uniform random choice (reservoir sampling)
        rng = np.random.default_rng(0)
        for index, frame in enumerate(read_frames(path, info=info, width=_SAMPLE_WIDTH)):
            if len(frames) < n_frames:
                frames.append(frame)
            elif (slot := rng.integers(0, index + 1)) < n_frames:
                frames[slot] = frame
    if not frames:
        raise ValueError(f"{path}: ffmpeg decoded no frame.")
    return frames


def _histogram(frame):
    """Normalised 8x8x8 RGB histogram: the descriptor of the cut detector."""
    levels = (frame.astype(np.uint32) * 8) // (np.iinfo(frame.dtype).max + 1)
    codes = (levels[..., 0] * 64 + levels[..., 1] * 8 + levels[..., 2]).ravel()
    return np.bincount(codes, minlength=512) / codes.size


def _sample_shots(path, info, n_frames, threshold, min_length):
    """Split the clip at cuts and sample up to ``n_frames`` small frames per shot.

    A cut is where the colour histograms of consecutive frames differ by more
    than ``threshold`` in total variation (half the L1 distance, 0 to 1), at
    least ``min_length`` frames after the previous cut. Frames are sampled
    uniformly at random within a shot (reservoir sampling, seeded).

    Returns ``(starts, samples)``: the first frame index of every shot and the
    list of sampled frames of every shot.
    """
    rng = np.random.default_rng(0)
    starts, samples, seen, previous = [], [], 0, None
    for index, frame in enumerate(read_frames(path, info=info, width=_SAMPLE_WIDTH)):
        histogram = _histogram(frame)
        cut = previous is None or (
            0.5 * np.abs(histogram - previous).sum() > threshold
            and index - starts[-1] >= min_length
        )
        previous = histogram
        if cut:
            starts.append(index)
            samples.append([])
            seen = 0
        seen += 1
        if len(samples[-1]) < n_frames:
            samples[-1].append(frame)
        elif (slot := rng.integers(0, seen)) < n_frames:
            samples[-1][slot] = frame
    if not starts:
        raise ValueError(f"{path}: ffmpeg decoded no frame.")
    return starts, samples


def _encoder_args(output, info, crf):
    extension = os.path.splitext(output)[1].lower()
    muxer = _MUXERS.get(extension)
    if muxer is None:
        raise ValueError(
            f"{output}: unknown video container {extension or '(no extension)'!r}; use "
            f"{', '.join(sorted(_MUXERS))}."
        )
    if muxer == "webm":
        video = ["-c:v", "libvpx-vp9", "-crf", str(crf), "-b:v", "0"]
    else:
        video = ["-c:v", "libx264", "-crf", str(crf), "-preset", "medium"]
    matrix = _MATRICES.get(info.colorspace) or ("bt709" if info.height >= 720 else "bt601")
    tag = {"bt709": "bt709", "bt601": "smpte170m", "bt2020": "bt2020nc"}[matrix]
    # The source's chroma subsampling and depth when the encoder takes them.
    out_fmt = info.pix_fmt if info.pix_fmt in _ENCODER_FORMATS else (
        "yuv420p10le" if info.bits == 16 else "yuv420p")
    video += ["-vf", f"scale=out_color_matrix={matrix}:out_range=tv", "-pix_fmt", out_fmt,
              "-colorspace", tag]
    for option, value in (("-color_primaries", info.color_primaries),
                          ("-color_trc", info.color_trc)):
        if value and value != "unknown":
            video += [option, value]
    audio = []
    if info.audio_codec:
        copy = muxer == "matroska" or info.audio_codec in _AUDIO_COPY.get(muxer, ())
        codec = "copy" if copy else ("libopus" if muxer == "webm" else "aac")
        audio = ["-map", "1:a:0", "-c:a", codec]
    if muxer in ("mp4", "mov"):
        video += ["-movflags", "+faststart"]
    return muxer, video, audio


def grade_video(
    input,
    reference,
    output,
    *,
    transport=None,
    n_frames=16,
    regrain=False,
    overwrite=False,
    crf=18,
    progress=False,
    lut_out=None,
    lut_size=33,
    per_shot=False,
    cut_threshold=0.4,
):
    """Grade a clip to the colours of a reference image with one fitted grade.

    Parameters
    ----------
    input : str or path-like
        The clip (anything ffmpeg decodes).
    reference : str, path-like or ndarray
        The reference image (a file, read with its ICC profile into sRGB, or an
        RGB array).
    output : str or path-like
        The graded clip; the container follows the extension (.mp4, .mov, .mkv,
        .webm, .avi). H.264 (VP9 for .webm), the source's frame rate, audio copied.
    transport : BaseTransport, default=None
        The unfitted transport (``SlicedTransport(random_state=0)`` when None).
    n_frames : int, default=16
        Frames spread evenly over the clip whose colours the grade is fitted on.
    regrain : bool or dict, default=False
        Regrain every frame (:func:`skcolorot.regrain`; a dict of its parameters).
    overwrite : bool, default=False
        Replace an existing ``output`` (and ``lut_out``).
    crf : int, default=18
        Encoder quality (lower is better).
    progress : bool, default=False
        A progress bar over the frames on stderr (tqdm's when it is installed).
    lut_out : str or path-like, default=None
        Also write the grade as a ``.cube`` file.
    lut_size : int, default=33
        Nodes per axis of ``lut_out``.
    per_shot : bool, default=False
        Split the clip at cuts and fit one grade per shot (on up to ``n_frames``
        frames of that shot): within a shot the grade is constant, so still no
        flicker; each shot is matched to the reference on its own. A cut is a
        change of the frames' colour histogram (total variation) above
        ``cut_threshold``, at least half a second after the previous cut.
        ``lut_out`` then holds the grade of the first shot.
    cut_threshold : float in (0, 1), default=0.4
        Sensitivity of the cut detector (lower: more cuts).

    Returns
    -------
    report : dict
        ``frames`` written, ``width``, ``height``, ``fps``, ``audio`` (bool),
        ``sampled`` (frames fitted on, all shots together), ``shots`` (first
        frame of every shot) and the fitted ``transport`` (a list of one per
        shot with ``per_shot``).

    Raises
    ------
    FileExistsError
        If ``output`` exists and ``overwrite`` is False.
    ValueError
        If ``input`` has no video stream or ffmpeg cannot decode or encode it.

    Examples
    --------
    >>> from skcolorot.io._video import grade_video
    >>> report = grade_video("clip.mp4", "look.jpg", "graded.mp4")  # doctest: +SKIP
    """
    from ._atomic import atomic_path, check_writable
    from .._utils._progress import Progress

    input, output = os.fspath(input), os.fspath(output)
    check_writable(output, overwrite=overwrite)
    if lut_out is not None:
        check_writable(lut_out, overwrite=overwrite)
    info = probe_video(input)
    muxer, video_args, audio_args = _encoder_args(output, info, crf)
    if isinstance(reference, (str, os.PathLike)):
        from ._files import FileIO

        reference = FileIO().read(reference).pixels
    if transport is None:
        from ..transport._sliced import SlicedTransport

        transport = SlicedTransport(random_state=0)
    if isinstance(regrain, bool):
        regrain_params = {} if regrain else None
    else:
        regrain_params = dict(regrain or {}) or None

    if per_shot:
        from sklearn.base import clone

        min_length = max(2, int(round(0.5 * _fraction(info.fps))))
        starts, samples = _sample_shots(input, info, n_frames, cut_threshold, min_length)
        grades = [clone(transport).fit(np.concatenate(frames), reference) for frames in samples]
        sampled = [frame for frames in samples for frame in frames]
    else:
        sampled = _sample_frames(input, info, n_frames)
        starts, grades = [0], [transport.fit(np.concatenate(sampled, axis=0), reference)]

    pix_fmt = "rgb48le" if info.bits == 16 else "rgb24"
    written = 0
    with atomic_path(output, overwrite=overwrite) as temporary:
        command = [
            ffmpeg_executable(), "-v", "error", "-nostdin", "-y",
            "-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", f"{info.width}x{info.height}",
            "-framerate", str(info.fps), "-i", "-",
            *(["-i", input] if audio_args else []), "-map", "0:v:0", *audio_args, *video_args,
            "-r", str(info.fps), "-f", muxer, temporary,
        ]
        encoder = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        errors = []
        drain = threading.Thread(target=lambda: errors.append(encoder.stderr.read()),
                                 daemon=True)
        drain.start()
        bar = Progress(info.frames, "grading", enabled=progress, unit="frame")
        try:
            shot = 0
            for index, frame in enumerate(read_frames(input, info=info)):
                while shot + 1 < len(starts) and index >= starts[shot + 1]:
                    shot += 1
                graded = np.asarray(grades[shot].transform(frame))
                if regrain_params is not None:
                    from ..image._regrainer import regrain as regrain_frame

                    graded = regrain_frame(frame, graded, **regrain_params)
                try:
                    little_endian = frame.dtype.newbyteorder("<")
                    encoder.stdin.write(np.ascontiguousarray(graded, little_endian).tobytes())
                except BrokenPipeError:
                    break
                written += 1
                bar.update()
            try:
                encoder.stdin.close()
            except BrokenPipeError:
                pass
            encoder.wait()
        except BaseException:
            encoder.kill()
            encoder.wait()
            raise
        finally:
            drain.join()
            bar.close()
        if encoder.returncode != 0 or written == 0:
            message = errors[0].decode(errors="replace") if errors else ""
            raise ValueError(
                f"{output}: ffmpeg could not encode the video ({_last_line(message)})."
            )
    if lut_out is not None:
        grades[0].to_cube(lut_out, size=lut_size, overwrite=overwrite)
    return {
        "frames": written, "width": info.width, "height": info.height, "fps": info.fps,
        "audio": bool(info.audio_codec), "sampled": len(sampled), "shots": starts,
        "transport": grades if per_shot else grades[0],
    }
