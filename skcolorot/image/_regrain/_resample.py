"""Planar float32 layout and integer-factor resampling for the regrain filters.

Everything in :mod:`skcolorot.image._regrain` works on planar float32 arrays (channels
first) in ``[0, 1]`` units: the weights are per pixel and broadcast over the
leading channel axis, which keeps numpy's inner loops long (an interleaved
``(..., 3)`` layout makes them 3 elements long). This module converts images to
that layout, box-downsamples them by an integer factor and upsamples coarse
planes back bilinearly with the pixel centres aligned, row block by row block so
that no full-resolution float copy of a large image is made.
"""

import numpy as np


def planar(image, scale):
    """(H, W, C) image of any dtype -> contiguous float32 (C, H, W) in [0, 1] units."""
    out = np.ascontiguousarray(np.moveaxis(image, -1, 0), dtype=np.float32)
    if scale:
        out *= np.float32(1.0 / scale)
    return out


def block_rows(width, multiple=1):
    """Rows per block of about 64k pixels (a multiple of ``multiple``)."""
    return multiple * max(1, (1 << 16) // max(width * multiple, 1))


def downsample(x, factor):
    """Box-average the last two axes of ``x`` by an integer factor (edge-padded)."""
    if factor == 1:
        return x
    height, width = x.shape[-2:]
    pad_h, pad_w = -height % factor, -width % factor
    if pad_h or pad_w:
        x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(0, pad_h), (0, pad_w)], mode="edge")
    rows = x[..., 0::factor, :].copy()
    for i in range(1, factor):
        rows += x[..., i::factor, :]
    out = rows[..., 0::factor].copy()
    for i in range(1, factor):
        out += rows[..., i::factor]
    out *= np.float32(1.0 / factor**2)
    return out


def downsample_image(image, scale, factor):
    """Planar float32 (C, h, w) box-downsampling of an interleaved image, by row blocks.

    No full-resolution float copy is made: 12 MP would cost 144 MB per image.
    """
    height, width = image.shape[:2]
    out = np.empty((image.shape[2], -(-height // factor), -(-width // factor)), np.float32)
    step = block_rows(width, factor)
    for start in range(0, height, step):
        stop = min(start + step, height)
        low = downsample(planar(image[start:stop], scale), factor)
        out[:, start // factor : start // factor + low.shape[1]] = low
    return out


def _interp_index(n_out, n_in, factor):
    """Left neighbour and weight of bilinear upsampling, pixel centres aligned.

    Matches :func:`downsample`: coarse pixel ``j`` is centred on fine coordinate
    ``(j + 0.5) * factor - 0.5``; beyond the outer centres the edge value holds.
    """
    coord = np.clip((np.arange(n_out) + 0.5) / factor - 0.5, 0, n_in - 1)
    left = np.minimum(np.floor(coord).astype(np.intp), max(n_in - 2, 0))
    weight = (coord - left).astype(np.float32)
    return left, weight


def _edge_pad_last(x):
    return np.concatenate([x[..., :1], x, x[..., -1:]], axis=-1)


class Upsampler:
    """Bilinear upsampling of coarse (P, h, w) planes by an integer factor, by rows."""

    def __init__(self, coarse, factor, height, width):
        self.coarse = coarse
        self.factor = factor
        self.width = width
        self.rows = _interp_index(height, coarse.shape[1], factor)
        diff = np.zeros_like(coarse)
        diff[:, :-1] = coarse[:, 1:] - coarse[:, :-1]
        self.row_diff = diff
        # Columns by phase: output column j * factor + p reads coarse columns
        # j + floor(f_p) and the next one, with weight frac(f_p), in every row.
        self.phases = []
        for p in range(factor):
            f = (p + 0.5) / factor - 0.5
            self.phases.append((p, 1 + int(np.floor(f)), np.float32(f - np.floor(f))))

    def block(self, start, stop):
        """Rows ``start:stop`` of the upsampled planes, shape (P, stop - start, width)."""
        if self.factor == 1:
            return self.coarse[:, start:stop]
        left, weight = self.rows[0][start:stop], self.rows[1][start:stop]
        rows = self.coarse[:, left]
        rows += weight[:, None] * self.row_diff[:, left]
        padded = _edge_pad_last(rows)
        diff = padded[..., 1:] - padded[..., :-1]
        n = rows.shape[-1]
        out = np.empty(rows.shape[:-1] + (n * self.factor,), dtype=np.float32)
        for p, offset, w in self.phases:
            target = out[..., p :: self.factor]
            np.multiply(diff[..., offset : offset + n], w, out=target)
            target += padded[..., offset : offset + n]
        return out[..., : self.width]
