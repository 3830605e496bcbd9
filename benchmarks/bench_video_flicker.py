"""Flicker of a graded clip: one grade for the clip (``skcolorot video``) beside a
grade fitted on every frame (what image tools applied frame by frame do, e.g.
the ComfyUI nodes built on color-matcher).

The clip: a camera pan across china.jpg (scikit-learn's sample image), 48 frames
of 320x214, each moved by (6, 4) whole pixels, graded towards flower.jpg. A
point of the scene thus sits at a known pixel of every frame, and its colour in
the source is exactly the same from frame to frame. Flicker is how much a
method changes it. For every method the script prints:

* **flicker**: the mean CIELab delta E of the same scene point between
  consecutive frames (0 for the source), and its 99th percentile;
* **drift**: the same between frames 8 apart;
* **worst frame**: the largest per-frame mean of the consecutive-frame delta E
  (a visible pop);
* **fidelity**: mean over frames of :func:`skcolorot.color_fidelity` towards the
  reference (lower is better), so that stability is not bought by doing nothing;
* seconds per frame (fit + transform; the one-grade fit counted once).

Run:  python benchmarks/bench_video_flicker.py [--frames 48]
color-matcher rows need ``pip install ".[bench]"``.
"""

import argparse
import platform
import time
import warnings

import numpy as np
from skimage.color import rgb2lab
from sklearn.datasets import load_sample_image

from skcolorot import AffineTransport, SlicedTransport, color_fidelity

STEP = (4, 6)  # (down, right) pixels per frame


def make_clip(n_frames, size=(214, 320)):
    """Crops of china.jpg sliding by STEP whole pixels: no resampling, so a scene
    point keeps exactly its colour in the source."""
    image = load_sample_image("china.jpg")
    height, width = size
    if (n_frames - 1) * STEP[0] + height > image.shape[0] or (
        (n_frames - 1) * STEP[1] + width > image.shape[1]
    ):
        raise ValueError("too many frames for the pan across china.jpg")
    return np.stack(
        [image[k * STEP[0]:k * STEP[0] + height, k * STEP[1]:k * STEP[1] + width]
         for k in range(n_frames)]
    )


def same_point_delta_e(frames, lag):
    """delta E of each scene point between frames k and k + lag, per frame pair."""
    dy, dx = STEP[0] * lag, STEP[1] * lag
    lab = np.stack([rgb2lab(frame / 255.0) for frame in frames])
    # frame k + lag at (y, x) shows the scene point of frame k at (y + dy, x + dx)
    later = lab[lag:, : lab.shape[1] - dy, : lab.shape[2] - dx]
    earlier = lab[:-lag, dy:, dx:]
    return np.linalg.norm(later - earlier, axis=-1).reshape(len(later), -1)


def one_grade(make, n_sample=16):
    """As ``skcolorot video``: one fit on frames spread over the clip."""

    def run(frames, reference):
        start = time.perf_counter()
        index = np.linspace(0, len(frames) - 1, n_sample).round().astype(int)
        grade = make().fit(np.concatenate(frames[index][:, ::2, ::2]), reference)
        out = np.stack([grade.transform(frame) for frame in frames])
        return out, time.perf_counter() - start

    return run


def per_frame(make):
    def run(frames, reference):
        start = time.perf_counter()
        out = np.stack([make().fit(frame, reference).transform(frame) for frame in frames])
        return out, time.perf_counter() - start

    return run


def per_frame_color_matcher(method):
    def run(frames, reference):
        from color_matcher import ColorMatcher

        start = time.perf_counter()
        matcher = ColorMatcher()
        out = []
        for frame in frames:
            result = matcher.transfer(src=frame, ref=reference, method=method)
            out.append(np.clip(np.round(result), 0, 255).astype(np.uint8))
        return np.stack(out), time.perf_counter() - start

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    args = parser.parse_args()
    frames = make_clip(args.frames)
    reference = load_sample_image("flower.jpg")
    methods = [
        ("skcolorot one grade: SlicedTransport",
         one_grade(lambda: SlicedTransport(random_state=0))),
        ("skcolorot one grade: AffineTransport", one_grade(AffineTransport)),
        ("per frame: SlicedTransport", per_frame(lambda: SlicedTransport(random_state=0))),
        ("per frame: AffineTransport", per_frame(AffineTransport)),
    ]
    try:
        import color_matcher as _  # noqa: F401

        methods += [
            ("per frame: color-matcher mkl", per_frame_color_matcher("mkl")),
            ("per frame: color-matcher hm-mkl-hm", per_frame_color_matcher("hm-mkl-hm")),
        ]
    except ImportError:
        pass

    print(
        f"{args.frames} frames of {frames.shape[2]}x{frames.shape[1]} (a pan across china.jpg "
        f"by {STEP[1]}, {STEP[0]} px a frame) graded to flower.jpg; "
        f"{platform.processor() or platform.machine()}, 1 thread. flicker / drift: CIELab "
        "delta E of the same scene point 1 / 8 frames apart (0 in the source); fidelity: "
        "lower is better."
    )
    header = (f"{'method':38} {'flicker':>8} {'p99':>6} {'drift':>6} {'worst frame':>11} "
              f"{'fidelity':>9} {'s/frame':>8}")
    print(header)
    print("-" * len(header))
    for name, run in [("source (ungraded)", lambda f, r: (f, 0.0)), *methods]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, seconds = run(frames, reference)
        step = same_point_delta_e(out, 1)
        drift = same_point_delta_e(out, 8).mean()
        fidelity = np.mean(
            [color_fidelity(o, reference, f, max_samples=4000)
             for o, f in zip(out[::4], frames[::4])]
        )
        timing = f"{seconds / len(frames):8.3f}" if seconds else f"{'-':>8}"
        print(
            f"{name:38} {step.mean():8.3f} {np.percentile(step, 99):6.2f} {drift:6.2f} "
            f"{step.mean(axis=1).max():11.3f} {fidelity:9.3f} {timing}"
        )


if __name__ == "__main__":
    main()
