"""The optimal map between the Gaussian approximations of two samples, in numpy.

:class:`~skcolorot.transport._affine.AffineTransport` fits its map here, and so
does the default look's affine candidate (``method="auto"``) without the
estimator and scikit-learn (:mod:`skcolorot.transport._affine_grade`): one fit,
the same numbers.
"""

from collections import namedtuple

import numpy as np

__all__ = ["GaussianMap", "bures_map_psd", "fit_gaussian_map"]

GaussianMap = namedtuple(
    "GaussianMap",
    ["matrix", "offset", "source_mean", "target_mean", "source_covariance", "target_covariance"],
)
GaussianMap.__doc__ = """The map ``x @ matrix + offset`` and the moments it was fitted on
(covariances regularised)."""


def _weighted_moments(samples, weights):
    mean = np.average(samples, axis=0, weights=weights)
    centred = samples - mean
    if weights is None:
        covariance = centred.T @ centred / len(samples)
    else:
        covariance = (centred * weights[:, None]).T @ centred
    return mean, covariance


def _check_source_rank(covariance, reg, kind):
    """With ``reg=0`` a flat source (a direction without spread) leaves the map
    undefined there: refuse rather than divide by zero. (Any ``reg > 0`` makes
    the covariance invertible, the map finite.)"""
    if reg > 0:
        return
    variances = np.diag(covariance) if kind == "diag" else np.linalg.eigvalsh(covariance)
    scale = max(float(np.abs(variances).max()), np.finfo(np.float64).tiny)
    if variances.min() <= 1e-12 * scale:
        raise ValueError(
            f"reg={reg!r} with a source whose colours have (almost) no spread in some "
            "direction (a flat or gray image): the map is undefined there; use reg > 0 "
            "(e.g. the default 1e-6)."
        )


def _sqrtm_psd(matrix):
    eigenvalues, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T


def bures_map_psd(source_covariance, target_covariance):
    """The Bures map of POT's formula, with rounding-size negative eigenvalues at 0.

    POT's ``ot.gaussian.bures_wasserstein_mapping`` is the same formula (roots by
    ``eigh`` too) but took the root of rounding-size negative eigenvalues (NaN for a
    singular covariance), and importing POT costs 0.5-2 s more after scikit-learn
    (measured on this 2-core machine) on ``transfer()``'s default path, where
    ``method="auto"`` fits an affine map on every call.
    """
    root = _sqrtm_psd(source_covariance)
    inverse_root = np.linalg.inv(root)
    middle = _sqrtm_psd(root @ target_covariance @ root)
    return inverse_root @ middle @ inverse_root


def fit_gaussian_map(source, target, source_weights=None, target_weights=None, *, reg=1e-6,
                     covariance="full"):
    """The optimal (Monge) map between the Gaussians of two weighted samples.

    Parameters
    ----------
    source : ndarray of shape (n, d)
    target : ndarray of shape (m, d)
        Float64 samples.
    source_weights, target_weights : ndarray of shape (n,) / (m,) or None
        Weights summing to one; ``None``: uniform.
    reg : float, default=1e-6
        Added to both covariance diagonals.
    covariance : {"full", "diag"}, default="full"
        The Bures (MKL) map, or per-feature scaling (Reinhard).

    Returns
    -------
    GaussianMap
        ``matrix`` (symmetric for ``"full"``) and ``offset`` of ``x @ matrix +
        offset``, with the means and regularised covariances.
    """
    ridge = reg * np.eye(source.shape[1])
    source_mean, source_cov = _weighted_moments(source, source_weights)
    target_mean, target_cov = _weighted_moments(target, target_weights)
    source_cov = source_cov + ridge
    target_cov = target_cov + ridge
    _check_source_rank(source_cov, reg, covariance)
    if covariance == "diag":
        matrix = np.diag(np.sqrt(np.diag(target_cov) / np.diag(source_cov)))
    else:
        # A does not change when both covariances are scaled alike; scaled to
        # 1, the formula's fourth powers cannot overflow (features of 1e99
        # gave "Eigenvalues did not converge").
        scale = max(np.abs(source_cov).max(), np.abs(target_cov).max(),
                    np.finfo(np.float64).tiny)
        matrix = bures_map_psd(source_cov / scale, target_cov / scale)
        # The products leave an asymmetry of rounding size.
        matrix = (matrix + matrix.T) / 2
    offset = target_mean - source_mean @ matrix
    return GaussianMap(matrix, offset, source_mean, target_mean, source_cov, target_cov)
