"""A skcolorot transport as a skada adapter, for ``skada.make_da_pipeline``.

skada's pipelines pass both domains as rows of ``X`` with ``sample_domain``
(positive: source, negative: target) and expect an *adapter* step whose
``fit_transform`` moves the source rows and leaves the target rows alone. A
plain skcolorot transport would read the labels as its target sample;
:class:`TransportAdapter` speaks skada's convention. skada is not imported:
skada only looks at the methods and the metadata requests.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.utils.validation import check_is_fitted, validate_data

from .._utils._compat import _safe_indexing
from ._domain import DomainAdaptation

__all__ = ["TransportAdapter"]


class TransportAdapter(TransformerMixin, BaseEstimator):
    """Use a skcolorot transport as the adapter of ``skada.make_da_pipeline``.

    ``make_da_pipeline(TransportAdapter(SinkhornTransport(reg=0.1)),
    LogisticRegression())`` fits the transport from the source rows of ``X``
    (``sample_domain > 0``) to its target rows (``< 0``), trains the
    classifier on the moved source rows, and predicts target rows as they
    are. Label-aware transports (:class:`~skcolorot.LabelAwareTransport`)
    receive the source labels, and the known target labels (not ``-1``).

    Parameters
    ----------
    transport : estimator
        An unfitted skcolorot transport. Cloned.
    cost_scale : "median", float or None, default="median"
        As in :class:`~skcolorot.DomainAdaptation` (the same default): ``reg``
        relative to the median squared distance between the domains.
    random_state : int, RandomState instance or None, default=None
        As in :class:`~skcolorot.DomainAdaptation`: the draw of the cost scale
        on large samples (small ones use every pair, whatever the seed).

    Attributes
    ----------
    adaptation_ : DomainAdaptation or None
        The fitted source-to-target adaptation (its ``transport_`` and
        ``transport_source``); None when ``fit`` saw no target rows.
    n_features_in_ : int
        Features of ``X``.

    Notes
    -----
    Without ``sample_domain``, ``fit`` follows skada's automatic convention:
    rows labelled ``-1`` are target rows, the others source rows. With no target
    row at all there is nothing to adapt to: the adapter is the identity (with a
    warning).

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import AffineTransport, TransportAdapter
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(50, 2)), rng.normal(size=(40, 2)) + 3])
    >>> domain = np.r_[np.ones(50, int), -np.ones(40, int)]
    >>> y = np.r_[rng.integers(0, 2, 50), -np.ones(40, int)]
    >>> adapter = TransportAdapter(AffineTransport())
    >>> moved = adapter.fit_transform(X, y, sample_domain=domain)
    >>> bool(np.allclose(moved[:50].mean(axis=0), X[50:].mean(axis=0)))
    True
    """

    __metadata_request__fit = {"sample_domain": True}
    __metadata_request__transform = {"sample_domain": True, "allow_source": True}

    def __init__(self, transport, cost_scale="median", random_state=None):
        self.transport = transport
        self.cost_scale = cost_scale
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

    def fit(self, X, y=None, *, sample_domain=None, **params):
        """Fit the transport from the source rows to the target rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Both domains.
        y : array-like of shape (n_samples,)
            Labels; target rows masked as ``-1`` (skada does it).
        sample_domain : array-like of shape (n_samples,), default=None
            Positive for source rows, negative for target rows; None: rows
            labelled ``-1`` are the target rows (see Notes).
        **params : dict
            Ignored (skada may route other metadata).

        Returns
        -------
        self : TransportAdapter
        """
        X = validate_data(self, X, ensure_min_samples=2)
        y = np.zeros(len(X), dtype=int) if y is None else np.asarray(y)
        if sample_domain is None:
            # skada's automatic convention: masked labels (-1) mark the target.
            masked = (y == -1) if y.ndim == 1 and y.dtype.kind in "iuf" else np.zeros(len(X), bool)
            sample_domain = np.where(masked, -2, 1)
            automatic = True
        else:
            automatic = False  # an explicit split without target rows: refused below
        if automatic and not (sample_domain < 0).any():
            warnings.warn(
                "TransportAdapter.fit saw no target rows (sample_domain < 0, or labels "
                "-1): nothing to adapt to, the adapter is the identity.",
                UserWarning,
                stacklevel=2,
            )
            self.adaptation_ = None
            return self
        placeholder = (
            DummyClassifier() if y.dtype.kind in "iub" or y.dtype == object else DummyRegressor()
        )
        self.adaptation_ = DomainAdaptation(
            clone(self.transport), placeholder, cost_scale=self.cost_scale,
            random_state=self.random_state,
        ).fit(X, y, sample_domain=sample_domain)
        return self

    def fit_transform(self, X, y=None, *, sample_domain=None, **params):
        """Fit, then move the source rows of ``X`` (target rows unchanged).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
        sample_domain : array-like of shape (n_samples,)
        **params : dict
            Ignored.

        Returns
        -------
        X_adapted : ndarray of shape (n_samples, n_features)
        """
        self.fit(X, y, sample_domain=sample_domain)
        return self.transform(X, sample_domain=sample_domain, allow_source=True)

    def transform(self, X, y=None, *, sample_domain=None, allow_source=False, **params):
        """Move source rows (``sample_domain > 0``) with the transport; keep the others.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_domain : array-like of shape (n_samples,), default=None
            ``None``: every row is a target row (prediction).
        allow_source : bool, default=False
            Accept source rows.
        **params : dict
            Ignored.

        Returns
        -------
        X_adapted : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        out = np.array(X, dtype=np.float64, copy=True)
        if sample_domain is None or self.adaptation_ is None:
            return out
        source_rows = np.asarray(sample_domain) > 0
        if source_rows.any():
            if not allow_source:
                raise ValueError(
                    "Source rows (sample_domain > 0) given to transform; pass allow_source=True."
                )
            moved = self.adaptation_.transport_source(_safe_indexing(X, source_rows))
            out[source_rows] = np.asarray(moved)
        return out
