"""``video`` gives the clip back as it came in, checked with real ffmpeg on tiny
clips made here: display rotation, every other stream, timestamps (a variable
frame rate stays), odd sizes, no child process or temporary after ``kill -9``;
and in time: an exposure ramp not steepened, grades blended over a dissolve,
ffmpeg's lut3d and the compiled pass agreeing."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from skcolorot import AffineTransport
from skcolorot.io._image_write import write_image
from skcolorot.io._video import grade_video, probe_video, read_frames

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg / ffprobe are not installed",
)


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True, timeout=60)


def _probe(path, *entries):
    out = subprocess.run(["ffprobe", "-v", "error", *entries, "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _video_pts(path):
    packets = _probe(path, "-select_streams", "v:0", "-show_entries", "packet=pts_time")
    return sorted(float(p["pts_time"]) for p in packets["packets"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory, small_pair):
    directory = tmp_path_factory.mktemp("faithful")
    # a contrasty reference: a grade with a slope well above one
    reference = np.clip((small_pair[1].astype(float) - 128) * 1.6 + 128, 0, 255)
    write_image(directory / "ref.png", reference.astype(np.uint8))
    return directory


def _grade(folder, source, name, **kwargs):
    output = folder / name
    kwargs.setdefault("transport", AffineTransport())
    report = grade_video(source, folder / "ref.png", output, n_frames=4, crf=0,
                         overwrite=True, **kwargs)
    return output, report


@pytest.mark.parametrize("engine", ["ffmpeg", "python"])
def test_rotation_and_every_stream_kept(folder, engine):
    plain, source = folder / "plain.mkv", folder / "streams.mp4"
    (folder / "subs.srt").write_text("1\n00:00:00,000 --> 00:00:00,500\nhello\n")
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=12:duration=1",
            "-f", "lavfi", "-i", "sine=f=440:duration=1", "-f", "lavfi", "-i",
            "sine=f=220:duration=1", "-i", folder / "subs.srt", "-map", 0, "-map", 1, "-map", 2,
            "-map", 3, "-c:v", "libx264", "-qp", 0, "-c:a", "aac", "-c:s", "srt", plain)
    _ffmpeg("-i", plain, "-map", 0, "-c", "copy", "-c:s", "mov_text",
            "-metadata:s:v:0", "rotate=90", source)
    assert probe_video(source).rotation == 90
    output, report = _grade(folder, source, f"rot_{engine}.mp4", engine=engine)
    assert probe_video(output).rotation == 90
    kinds = [s["codec_type"] for s in _probe(output, "-show_streams")["streams"]]
    assert kinds == ["video", "audio", "audio", "subtitle"], kinds
    assert report["audio"] and not report["streams"]["dropped"]
    # into AVI: what cannot go is named, with the reason
    _, report = _grade(folder, plain, "streams.avi", engine=engine)
    assert any("subtitle" in item and "no subtitles" in item
               for item in report["streams"]["dropped"])


@pytest.mark.parametrize("engine", ["ffmpeg", "python"])
def test_variable_frame_rate_kept_frame_for_frame(folder, engine):
    source = folder / "vfr.mkv"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-vf",
            "setpts='if(lt(N,10),N*0.1,1.0+(N-10)*0.04)/TB'", "-fps_mode", "passthrough",
            "-frames:v", 20, "-c:v", "libx264", "-qp", 0, source)
    expected = _video_pts(source)
    assert len(expected) == 20
    output, report = _grade(folder, source, f"vfr_{engine}.mkv", engine=engine)
    got = _video_pts(output)
    assert report["frames"] == 20 and len(got) == 20
    np.testing.assert_allclose(got, expected, atol=0.0015)


def _raw_clip(path, frames, *codec):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                    f"{frames.shape[2]}x{frames.shape[1]}", "-framerate", "12", "-i", "-",
                    *codec, str(path)], input=frames.tobytes(), check=True, timeout=60)


@pytest.mark.parametrize("codec", [("-c:v", "libx264rgb", "-qp", "0"),
                                   ("-c:v", "ffv1", "-pix_fmt", "yuv420p")])
def test_odd_size_kept_not_cropped(folder, small_pair, codec):
    source = folder / f"odd_{codec[1]}.mkv"
    frames = np.stack([np.roll(small_pair[0][:25, :33], k, axis=1) for k in range(6)])
    _raw_clip(source, frames, *codec)
    output, report = _grade(folder, source, f"odd_{codec[1]}.mp4")
    info = probe_video(output)
    assert (info.width, info.height, report["frames"]) == (33, 25, 6)
    assert "444" in info.pix_fmt
    if codec[1] == "ffv1":
        assert any("4:4:4" in note for note in report["notes"])


def test_lut3d_agrees_with_the_compiled_pass_within_a_level(folder, small_pair):
    from skcolorot.color._lut import apply_lut
    from skcolorot.io._video import _write_cube_fd

    model = AffineTransport().fit(small_pair[0], small_pair[1])
    table = model._grade_table(1.0, False, True)
    image = small_pair[0]
    cube = folder / "agree.cube"
    fd = os.open(cube, os.O_RDWR | os.O_CREAT, 0o600)
    _write_cube_fd(fd, table)
    os.close(fd)
    height, width = image.shape[:2]
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
         "-i", "-", "-vf", f"lut3d=file={cube}:interp=tetrahedral", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-"], input=image.tobytes(), capture_output=True, check=True)
    by_ffmpeg = np.frombuffer(done.stdout, np.uint8).reshape(image.shape).astype(int)
    assert np.abs(by_ffmpeg - apply_lut(image, table).astype(int)).max() <= 1


def test_lut3d_and_compiled_pass_agree(folder):
    source = folder / "agree.mkv"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=12:duration=0.5", "-c:v", "libx264",
            "-qp", 0, "-pix_fmt", "yuv444p", source)
    by_ffmpeg, report = _grade(folder, source, "agree_ffmpeg.mkv", engine="ffmpeg")
    by_python, _ = _grade(folder, source, "agree_python.mkv", engine="python")
    assert report["engine"] == "ffmpeg lut3d"
    a = np.stack(list(read_frames(by_ffmpeg))).astype(int)
    b = np.stack(list(read_frames(by_python))).astype(int)
    # lossless 4:4:4 both ways; ffmpeg's YUV <-> RGB conversions of packed and
    # planar RGB round differently (the grades themselves agree within a level)
    assert np.abs(a - b).mean() < 0.6 and np.percentile(np.abs(a - b), 99) <= 3


def _luma(path):
    frames = np.stack(list(read_frames(path))).astype(float)
    return frames @ [0.2126, 0.7152, 0.0722]


def test_exposure_ramp_not_steepened(folder, small_pair):
    source = folder / "ramp.mkv"
    base = small_pair[0][:48, :64].astype(float)
    gains = np.linspace(0.7, 1.0, 24)
    raw = np.stack([np.clip(base * g, 0, 255) for g in gains]).astype(np.uint8)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-s", "64x48", "-framerate", "12", "-i", "-", "-c:v", "libx264rgb", "-qp", "0",
                    str(source)], input=raw.tobytes(), check=True, timeout=60)
    src = _luma(source).mean(axis=(1, 2))
    steps = {}
    for lock in (True, False):
        output, _ = _grade(folder, source, f"ramp_{lock}.mkv", exposure_lock=lock)
        out = _luma(output).mean(axis=(1, 2))
        steps[lock] = np.abs(np.diff(out)).mean() / np.abs(np.diff(src)).mean()
    assert steps[True] <= 1.1, steps
    assert steps[False] > steps[True]


def test_per_shot_grades_blend_over_a_dissolve(folder):
    source = folder / "dissolve.mkv"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=12:duration=2", "-f", "lavfi", "-i",
            "color=c=0x803020:size=64x48:rate=12:duration=2", "-filter_complex",
            "[0][1]xfade=transition=fade:duration=1:offset=0.5", "-c:v", "libx264", "-qp", 0,
            "-pix_fmt", "yuv444p", source)
    output, report = _grade(folder, source, "dissolve_out.mkv", per_shot=True)
    assert len(report["shots"]) >= 2
    first, last = report["blends"][0]
    assert last - first >= 3  # blended over frames, not switched at one
    src, out = _luma(source).mean(axis=(1, 2)), _luma(output).mean(axis=(1, 2))
    # no jump: every output step within the dissolve stays near the source's
    window = slice(first, last + 1)
    assert np.abs(np.diff(out[window])).max() <= 3 * np.abs(np.diff(src[window])).max() + 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc (Linux)")
def test_kill_9_leaves_no_child_and_no_temporary(folder, tmp_path):
    source = tmp_path / "long.mkv"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=20", "-c:v", "libx264",
            "-preset", "ultrafast", source)
    shutil.copy(folder / "ref.png", tmp_path / "ref.png")
    env = dict(os.environ, PYTHONWARNINGS="error::ResourceWarning")
    command = [sys.executable, "-m", "skcolorot", "video", str(source), str(tmp_path / "ref.png"),
               "-o", str(tmp_path / "out.mp4"), "-m", "affine", "--engine", "python"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)

    def children():
        found = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if entry.isdigit() and int(fields[1]) == process.pid:
                found.append(int(entry))
        return found

    deadline = time.time() + 60
    while len(children()) < 2 and time.time() < deadline:  # decoder and encoder running
        time.sleep(0.1)
    spawned = children()
    assert spawned, "the video command started no ffmpeg"
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.5)
    alive = [pid for pid in spawned if os.path.exists(f"/proc/{pid}")
             and open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]
    assert not alive, "ffmpeg outlived the killed process"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mkv", "ref.png"]
