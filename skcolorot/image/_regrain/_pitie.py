"""Pitié et al.'s (2007) multi-scale gradient-domain regrain.

Solves for the image whose gradients follow the source's where the source is
flat and whose colours follow the transport's on its edges, by Jacobi iterations
from the coarsest level of a factor-2 pyramid to the finest, each level starting
from the coarser solution. The solver reaches across the whole frame, so it
cannot be split into blocks with a halo.
"""

import numpy as np

from ._resample import Upsampler, downsample

# Smallest smoothness: the solver runs in float32, where a smoothness of 1e-38 gave
# NaN; 1e-6 already keeps every edge.
MIN_SMOOTHNESS = 1e-6
# Pitié's schedule: Jacobi iterations at the finest, then each coarser, level.
_PITIE_ITERATIONS = (4, 16, 32, 64, 64, 64)
_SHIFTS = ((0, 1), (1, 0), (0, -1), (-1, 0))  # (dy, dx) of the four neighbours


def _pitie_solve(initial, source, colors, n_iter, level, smoothness):
    """Pitié et al. (2007) Jacobi iterations on planar (C, H, W) float32 arrays.

    ``initial`` is the upsampler of the coarser level's solution, or ``None`` to
    start from the source itself.

    Minimises ``psi |J - colors|^2 + phi |grad J - grad source|^2``: the source's
    gradients where it is flat, the transport's colours on its edges.
    """
    height, width = source.shape[1:]
    padded = np.pad(source, ((0, 0), (1, 1), (1, 1)), mode="edge")

    def shifted(x, dy, dx, start=0, stop=height):
        # Rows start:stop of the padded array x moved by (dy, dx).
        return x[..., 1 + start + dy : 1 + stop + dy, 1 + dx : 1 + width + dx]

    # |grad source| summed over channels one channel at a time (in the order of a
    # sum over the channel axis): whole-image gradient planes cost 4 images.
    delta = None
    for channel in padded:
        grad_x = shifted(channel, 0, 1) - shifted(channel, 0, -1)
        grad_y = shifted(channel, 1, 0) - shifted(channel, -1, 0)
        grad_x *= grad_x
        grad_y *= grad_y
        grad_x += grad_y
        delta = grad_x if delta is None else np.add(delta, grad_x, out=delta)
    del grad_x, grad_y
    np.sqrt(delta, out=delta)
    psi = np.minimum(delta * np.float32(256 / 5), 1)
    delta *= np.float32(10 / smoothness)
    delta += 1
    phi = np.divide(np.float32(30 * 2.0**-level), delta, out=delta)
    phi_pad = np.pad(phi, 1, mode="edge")
    weights = [(shifted(phi_pad, dy, dx) + phi) * np.float32(0.5) for dy, dx in _SHIFTS]
    del phi, phi_pad, delta
    rho = np.float32(0.2)
    scale = (1 - rho) / (psi + sum(weights) + np.float32(1e-6))
    # The part of each update that does not depend on the unknown, a channel at
    # a time so that its temporaries are planes, not images.
    constant = psi * colors
    del psi
    for c in range(source.shape[0]):
        for w, (dy, dx) in zip(weights, _SHIFTS):
            constant[c] += w * (source[c] - shifted(padded[c], dy, dx))
    # The unknown starts from the source (its padded copy, no longer needed
    # here) or from the coarser solution, padded only now that ``padded`` is gone.
    current = padded if initial is None else None
    del padded
    constant *= scale
    weights = [w * scale for w in weights]
    del scale

    if current is None:
        current = np.pad(initial.block(0, height), ((0, 0), (1, 1), (1, 1)), mode="edge")
    following = np.empty_like(current)
    # Row blocks keep the operands of one update in cache.
    block = max(1, (1 << 15) // max(width, 1))
    tmp = np.empty((source.shape[0], block, width), dtype=np.float32)
    for _ in range(n_iter):
        for start in range(0, height, block):
            stop = min(start + block, height)
            inner = shifted(following, 0, 0, start, stop)
            np.multiply(shifted(current, 0, 0, start, stop), rho, out=inner)
            inner += constant[:, start:stop]
            t = tmp[:, : stop - start]
            for w, (dy, dx) in zip(weights, _SHIFTS):
                np.multiply(w[start:stop], shifted(current, dy, dx, start, stop), out=t)
                inner += t
        # Edge replication: the border value stands in for the missing neighbour.
        following[:, 0], following[:, -1] = following[:, 1], following[:, -2]
        following[:, :, 0], following[:, :, -1] = following[:, :, 1], following[:, :, -2]
        current, following = following, current
    return current[:, 1:-1, 1:-1]


def pitie(source, colors, smoothness, iterations=_PITIE_ITERATIONS, level=0):
    """Pitié's multi-scale regrain: solve coarse to fine, each level from the last.

    Every level starts from the source itself, except that a coarser solution,
    upsampled, replaces it where there is one.
    """
    height, width = source.shape[1:]
    initial = None
    if len(iterations) > 1 and (height + 1) // 2 > 20 and (width + 1) // 2 > 20:
        coarse = pitie(
            downsample(source, 2), downsample(colors, 2), smoothness, iterations[1:], level + 1
        )
        initial = Upsampler(coarse, 2, height, width)
    return _pitie_solve(initial, source, colors, iterations[0], level, smoothness)
