"""``skcolorot video`` / :func:`skcolorot.io._video.grade_video` on a tiny clip made
here with ffmpeg (12 frames of 64x48, with a sine-tone audio track)."""

import shutil
import subprocess

import numpy as np
import pytest

from skcolorot import AffineTransport, cli
from skcolorot.io._image_write import write_image
from skcolorot.io._video import grade_video, probe_video, read_frames

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg / ffprobe are not installed",
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory, small_pair):
    directory = tmp_path_factory.mktemp("video")
    path = directory / "clip.mkv"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=12:duration=1",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:v", "libx264", "-qp", "0",
         "-pix_fmt", "yuv444p", "-c:a", "aac", "-shortest", str(path)],
        check=True, timeout=60,
    )
    write_image(directory / "ref.png", small_pair[1])
    return directory, path


def test_one_grade_for_the_clip_frame_rate_and_audio_kept(clip):
    directory, path = clip
    output = directory / "graded.mp4"
    report = grade_video(path, directory / "ref.png", output, transport=AffineTransport(),
                         n_frames=4, crf=0, lut_out=directory / "clip.cube")
    assert report["frames"] == 12 and report["sampled"] == 4 and report["audio"]
    info = probe_video(output)
    assert (info.width, info.height, info.fps, info.frames) == (64, 48, "12/1", 12)
    assert info.audio_codec == "aac"
    # Every frame went through the same fitted grade, up to the (lossless, 4:4:4)
    # codec's rounding: decoder and encoder agree on colour matrix and range.
    source = np.stack(list(read_frames(path)))
    expected = report["transport"].transform(source).astype(int)
    graded = np.stack(list(read_frames(output))).astype(int)
    assert np.abs(graded - expected).mean() < 3.0
    assert (directory / "clip.cube").read_text().startswith('TITLE "skcolorot AffineTransport(')



def test_regrain_applies_the_grade_as_the_clean_look_does(clip, monkeypatch):
    import time

    from skcolorot.image import _apply_grade
    from skcolorot.image._apply_grade import regrained_grade
    from skcolorot.image._clean import clean_grade

    def slow_every_third(frame, grade, regrain):
        if int(frame.sum()) % 3 == 0:
            time.sleep(0.05)
        return regrained_grade(frame, grade, regrain)

    # Frames are graded two at a time; those that finish first wait for the ones
    # before them. Here every third frame is slow, so later ones finish first.
    monkeypatch.setattr(_apply_grade, "regrained_grade", slow_every_third)
    directory, path = clip
    output = directory / "regrained.mkv"
    report = grade_video(path, directory / "ref.png", output, transport=AffineTransport(),
                         n_frames=4, crf=0, regrain=True)
    source = np.stack(list(read_frames(path)))
    expected = np.stack([clean_grade(frame, report["transport"].transform) for frame in source])
    graded = np.stack(list(read_frames(output))).astype(int)
    errors = np.abs(graded[:, None] - expected[None].astype(int)).mean(axis=(2, 3, 4))
    # Every frame is nearest its own grade (the clip's first two frames are one),
    # up to the lossless codec's rounding.
    assert (errors.diagonal() <= errors.min(axis=1)).all() and errors.diagonal().max() < 1
    # ... which is not the grade alone: the frames' fine detail is the source's.
    assert np.abs(expected.astype(int) - report["transport"].transform(source)).max() > 3


def test_in_order_yields_in_order_lazily_and_leaves_nothing_running():
    import threading

    from skcolorot.io._video import _in_order

    pulled, ran = [], []
    second_done = threading.Event()

    def tasks(n, failing=None):
        for index in range(n):
            pulled.append(index)

            def task(index=index):
                if index == 0:  # the first frame finishes after the second
                    assert second_done.wait(10)
                ran.append(index)
                second_done.set()
                if index == failing:
                    raise RuntimeError("frame 4")
                return index

            yield task

    assert list(_in_order(tasks(10), 2)) == list(range(10))
    assert ran[0] == 1 and sorted(ran) == list(range(10))
    # No more than one task waits beyond the running ones.
    pulled.clear()
    results = _in_order(tasks(10), 2)
    assert next(results) == 0 and len(pulled) <= 4
    results.close()
    assert len(pulled) <= 4
    # An error comes out at its frame's turn, and stops the rest.
    pulled.clear()
    with pytest.raises(RuntimeError, match="frame 4"):
        list(_in_order(tasks(10, failing=4), 2))
    assert len(pulled) <= 7
    assert not [t for t in threading.enumerate() if t.name.startswith("skcolorot-frame")]


def test_auto_engine_is_the_compiled_pass_where_it_is_built(clip, monkeypatch):
    # lut3d runs in series with ffmpeg's decoding and colour conversions, the
    # compiled pass beside them: "auto" takes the latter, lut3d only where the
    # compiled pass is not built; both grade alike.
    from skcolorot.color import _lut

    directory, path = clip
    outputs = {}
    for built in (True, False):
        if not built:
            monkeypatch.setattr(_lut, "_lut_c", None)
        elif _lut._lut_c is None:
            continue
        outputs[built] = directory / f"auto_{built}.mkv"
        report = grade_video(path, directory / "ref.png", outputs[built], n_frames=4, crf=0,
                             transport=AffineTransport(), overwrite=True)
        assert report["engine"] == ("compiled pass" if built else "ffmpeg lut3d")
        assert report["frames"] == 12
    if len(outputs) == 2:
        a, b = (np.stack(list(read_frames(o))).astype(int) for o in outputs.values())
        # (ffmpeg's YUV <-> RGB of packed and planar RGB round differently)
        assert np.abs(a - b).mean() < 1 and np.percentile(np.abs(a - b), 99) <= 3


def test_a_failing_fit_leaves_no_output(clip):
    # The fit runs while ffmpeg starts decoding and encoding: its error is the
    # one raised, and nothing is written.
    class Failing(AffineTransport):
        def fit(self, X, y=None, **kwargs):
            raise RuntimeError("no fit today")

    directory, path = clip
    output = directory / "never_fitted.mkv"
    with pytest.raises(RuntimeError, match="no fit today"):
        grade_video(path, directory / "ref.png", output, transport=Failing(), n_frames=4,
                    engine="python")
    assert not output.exists()
    assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_the_fit_sees_the_callers_scikit_learn_config(clip):
    # The fit runs in a worker thread; scikit-learn's config is thread-local.
    from sklearn import config_context, get_config

    seen = []

    class Recording(AffineTransport):
        def fit(self, X, y=None, **kwargs):
            seen.append(get_config()["working_memory"])
            return super().fit(X, y, **kwargs)

    directory, path = clip
    with config_context(working_memory=123):
        grade_video(path, directory / "ref.png", directory / "config.mkv", n_frames=2,
                    transport=Recording(), engine="python", overwrite=True)
    assert seen == [123]


def test_read_frames_gives_writable_native_frames(clip):
    _, path = clip
    frames = list(read_frames(path, width=32, timestamps=(stamps := [])))
    assert len(frames) == len(stamps) == 12 and frames[0].shape == (24, 32, 3)
    assert all(f.flags.writeable and f.dtype.isnative for f in frames)
    frames[0][:] = 0  # the caller's to change
    assert np.all(np.diff(stamps) > 0)


def test_bad_video_input_is_a_one_line_error(clip, capsys):
    directory, _ = clip
    audio_only = directory / "tone.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.2",
                    str(audio_only)], check=True, timeout=60)
    (directory / "broken.mp4").write_bytes(b"\0not a video" * 100)
    taken = directory / "taken.mp4"
    taken.write_bytes(b"precious")
    for source, output, expected in (
        (audio_only, directory / "never.mp4", "no video stream"),
        (directory / "broken.mp4", directory / "never.mp4", "not a video ffmpeg can read"),
        (directory / "clip.mkv", taken, "already exists"),
        (directory / "clip.mkv", directory / "never.xyz", "unknown video container"),
    ):
        args = ["video", str(source), str(directory / "ref.png"), "-o", str(output), "-m",
                "affine"]
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err, err
    assert not (directory / "never.mp4").exists() and taken.read_bytes() == b"precious"
    assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_per_shot_grades_switch_at_the_cut(clip):
    directory, _ = clip
    path = directory / "cut.mkv"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=32x24:rate=12:duration=1",
         "-f", "lavfi", "-i", "mandelbrot=size=32x24:rate=12", "-filter_complex",
         "[1]trim=duration=1[m];[0][m]concat=n=2:v=1:a=0", "-c:v", "libx264", "-qp", "0",
         "-pix_fmt", "yuv444p", str(path)],
        check=True, timeout=60,
    )
    output = directory / "per_shot.mkv"
    report = grade_video(path, directory / "ref.png", output, transport=AffineTransport(),
                         n_frames=3, crf=0, per_shot=True)
    assert report["shots"] == [0, 12] and report["sampled"] == 6
    source = np.stack(list(read_frames(path)))
    graded = np.stack(list(read_frames(output))).astype(int)
    for grade, frames in zip(report["transport"], (slice(0, 12), slice(12, 24))):
        expected = grade.transform(source[frames]).astype(int)
        assert np.abs(graded[frames] - expected).mean() < 3.0
