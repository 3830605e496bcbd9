"""The first pass of :func:`skcolorot.io._video.grade_video` over a clip: every
frame decoded small, once, for the frames the grade is fitted on, the shots
(hard cuts and dissolves), each frame's exposure and each frame's timestamp.
"""

from collections import deque

import numpy as np

__all__ = ["scan_clip", "frame_tables"]

# Luma weights (Rec. 709) of the exposure measure.
_LUMA = np.array([0.2126, 0.7152, 0.0722])
# Exposure gains stay within this factor: a fade to black is no exposure drift.
_MAX_GAIN = 2.0
# Below this relative change of exposure the grade is left as it is (and the
# clip may go through ffmpeg's lut3d).
EXPOSURE_TOLERANCE = 0.01


def _histogram(frame):
    """Normalised 8x8x8 RGB histogram: the descriptor of the cut detector."""
    levels = (frame.astype(np.uint32) * 8) // (np.iinfo(frame.dtype).max + 1)
    codes = (levels[..., 0] * 64 + levels[..., 1] * 8 + levels[..., 2]).ravel()
    return np.bincount(codes, minlength=512) / codes.size


class ClipScan:
    """What :func:`scan_clip` found: ``starts`` (first frame of every shot),
    ``samples`` (the fit's frames of every shot), ``blends`` (``(first, last)``
    frames of each dissolve, one per shot after the first; equal for a hard cut),
    ``luma`` (mean luma of every frame, [0, 1]), ``timestamps`` (ns, or None)."""

    def __init__(self, starts, samples, blends, luma, timestamps):
        self.starts, self.samples, self.blends = starts, samples, blends
        self.luma, self.timestamps = luma, timestamps

    @property
    def n_frames(self):
        return len(self.luma)


def scan_clip(frames, total, n_frames, *, per_shot, threshold, min_length):
    """One pass over small frames.

    Without ``per_shot`` the fit's frames are ``n_frames`` spread evenly over
    the clip (a seeded uniform draw when its length ``total`` is unknown). With
    it, a hard cut is a change of the colour histogram between consecutive
    frames above ``threshold`` (total variation, 0 to 1); a dissolve is the same
    change built up over ``min_length`` frames of steady change, and the grades
    of the two shots are then blended over it.
    """
    rng = np.random.default_rng(0)
    wanted = None
    if not per_shot and total:
        wanted = set(np.linspace(0, total - 1, min(n_frames, total)).round().astype(int))
    starts, samples, blends, luma = [], [], [], []
    recent = deque(maxlen=min_length + 1)
    steps = deque(maxlen=min_length)
    seen = 0
    for index, frame in enumerate(frames):
        scale = float(np.iinfo(frame.dtype).max)
        luma.append(float(frame.reshape(-1, 3).mean(axis=0) @ _LUMA) / scale)
        histogram = _histogram(frame) if per_shot else None
        cut = index == 0
        if per_shot and index:
            step = 0.5 * np.abs(histogram - recent[-1]).sum()
            steps.append(step)
            since = index - starts[-1]
            if step > threshold and since >= min_length:
                cut, blend = True, (index, index)
            elif (len(recent) == recent.maxlen and since >= 2 * min_length
                  and 0.5 * np.abs(histogram - recent[0]).sum() > threshold
                  and min(steps) > threshold / (4 * min_length)):
                cut, blend = True, (index - min_length, index)  # steady change: a dissolve
        if per_shot:
            recent.append(histogram)
        if cut:
            starts.append(index)
            samples.append([])
            if index:
                blends.append(blend)
            seen = 0
        seen += 1
        shot = samples[-1]
        if wanted is not None:
            if index in wanted:
                shot.append(frame)
        elif len(shot) < n_frames:
            shot.append(frame)
        elif (slot := rng.integers(0, seen)) < n_frames:
            shot[slot] = frame
    if not starts:
        return None
    return ClipScan(starts, samples, blends, np.asarray(luma), None)


def exposure_gains(scan, fps, enabled=True):
    """Per frame, the gain that brings its exposure to that of its shot's fit.

    The exposure is the frame's mean luma smoothed over about a second (so that
    content moving through the frame does not count, a drift does); the
    reference is its mean over the shot. All ones when nothing drifts more than
    :data:`EXPOSURE_TOLERANCE`.
    """
    gains = np.ones(scan.n_frames)
    if not enabled or scan.n_frames < 3:
        return gains
    window = max(1, int(round(fps)) | 1)
    bounds = [*scan.starts, scan.n_frames]
    for start, stop in zip(bounds[:-1], bounds[1:]):
        luma = np.maximum(scan.luma[start:stop], 1e-3)
        log = np.log(luma)
        half = window // 2
        padded = np.pad(log, half, mode="edge")
        smooth = np.convolve(padded, np.ones(window) / window, mode="valid")
        gain = np.exp(smooth.mean() - smooth)
        gains[start:stop] = np.clip(gain, 1 / _MAX_GAIN, _MAX_GAIN)
    if np.abs(gains - 1).max() < EXPOSURE_TOLERANCE:
        gains[:] = 1.0
    return gains


def frame_tables(tables, scan, gains):
    """The table of every frame, lazily: ``(index, table)`` changes only.

    Within a shot its grade's table; over a dissolve the two grades' tables
    blended linearly (tetrahedral interpolation is linear in the table, so this
    is the blend of the two graded frames); and an exposure drift taken out
    before the grade and put back after it, ``G(g x) + (1 - g) x``, so that the
    grade's slope does not steepen the drift.
    """
    from ..color._lut import interpolate_tetrahedral, lut_grid

    size = tables[0].shape[0]
    nodes = lut_grid(size).reshape(-1, 3)
    bounds = [*scan.starts[1:], None]
    shot, cache = 0, {}
    for index in range(scan.n_frames):
        while bounds[shot] is not None and index >= bounds[shot]:
            shot += 1
        low, high, weight = shot, shot, 0.0
        for number, (first, last) in enumerate(scan.blends, start=1):
            if first <= index < last:  # a dissolve into shot `number`
                low, high = number - 1, number
                weight = (index - first + 1) / (last - first + 1)
        gain = round(float(gains[index]), 3)
        key = (low, high, round(weight, 4), gain)
        if key not in cache:
            table = tables[low] if weight == 0 else (
                (1 - weight) * tables[low] + weight * tables[high])
            if gain != 1:
                scaled = np.clip(nodes * gain, 0, 1)
                table = (interpolate_tetrahedral(scaled, table) + (1 - gain) * nodes).reshape(
                    table.shape)
            cache = {key: table}
        yield index, cache[key]
