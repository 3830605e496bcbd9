"""The target sample on its way into :meth:`DomainAdaptation.fit
<skcolorot.DomainAdaptation.fit>`: :class:`TargetSample` (kept whole by
cross-validation), skada's ``sample_domain`` convention split into source and
target, and the checks and warnings about how the target was passed.

Shared by ``_domain`` (fit) and ``_scoring`` (the backward model of circular
validation), which import it; it imports neither.
"""

import warnings

import numpy as np

from .._utils._compat import _num_samples, _safe_indexing

__all__ = ["TargetSample", "split_domains", "stack_domains", "warn_if_scaled_alone"]


class TargetSample:
    """A target-domain sample that cross-validation passes whole to ``fit``.

    ``GridSearchCV`` and ``cross_validate`` cut every fit parameter that has as
    many rows as ``X`` with ``X``'s folds. The target sample is not aligned with
    the rows of the source ``X``: when both happen to have the same size, wrap it,
    ``fit(X_source, y_source, target=TargetSample(X_target))``, so that every fold
    adapts to the whole target sample. Harmless where nothing splits.
    ``DomainAdaptation.fit`` warns when it gets an unwrapped target of ``X``'s
    size: it cannot tell a whole target from one cut by a fold.

    Parameters
    ----------
    X : array-like of shape (n_target_samples, n_features)
        The target-domain sample.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport
    >>> from skcolorot import DomainAdaptation, TargetSample
    >>> rng = np.random.default_rng(0)
    >>> Xs, ys = rng.normal(size=(40, 2)), np.repeat([0, 1], 20)
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=TargetSample(Xs + 3.0))
    >>> bool(np.allclose(model.transport_source(Xs).mean(axis=0), Xs.mean(axis=0) + 3.0))
    True
    """

    # Deliberately no __len__, shape or __array__: scikit-learn's cross-validation
    # only indexes fit parameters that look like arrays.

    def __init__(self, X):
        self.X = X

    def __repr__(self):
        shape = getattr(self.X, "shape", None)
        return f"TargetSample({'shape=' + str(shape) if shape is not None else '...'})"


def split_domains(X, y, target, target_labels, sample_domain, sample_weight):
    """(source, labels, target, target labels, weights) of either convention."""
    if sample_domain is not None:
        if target is not None:
            raise ValueError(
                "Pass either target= or sample_domain=, not both: with sample_domain "
                "the target rows are the rows of X with a negative domain."
            )
        sample_domain = np.asarray(sample_domain)
        if sample_domain.shape != (_num_samples(X),):
            raise ValueError(
                f"sample_domain must have one entry per row of X ({_num_samples(X)}), "
                f"got shape {sample_domain.shape}."
            )
        source_rows, target_rows = sample_domain > 0, sample_domain < 0
        if not source_rows.any() or not target_rows.any():
            raise ValueError(
                "sample_domain must mark source rows (> 0) and target rows (< 0); "
                f"got domains {np.unique(sample_domain).tolist()}."
            )
        y = np.asarray(y)
        known = y[target_rows]
        if target_labels is None and known.dtype.kind in "iub" and np.any(known != -1):
            target_labels = known  # semi-supervised, skada-style (-1 = masked)
        target = _safe_indexing(X, target_rows)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)[source_rows]
        X, y = _safe_indexing(X, source_rows), y[source_rows]
        # Rows of one X, split by sample_domain: no fit parameter that
        # cross-validation could slice, so no TargetSample warning.
        target = TargetSample(target)
    if target is None:
        raise ValueError(
            "DomainAdaptation.fit needs the target-domain sample: "
            "fit(X_source, y_source, target=X_target) (in a Pipeline: "
            "pipe.fit(X, y, domainadaptation__target=X_target)), or skada's "
            "fit(X, y, sample_domain=sample_domain)."
        )
    if isinstance(target, TargetSample):
        target = target.X
    elif _sliced_like_x(target, X):
        warnings.warn(
            f"The target sample has as many rows as X ({_num_samples(X)}): "
            "cross-validation (GridSearchCV, cross_validate) cuts it with X's folds, "
            "so each fold would adapt to a slice of it. Pass "
            "target=TargetSample(X_target) to keep it whole (and silence this).",
            UserWarning,
            stacklevel=4,
        )
    return X, y, target, target_labels, sample_weight


def _sliced_like_x(target, X):
    """Whether scikit-learn's cross-validation would index ``target`` with X's folds.

    The test of ``sklearn.utils.validation._check_method_params``: an
    array-like fit parameter with as many rows as ``X``.
    """
    looks_like_array = (
        hasattr(target, "__len__") or hasattr(target, "shape") or hasattr(target, "__array__")
    )
    try:
        return looks_like_array and _num_samples(target) == _num_samples(X)
    except TypeError:
        return False


def warn_if_scaled_alone(X, target):
    """Warn when the source looks standardised and the target does not.

    The signature of a StandardScaler placed before DomainAdaptation in a
    Pipeline: it is fitted on (and transforms) the source only, and the target
    sample, passed as a fit parameter, stays in raw units.
    """
    try:
        source, target = np.asarray(X), np.asarray(target)
    except (TypeError, ValueError):
        return
    # Bad input (complex, NaN, inf) is refused by the validation after this;
    # here it would only raise numpy's own warnings first.
    if source.dtype.kind not in "biuf" or target.dtype.kind not in "biuf":
        return
    if source.ndim != 2 or target.ndim != 2 or len(source) < 3 or len(target) < 3:
        return
    source, target = source.astype(np.float64), target.astype(np.float64)
    if not (np.isfinite(source).all() and np.isfinite(target).all()):
        return
    std = source.std(axis=0)
    varying = std > 0
    if not varying.any():
        return
    standardised = np.allclose(source.mean(axis=0), 0, atol=1e-7) and np.allclose(
        std[varying], 1, atol=1e-6
    )
    if not standardised:
        return
    t_mean, t_std = target.mean(axis=0), target.std(axis=0)
    if np.abs(t_mean).max() > 1.0 or np.abs(np.log(np.maximum(t_std[varying], 1e-12))).max() > 1.0:
        warnings.warn(
            "X is standardised (mean 0, variance 1 per feature) but the target sample is "
            "not: a scaler placed before DomainAdaptation in a Pipeline is fitted on the "
            "source only and never sees the target, which stays in raw units. Pass the "
            "scaler as DomainAdaptation(..., preprocessor=StandardScaler()) (fitted on "
            "both domains), or scale the target with the same scaler.",
            UserWarning,
            stacklevel=4,
        )


def stack_domains(X, target):
    """Source and target rows together, for a preprocessor fitted on both."""
    if hasattr(X, "columns") and hasattr(target, "columns"):
        import pandas as pd

        return pd.concat([X, target], axis=0, ignore_index=True)
    return np.vstack([np.asarray(X), np.asarray(target)])
