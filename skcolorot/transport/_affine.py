"""Gaussian (Monge–Kantorovich linear) transport and Reinhard's per-channel variant."""

from numbers import Real

import numpy as np
from ._base import BaseTransport
from ._gaussian import fit_gaussian_map
from .._utils._compat import Interval, StrOptions

__all__ = ["AffineTransport"]


def _inverse_or_none(matrix):
    singular = np.linalg.svd(matrix, compute_uv=False)
    if singular.min() <= 1e-12 * max(singular.max(), np.finfo(np.float64).tiny):
        return None
    return np.linalg.inv(matrix)


class AffineTransport(BaseTransport):
    """Optimal transport between the Gaussian approximations of two distributions.

    ``covariance="full"`` gives the Monge–Kantorovich linear map (MKL, Pitié &
    Kokaram 2007; the Bures–Wasserstein map): ``T(x) = m_t + A (x - m_s)`` with
    ``A = S_s^{-1/2} (S_s^{1/2} S_t S_s^{1/2})^{1/2} S_s^{-1/2}``, the optimal map
    between the two Gaussians. ``covariance="diag"`` matches mean and standard
    deviation channel by channel (Reinhard et al. 2001; in ``color_space="lab"``
    this is the classic Reinhard transfer).

    Parameters
    ----------
    covariance : {"full", "diag"}, default="full"
        Full covariance (MKL) or per-channel (Reinhard).
    reg : float, default=1e-6
        Added to the covariance diagonals, so constant or singular colour
        distributions still give a finite, invertible map.
    color_space : {"rgb", "lab", "oklab"}, default="rgb"
        Space in which the map is fitted and applied; input and output stay RGB.
    t : float in [0, 1], default=1.0
        Displacement interpolation ``(1 - t) x + t T(x)``; can be changed with
        ``set_params`` after fitting.
    n_samples : int or None, default=200_000
        Source and target are sub-sampled to this many pixels / samples for the
        moments (``None``: use all).
    lut_size : int or None, default=33
        Nodes per axis of the table that holds a colour grade (three channels
        in [0, 1]): every pixel of every image goes through its tetrahedral
        interpolation, as an exported ``.cube`` does in ffmpeg or Resolve.
        ``None``: evaluate the fitted map itself at every colour (exact,
        unsmoothed and slower on large images).
    clip : bool or "auto", default="auto"
        Clip the output to [0, 1]. ``"auto"``: for images and integer data.
    random_state : int, RandomState instance or None, default=None
        Seed of the sub-sampling.

    Attributes
    ----------
    matrix_ : ndarray of shape (n_features, n_features)
        The linear part ``A``, applied as ``x @ matrix_ + offset_``.
    offset_ : ndarray of shape (n_features,)
        The offset of the map.
    source_mean_, target_mean_ : ndarray of shape (n_features,)
        Means in the working colour space.
    source_covariance_, target_covariance_ : ndarray of shape (n_features, n_features)
        Covariances (regularised) in the working colour space.
    n_features_in_ : int
        Number of features (channels) of the fitted data.
    lut_ : ndarray of shape (lut_size, lut_size, lut_size, 3) or None
        The grade of colours at ``t = 1`` (unclipped RGB at the nodes of
        :func:`~skcolorot.color._lut.lut_grid`); ``None`` for other data.
    inverse_lut_ : ndarray or None
        The inverse grade, fitted to undo ``lut_`` on the source's colours.
    color_space_ : str
        The ``color_space`` the map was fitted in.
    clip_ : bool or "auto"
        The ``clip`` the estimator was fitted with.

    See Also
    --------
    SinkhornTransport : non-parametric entropic transport.
    GMMTransport : transport between Gaussian mixtures.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import AffineTransport
    >>> rng = np.random.default_rng(0)
    >>> source = rng.normal(0.3, 0.05, size=(500, 3))
    >>> target = rng.normal(0.6, 0.10, size=(400, 3))
    >>> model = AffineTransport().fit(source, target)
    >>> mapped = model.transform(source)
    >>> bool(np.allclose(mapped.mean(axis=0), target.mean(axis=0), atol=1e-8))
    True
    """

    _parameter_constraints: dict = {
        **BaseTransport._parameter_constraints,
        "covariance": [StrOptions({"full", "diag"})],
        "reg": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        covariance="full",
        *,
        reg=1e-6,
        color_space="rgb",
        t=1.0,
        n_samples=200_000,
        lut_size=33,
        clip="auto",
        random_state=None,
    ):
        self.covariance = covariance
        self.reg = reg
        self.color_space = color_space
        self.t = t
        self.n_samples = n_samples
        self.lut_size = lut_size
        self.clip = clip
        self.random_state = random_state

    # Moments are cheap on any number of pixels: no warning for n_samples=None.
    _full_fit_warning_pixels = None

    def _fit_map(self, source, target, source_weights, target_weights, rng):
        fitted = fit_gaussian_map(source, target, source_weights, target_weights,
                                  reg=self.reg, covariance=self.covariance)
        self.matrix_, self.offset_ = fitted.matrix, fitted.offset
        self.source_mean_, self.target_mean_ = fitted.source_mean, fitted.target_mean
        self.source_covariance_ = fitted.source_covariance
        self.target_covariance_ = fitted.target_covariance
        # Inverse precomputed: A is symmetric positive definite thanks to ``reg``;
        # with reg=0 and a flat target it is singular and there is no inverse.
        self._inverse_matrix = _inverse_or_none(self.matrix_)

    def _transport(self, Z):
        return Z @ self.matrix_ + self.offset_

    def _inverse_transport(self, Z):
        if self._inverse_matrix is None:
            raise ValueError(
                "this AffineTransport has no inverse: the target's colours span fewer "
                "dimensions than the source's (reg=0), so the map is not one-to-one; "
                "fit with reg > 0 (e.g. the default 1e-6) to invert it."
            )
        return (Z - self.offset_) @ self._inverse_matrix

    def _map_cost_per_row(self):
        return 4 * self.n_features_in_
