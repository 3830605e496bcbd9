"""Grading a video clip through ffmpeg: one grade for the whole clip.

A colour transfer fitted on every frame separately (what image tools applied
frame by frame do) follows every change of framing, and the grade flickers.
:func:`grade_video` fits **one** grade on colours sampled from frames spread
evenly across the clip, then applies that same grade to every frame, so
identical colours stay identical from frame to frame (``benchmarks/
bench_video_flicker.py`` measures the difference).

The clip comes out as it went in: every frame with its own timestamp (a
variable frame rate stays variable, the frame count stays), its size (odd sizes
go to 4:4:4, which holds them, rather than being cropped), depth, colour
metadata and display rotation, and every other stream (all audio tracks,
subtitles, data, attachments, chapters, metadata) copied - or converted, or
dropped with the reason, where the container cannot take it. ffmpeg does the
decoding and encoding (:mod:`skcolorot.io._ffmpeg`); the compiled colour pass
grades frame by frame between them (or, for a clip with one grade and nothing
per frame, ffmpeg's own ``lut3d``, the grade as a ``.cube``, the same
tetrahedral interpolation: where the compiled pass is not built, or when asked).
The output is an unnamed file until it is complete, and ffmpeg
dies with this process, so neither Ctrl-C nor ``kill -9`` leaves anything behind.
"""

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np

from ._ffmpeg import (
    FFmpegProcess,
    MatroskaWriter,
    ffmpeg_executable,
    ffmpeg_version,
    filter_path,
    last_line as _last_line,
    muxer_for,
    passthrough_args,
    plan_streams,
    start_version_query,
    unnamed_file,
)

__all__ = ["VideoInfo", "ffmpeg_executable", "grade_video", "probe_video", "read_frames"]

# Frames of the fit are shrunk to at most this width: a colour distribution
# needs no detail, and decoding stays cheap.
_SAMPLE_WIDTH = 320
_ENCODER_FORMATS = {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le",
                    "yuv444p10le"}
_MATRICES = {"bt709": "bt709", "smpte170m": "bt601", "bt470bg": "bt601",
             "bt2020nc": "bt2020", "bt2020ncl": "bt2020"}
_HDR_TRANSFERS = {"smpte2084": "PQ", "arib-std-b67": "HLG"}


class VideoInfo(dict):
    """What :func:`probe_video` found: ``width``, ``height``, ``fps`` (a string
    such as ``"30000/1001"``), ``frames`` (an estimate, or None), ``pix_fmt``,
    ``bits`` (8 or 16: the depth frames are decoded at), ``colorspace``,
    ``color_primaries``, ``color_trc``, ``color_range``, ``rotation`` (degrees
    counter-clockwise of the display matrix, 0 without), ``time_base``,
    ``audio_codec`` (of the first audio stream; None without audio),
    ``streams`` (ffprobe's, all of them) and ``index`` (of the video stream)."""

    __getattr__ = dict.get


def _fraction(text):
    try:
        num, _, den = str(text).partition("/")
        return float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return 0.0


def _rotation(stream):
    for data in stream.get("side_data_list") or ():
        if "rotation" in data:
            return int(round(float(data["rotation"]))) % 360
    tag = (stream.get("tags") or {}).get("rotate")
    return int(tag) % 360 if tag and tag.lstrip("-").isdigit() else 0


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
    start_version_query()  # needed next, by the first ffmpeg command
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
        rotation=_rotation(video), time_base=video.get("time_base") or "1/1000",
        streams=streams, index=video.get("index", 0),
    )


_SHOWINFO = re.compile(r"Parsed_showinfo.*?\bn:\s*(\d+)\s+pts:\s*(-?\d+)")
_TIME_BASE = re.compile(r"Parsed_showinfo.*?time_base:\s*(\d+)/(\d+)")


def read_frames(path, *, info=None, width=None, bits=None, timestamps=None, autorotate=False):
    """Decode the frames of ``path`` one by one as RGB arrays.

    Every decoded frame once, in presentation order (no frame is repeated or
    dropped to make a constant rate), as stored (the display rotation is not
    applied unless ``autorotate``).

    Parameters
    ----------
    path : str or path-like
    info : VideoInfo, default=None
        From :func:`probe_video` (probed when None).
    width : int, default=None
        Scale frames to this width (even height, aspect kept); None: full size.
    bits : {8, 16}, default=None
        uint8 or uint16 frames; None follows the source (16 for 10-bit video).
    timestamps : list, default=None
        When given, receives every frame's presentation time in nanoseconds
        once the clip is decoded.
    autorotate : bool, default=False
        Apply the display rotation to the pixels.

    Yields
    ------
    frame : ndarray of shape (H, W, 3)
    """
    path = os.fspath(path)
    info = probe_video(path) if info is None else info
    bits = info.bits if bits is None else bits
    w, h = info.width, info.height
    if autorotate and info.rotation in (90, 270):
        w, h = h, w
    filters = []
    if width is not None and width < w:
        h = max(2, int(round(h * width / w / 2)) * 2)
        w = width
        filters.append(f"scale={w}:{h}:flags=area")
    if timestamps is not None:
        # After the scale, and without its per-frame checksums: showinfo sums
        # every plane (at 1080p that doubled the scan's CPU time, measured).
        filters.append("showinfo=checksum=0" if ffmpeg_version() >= (5, 1) else "showinfo")
    pix_fmt, dtype = ("rgb48le", np.dtype("<u2")) if bits == 16 else ("rgb24", np.dtype(np.uint8))
    command = [ffmpeg_executable(), "-v", "info" if timestamps is not None else "error",
               "-hide_banner", "-nostats", "-nostdin",
               *([] if autorotate else ["-noautorotate"]), "-i", path, "-map", "0:v:0",
               *(["-vf", ",".join(filters)] if filters else []), *passthrough_args(),
               "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"]
    frame_bytes = w * h * 3 * dtype.itemsize
    count = 0
    with FFmpegProcess(command, stdout=True) as decoder:
        while True:
            data = _read_exactly(decoder.stdout, frame_bytes)
            if data is None:
                break
            count += 1
            # read straight into a writable buffer: no copy but the pipe's
            # (a byte swap only on a big-endian machine)
            frame = np.frombuffer(data, dtype=dtype).reshape(h, w, 3)
            yield frame.astype(dtype.newbyteorder("="), copy=False)
        returncode = decoder.close()
    message = decoder.stderr_text
    if returncode != 0 or count == 0:
        raise ValueError(f"{path}: ffmpeg cannot decode the video ({_last_line(message)}).")
    if timestamps is not None:
        base = _TIME_BASE.search(message)
        num, den = (int(base[1]), int(base[2])) if base else (1, 1000)
        timestamps.extend(int(pts) * num * 10**9 // den for _, pts in _SHOWINFO.findall(message))


def _compiled_pass():
    """Whether the compiled colour pass is built (else the numpy one runs)."""
    from ..color import _lut

    return _lut._lut_c is not None


def _read_exactly(stream, size):
    """``size`` bytes of ``stream`` in a new bytearray, or None at its end."""
    data = bytearray(size)
    view, done = memoryview(data), 0
    while done < size:
        got = stream.readinto(view[done:])
        if not got:
            return None
        done += got
    return data


def _encoder_args(output, info, crf):
    """Output stream 0's options, its muxer and what the encode had to change."""
    muxer = muxer_for(output)
    notes = []
    if muxer == "webm":
        video = ["-c:0", "libvpx-vp9", "-crf", str(crf), "-b:v", "0"]
    else:
        video = ["-c:0", "libx264", "-crf", str(crf), "-preset", "medium"]
    matrix = _MATRICES.get(info.colorspace) or ("bt709" if info.height >= 720 else "bt601")
    tag = {"bt709": "bt709", "bt601": "smpte170m", "bt2020": "bt2020nc"}[matrix]
    full = info.color_range in ("pc", "jpeg")
    # The source's chroma subsampling and depth when the encoder takes them.
    out_fmt = info.pix_fmt if info.pix_fmt in _ENCODER_FORMATS else (
        "yuv420p10le" if info.bits == 16 else "yuv420p")
    odd_width, odd_height = info.width % 2, info.height % 2
    if (odd_width and "444" not in out_fmt) or (odd_height and "420" in out_fmt):
        # 4:2:0 / 4:2:2 need even sizes: 4:4:4 keeps every pixel, no crop
        out_fmt = out_fmt.replace("420", "444").replace("422", "444")
        notes.append(f"4:4:4 chroma: {info.width}x{info.height} is odd, which "
                     "4:2:0 cannot hold")
    scale = f"scale=out_color_matrix={matrix}:out_range={'pc' if full else 'tv'}"
    video += ["-pix_fmt:0", out_fmt, "-colorspace:0", tag,
              "-color_range:0", "pc" if full else "tv"]
    for option, value in (("-color_primaries:0", info.color_primaries),
                          ("-color_trc:0", info.color_trc)):
        if value and value != "unknown":
            video += [option, value]
    if info.color_trc in _HDR_TRANSFERS:
        notes.append(f"HDR input ({_HDR_TRANSFERS[info.color_trc]}): the grade was "
                     "fitted on SDR reference colours and maps the code values as they are")
    if muxer in ("mp4", "mov"):
        video += ["-movflags", "+faststart", "-video_track_timescale",
                  info.time_base.partition("/")[2] or "1000"]
    return muxer, video, scale, notes


def _keeps_rotation(muxer):
    # ffmpeg writes a display matrix into MP4 / MOV only
    return muxer in ("mp4", "mov")


def _write_cube_fd(fd, table):
    """The table as .cube text into an open file (ffmpeg's lut3d reads it); 7
    decimals, so that ffmpeg's grade is the table's to far below a level."""
    import io

    text = io.StringIO()
    text.write(f"LUT_3D_SIZE {table.shape[0]}\nDOMAIN_MIN 0.0 0.0 0.0\nDOMAIN_MAX 1.0 1.0 1.0\n")
    rows = np.asarray(table, dtype=np.float64).transpose(2, 1, 0, 3).reshape(-1, 3)
    np.savetxt(text, rows, fmt="%.7f")  # red fastest, as the format has it
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.getvalue().encode(), 0)


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
    exposure_lock=True,
    engine="auto",
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
        .webm, .avi). H.264 (VP9 for .webm) at the source's depth, chroma and
        colour metadata, every frame at its own timestamp, the display rotation
        and every other stream the container takes kept.
    transport : BaseTransport, default=None
        The unfitted transport (``SlicedTransport(random_state=0)`` when None).
    n_frames : int, default=16
        Frames spread evenly over the clip whose colours the grade is fitted on.
    regrain : bool or dict, default=False
        Regrain every frame. ``True``: the grade applied as the default look
        applies its table (on an edge-preserving base, the fine detail kept as
        luminance: no halo); a dict: :func:`skcolorot.regrain` with those
        parameters on the graded frame.
    overwrite : bool, default=False
        Replace an existing ``output`` (and ``lut_out``).
    crf : int, default=18
        Encoder quality (lower is better).
    progress : bool, default=False
        A progress bar over the frames on stderr, with the frame rate and the
        time left.
    lut_out : str or path-like, default=None
        Also write the grade as a ``.cube`` file.
    lut_size : int, default=33
        Nodes per axis of ``lut_out``.
    per_shot : bool, default=False
        Split the clip at cuts and fit one grade per shot (on up to ``n_frames``
        frames of that shot): within a shot the grade is constant, so still no
        flicker; each shot is matched to the reference on its own. A cut is a
        change of the frames' colour histogram (total variation) above
        ``cut_threshold``, at least half a second after the previous cut; the
        same change built up steadily over half a second is a dissolve, over
        which the two grades blend. ``lut_out`` then holds the first shot's grade.
    cut_threshold : float in (0, 1), default=0.4
        Sensitivity of the cut detector (lower: more cuts).
    exposure_lock : bool, default=True
        Take a drift of exposure (the frame's mean luma, smoothed over a second)
        out before the grade and put it back after: the grade's contrast then
        does not steepen an exposure ramp.
    engine : {"auto", "ffmpeg", "python"}, default="auto"
        Who applies the grade: ffmpeg's ``lut3d`` (one grade, no regrain, no
        exposure drift, a transport with a table) or the compiled colour pass
        frame by frame (the two agree within a level). "auto" takes the
        compiled pass where it is built, which is the quicker (it runs beside
        ffmpeg's decoding and encoding, where ``lut3d`` runs in series with
        them), and ``lut3d`` where it can if only the numpy pass is there.

    Returns
    -------
    report : dict
        ``frames`` written, ``width``, ``height``, ``fps``, ``audio`` (bool:
        some audio track kept), ``streams`` (``kept`` and ``dropped`` lists of
        descriptions, with reasons), ``notes`` (what the encode had to change),
        ``rotation``, ``engine``, ``sampled`` (frames fitted on, all shots
        together), ``shots`` (first frame of every shot), ``blends`` (dissolves)
        and the fitted ``transport`` (a list of one per shot with ``per_shot``).

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
    from ._atomic import check_writable
    from ._video_scan import exposure_gains, scan_clip

    input, output = os.fspath(input), os.fspath(output)
    if engine not in ("auto", "ffmpeg", "python"):
        raise ValueError(f"engine must be 'auto', 'ffmpeg' or 'python', got {engine!r}")
    check_writable(output, overwrite=overwrite)
    if lut_out is not None:
        check_writable(lut_out, overwrite=overwrite)
    if isinstance(reference, (str, os.PathLike)):
        from ._files import FileIO

        # ffprobe (0.1-0.2 s, a process) runs while the reference is read
        with ThreadPoolExecutor(1, thread_name_prefix="skcolorot-probe") as pool:
            probing = pool.submit(probe_video, input)
            reference = FileIO().read(reference).pixels
            info = probing.result()
    else:
        info = probe_video(input)
    muxer, video_args, scale, notes = _encoder_args(output, info, crf)
    if transport is None:
        from ..transport._sliced import SlicedTransport

        transport = SlicedTransport(random_state=0)
    if isinstance(regrain, bool):
        from ..image._apply_grade import CLEAN

        regrain_params = CLEAN if regrain else None
    else:
        regrain_params = dict(regrain or {}) or None

    # Where the container cannot hold the display rotation, it goes into the pixels.
    autorotate = bool(info.rotation) and not _keeps_rotation(muxer)
    if autorotate:
        notes.append(f"rotation of {info.rotation} degrees applied to the pixels "
                     f"({muxer.upper()} cannot store it)")
    fps = _fraction(info.fps) or 25.0
    min_length = max(2, int(round(0.5 * fps)))
    timestamps = []
    scan = scan_clip(
        read_frames(input, info=info, width=_SAMPLE_WIDTH, timestamps=timestamps,
                    autorotate=autorotate),
        info.frames, n_frames, per_shot=per_shot, threshold=cut_threshold,
        min_length=min_length,
    )
    if scan is None:
        raise ValueError(f"{input}: ffmpeg decoded no frame.")

    def fit():
        """The grades, their tables and every frame's exposure gain."""
        if per_shot:
            from sklearn.base import clone

            grades = [clone(transport).fit(np.concatenate(frames), reference)
                      for frames in scan.samples]
        else:
            grades = [transport.fit(np.concatenate(scan.samples[0], axis=0), reference)]
        tabled = all(getattr(grade, "_fits_colors", False) for grade in grades)
        gains = exposure_gains(scan, fps, enabled=exposure_lock and tabled)
        tables = [grade._grade_table(grade._check_t(), False, True)
                  for grade in grades] if tabled else None
        return grades, tables, gains

    job = dict(input=input, info=info, muxer=muxer, video_args=video_args, scale=scale,
               autorotate=autorotate, progress=progress, n_total=scan.n_frames)
    if len(timestamps) != scan.n_frames:
        timestamps = None  # no showinfo timestamps: constant rate from fps
    # ffmpeg applies lut3d in its one filter thread, in series with the YUV <->
    # RGB conversions, while x264 waits; the compiled pass runs beside the
    # decoding and the encoding ffmpeg processes, and is quicker per frame. So
    # "auto" takes it where it is built (1080p, 2 cores, scan and fit included:
    # 1.0-1.1x plain ffmpeg + lut3d on 50 frames, 0.9-1.0x on 150, against
    # 1.2-1.3x through our lut3d path), lut3d where only the numpy pass is (or
    # where the frames' timestamps could not be read, which lut3d keeps).
    if engine == "python" or (engine == "auto" and _compiled_pass() and timestamps is not None):
        from sklearn import config_context, get_config

        config = get_config()  # thread-local: the caller's settings go with the fit

        def fit_in_context():
            with config_context(**config):
                return fit()

        # The fit runs while ffmpeg starts, decodes and opens its encoder (0.2-0.5
        # s of a short clip's time); the first frame waits for its grade.
        with ThreadPoolExecutor(1, thread_name_prefix="skcolorot-fit") as pool:
            fitted = pool.submit(fit_in_context)
            written, kept, dropped = _encode_frames(
                output, overwrite, fitted.result, scan, regrain_params, timestamps, **job)
        grades, _, gains = fitted.result()
        use_ffmpeg = False
    else:
        fit_result = fit()
        grades, tables, gains = fit_result
        simple = regrain_params is None and len(grades) == 1 and tables is not None and (
            gains == 1).all()
        if engine == "ffmpeg" and not simple:
            raise ValueError("engine='ffmpeg' needs one grade with a table, no regrain and "
                             "no exposure drift; use engine='auto'.")
        use_ffmpeg = simple
        if use_ffmpeg:
            written, kept, dropped = _encode_with_lut3d(output, overwrite, tables[0], **job)
        else:
            written, kept, dropped = _encode_frames(
                output, overwrite, lambda: fit_result, scan, regrain_params, timestamps, **job)
    if (gains != 1).any():
        notes.append(f"exposure drift held out of the grade (gain "
                     f"{gains.min():.2f}-{gains.max():.2f})")
    if lut_out is not None:
        grades[0].to_cube(lut_out, size=lut_size, overwrite=overwrite)
    sampled = sum(len(frames) for frames in scan.samples)
    return {
        "frames": written, "width": info.width, "height": info.height, "fps": info.fps,
        "audio": any(item.startswith("audio") for item in kept),
        "streams": {"kept": kept, "dropped": dropped}, "notes": notes,
        "rotation": info.rotation, "engine": "ffmpeg lut3d" if use_ffmpeg else "compiled pass",
        "sampled": sampled, "shots": scan.starts, "blends": scan.blends,
        "transport": grades if per_shot else grades[0],
    }


def _output_command(info, muxer, video_args, streams_args, target, source_index):
    tb = info.time_base
    return [
        *streams_args, "-map_metadata", str(source_index), "-map_chapters", str(source_index),
        "-map_metadata:s:0", f"{source_index}:s:{info.index}", *video_args,
        *passthrough_args(), "-enc_time_base:0", tb, "-f", muxer, target,
    ]


def _encode_with_lut3d(output, overwrite, table, *, input, info, muxer, video_args, scale,
                       autorotate, progress, n_total):
    """ffmpeg alone: decode, the grade as a .cube through lut3d, encode.

    lut3d reads its table by file name (and wants the .cube extension), so the
    table is a file in a private directory, removed as soon as ffmpeg has
    graded its first frame (it has read the table then).
    """
    import tempfile

    streams_args, kept, dropped = plan_streams(info.streams, info.index, muxer, 0)
    folder = tempfile.mkdtemp(prefix="skcolorot-")
    cube = os.path.join(folder, "grade.cube")

    def forget_table():
        shutil.rmtree(folder, ignore_errors=True)

    try:
        fd = os.open(cube, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_cube_fd(fd, table)
        finally:
            os.close(fd)
        graph = f"lut3d=file={filter_path(cube)}:interp=tetrahedral,{scale}"
        head = [ffmpeg_executable(), "-v", "error", "-nostdin", "-y", "-progress", "pipe:1",
                "-nostats", *([] if autorotate else ["-noautorotate"]), "-i", input,
                "-map", f"0:{info.index}", "-filter:0", graph]
        written = _run_encoder(output, overwrite, head, info, muxer, video_args, streams_args,
                               0, progress, n_total, feed=None, on_first_frame=forget_table)
    finally:
        forget_table()
    return written, kept, dropped


def _encode_frames(output, overwrite, fitted, scan, regrain_params, timestamps,
                   *, input, info, muxer, video_args, scale, autorotate, progress, n_total):
    """Frames decoded, graded by the compiled pass (and regrained), then encoded
    with their own timestamps (a Matroska stream on the encoder's stdin).

    ``fitted()`` gives ``(grades, tables, gains)``; it is first called once the
    encoder runs and the first frame is decoded (the fit may still be running).
    """
    from ..color._lut import apply_lut, n_threads
    from ..image._apply_grade import regrained_grade
    from ._video_scan import frame_tables

    streams_args, kept, dropped = plan_streams(info.streams, info.index, muxer, 1)
    pix_fmt = "rgb48le" if info.bits == 16 else "rgb24"
    width, height = info.width, info.height
    if autorotate and info.rotation in (90, 270):
        width, height = height, width
    step = 10**9 / (_fraction(info.fps) or 25.0)
    head = [ffmpeg_executable(), "-v", "error", "-nostdin", "-y", "-f", "matroska", "-i", "-",
            "-i", input, "-map", "0:0", "-filter:0", scale]
    if info.rotation and not autorotate and ffmpeg_version() >= (6, 1):
        # an input option of the pipe: its frames carry the source's rotation
        head[5:5] = ["-display_rotation", str(info.rotation)]

    def graded_frames():
        shot, grades = 0, None
        for index, frame in enumerate(read_frames(input, info=info, autorotate=autorotate)):
            if grades is None:
                grades, tables, gains = fitted()
                per_frame = frame_tables(tables, scan, gains) if tables is not None else None
            if per_frame is not None:
                _, table = next(per_frame, (index, tables[-1]))
                grade = partial(apply_lut, table=table)
            else:
                while shot + 1 < len(scan.starts) and index >= scan.starts[shot + 1]:
                    shot += 1
                grade = grades[shot].transform
            yield partial(regrained_grade, frame, grade, regrain_params)

    def feed(stdin):
        writer = MatroskaWriter(stdin, width, height, pix_fmt)
        for index, graded in enumerate(_in_order(graded_frames(), n_threads())):
            pts = timestamps[index] if timestamps and index < len(timestamps) else index * step
            # the array's own buffer to the pipe: no bytes copy of the frame
            little = np.ascontiguousarray(graded, graded.dtype.newbyteorder("<"))
            writer.write(memoryview(little).cast("B"), pts)
            yield

    return _run_encoder(output, overwrite, head, info, muxer, video_args, streams_args, 1,
                        progress, n_total, feed=feed), kept, dropped


def _in_order(tasks, workers):
    """The results of ``tasks`` (callables) in their order, ``workers`` running at once.

    A frame's grade and regrain is numpy, OpenCV and compiled code, which release
    the GIL but run mostly on one core: a frame in flight per core (and one more
    waiting, so no worker idles while a result is written) uses them all.
    Nothing is left running on return or on an error: queued tasks are dropped,
    running ones finished.
    """
    from collections import deque

    pool = ThreadPoolExecutor(workers, thread_name_prefix="skcolorot-frame")
    pending = deque()
    try:
        for task in tasks:
            pending.append(pool.submit(task))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def _run_encoder(output, overwrite, head, info, muxer, video_args, streams_args, source,
                 progress, n_total, feed, on_first_frame=None):
    """Run the encoder into an unnamed file, then name it ``output``.

    ``feed(stdin)`` yields once per frame written (None: ffmpeg reads the clip
    itself and reports its progress on stdout).
    """
    from .._utils._progress import Progress
    from ._atomic import atomic_path, check_writable

    destination = check_writable(output, overwrite=overwrite)
    directory = os.path.dirname(os.path.abspath(destination))
    remux = bool(info.rotation) and _keeps_rotation(muxer) and feed is not None and (
        ffmpeg_version() < (6, 1))
    bar = Progress(n_total, "grading", enabled=progress, unit="frame", rate=True)
    written = 0
    with unnamed_file(directory) as (target, _):
        command = [*head, *_output_command(info, muxer, video_args, streams_args, target, source)]
        with FFmpegProcess(command, stdin=feed is not None, stdout=feed is None) as encoder:
            try:
                if feed is None:
                    for line in encoder.stdout:
                        if line.startswith(b"frame="):
                            done = int(line[6:] or 0)
                            if done and not written and on_first_frame is not None:
                                on_first_frame()
                            bar.update(done - written)
                            written = done
                else:
                    for _ in feed(encoder.stdin):
                        written += 1
                        bar.update()
            except BrokenPipeError:
                pass
            finally:
                bar.close()
            returncode = encoder.close()
        if returncode != 0 or written == 0:
            raise ValueError(
                f"{output}: ffmpeg could not encode the video ({_last_line(encoder.stderr_text)})."
            )
        if remux:
            # ffmpeg < 6.1 sets a display matrix on stream copy only
            with unnamed_file(directory) as (final, _):
                with FFmpegProcess([
                    ffmpeg_executable(), "-v", "error", "-nostdin", "-y", "-i", target,
                    "-map", "0", "-c", "copy", "-map_metadata", "0",
                    "-metadata:s:v:0", f"rotate={info.rotation}", "-f", muxer, final,
                ]) as remuxer:
                    if remuxer.close() != 0:
                        raise ValueError(f"{output}: ffmpeg could not set the rotation "
                                         f"({_last_line(remuxer.stderr_text)}).")
                _name(final, output, overwrite, atomic_path)
        else:
            _name(target, output, overwrite, atomic_path)
    return written


def _name(target, output, overwrite, atomic_path):
    """Give the finished unnamed file its name (atomically, as every output)."""
    import shutil as _shutil

    with atomic_path(output, overwrite=overwrite) as temporary:
        if target.startswith("/proc/"):
            os.unlink(temporary)
            try:
                os.link(target, temporary, follow_symlinks=True)
            except OSError:  # no linkat through /proc here: copy it
                _shutil.copyfile(target, temporary)
        else:
            os.replace(target, temporary)
