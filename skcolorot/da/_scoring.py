"""Label-free model selection for :class:`~skcolorot.DomainAdaptation`.

Target labels are unknown in unsupervised domain adaptation, so parameters
(and whether to adapt at all) must be chosen by criteria that see the labelled
source and the unlabelled target only. Each scorer here is a callable
``scorer(model, X, y)`` on a *fitted* DomainAdaptation, greater is better, for
``GridSearchCV(DomainAdaptation(...), grid, scoring=scorer).fit(X_source,
y_source, target=TargetSample(X_target))`` (``X``, ``y``: the held-out source
fold; the target sample is the one the model was fitted with) and for
``DomainAdaptation(transport="auto", selection=...)``.

What each one estimates, and assumes:

* :class:`CircularValidationScorer`: reverse validation (Bruzzone &
  Marconcini 2010; Zhong et al. 2010): label the target with the model, adapt
  back from the pseudo-labelled target to the held-out source, score the
  source labels. Sees whether a transport put the classes in the right
  place, but not a consistent permutation of them. Each source sample is
  weighted by how well the backward model's training sample covers it, so
  that no adaptation is not charged for source regions the target never
  reaches (covariate shift).
* :class:`NeighbourConsistencyScorer`: how often each target prediction
  agrees with its target neighbours' (the cluster assumption).
* :class:`CombinedScorer`: the mean of the two above; the default of
  ``DomainAdaptation("auto")``.
* :class:`ImportanceWeightedScorer`: importance-weighted accuracy on the
  held-out source, as target samples (Sugiyama et al. 2007), weights
  ``p_t(x) / p_s(x)`` from a domain classifier. Valid under covariate shift
  only (same ``p(y | x)``): it favours little or no transport.
* :class:`PredictionEntropyScorer`: minus the mean entropy of the target
  predictions (Morerio et al. 2018). Cheap; rewards confident models, also
  confidently wrong ones.
* :class:`DeepEmbeddedValidationScorer`: DEV (You et al. 2019), the log loss
  of the transported held-out source, importance-weighted in the space where
  the classifier acts, with a control variate.
* :func:`~skcolorot.transported_source_scorer`: accuracy of the transported
  held-out source: checks that classes stay apart, not where they go; biased
  towards weak transports.

skada's scorers (``skada.metrics``) work on a DomainAdaptation fitted in
skada's convention ``fit(X, y, sample_domain=...)``, with skada's splitters.
Here, in that convention, the held-out rows whose label is the mask ``-1``
are target rows and are left out of the source fold.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .._utils._compat import _safe_indexing
from ._target import TargetSample

__all__ = [
    "CircularValidationScorer",
    "CombinedScorer",
    "NeighbourConsistencyScorer",
    "DeepEmbeddedValidationScorer",
    "ImportanceWeightedScorer",
    "PredictionEntropyScorer",
    "transported_source_scorer",
]


def _held_out_source(X, y):
    """The held-out source rows: all of them, less skada-masked (-1) target rows."""
    y = np.asarray(y)
    if y.dtype.kind in "iu" and np.any(y == -1):
        keep = y != -1
        return _safe_indexing(X, keep), y[keep]
    return X, y


def _target_of(model):
    check_is_fitted(model, ["estimator_"])
    target = getattr(model, "_target", None)
    if target is None:
        raise ValueError("The scorer needs a DomainAdaptation fitted with a target sample.")
    return target


def _domain_weights(source_features, target_features, domain_classifier):
    """``p_t(x) / p_s(x)`` at the source points, by a probabilistic domain classifier."""
    features = np.vstack([np.asarray(source_features), np.asarray(target_features)])
    domain = np.r_[np.zeros(len(source_features)), np.ones(len(target_features))]
    classifier = clone(domain_classifier).fit(features, domain)
    proba = np.clip(classifier.predict_proba(np.asarray(source_features))[:, 1], 1e-6, 1 - 1e-6)
    ratio = proba / (1 - proba) * len(source_features) / len(target_features)
    return ratio


class CircularValidationScorer:
    """Reverse (circular) validation: adapt back from the pseudo-labelled target.

    The fitted model labels the target sample; a copy of the model (same
    transport, same parameters) is fitted from that pseudo-labelled target
    back to the held-out source sample, which it then predicts. Its score
    against the true source labels is high when the first model put the
    classes in the right place (Bruzzone & Marconcini 2010; Zhong et al. 2010).
    A candidate that does not adapt (``"passthrough"``) is scored the same
    way, so the score compares adapting with not adapting.

    The backward model only learns where its training sample lies: the
    target, moved back towards the source by the backward transport. A
    transport covers the source with it; no adaptation leaves it where the
    target is, and under covariate shift (the target a part of the source's
    support) the backward classifier would be charged for extrapolating to
    source regions it never saw, however right the forward model is there.
    So each held-out source sample is weighted by the density ratio between
    that backward training sample and the source (a domain classifier), and
    the score is the weighted metric: the weights are about 1 after a
    transport, and restrict no adaptation's score to where the target is.

    Parameters
    ----------
    metric : callable, default=balanced_accuracy_score
        ``metric(y_true, y_pred, sample_weight=None)`` on the source labels.
    importance_weighted : bool, default=True
        Weight the source samples as above; ``False``: plain reverse
        validation, biased against no adaptation under covariate shift.
    domain_classifier : classifier with predict_proba or None, default=None
        For the weights; ``None``: ``make_pipeline(StandardScaler(),
        LogisticRegression())``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport, DomainAdaptation
    >>> from skcolorot.da._scoring import CircularValidationScorer
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) + 4 * ys[:, None]
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=Xs[::2] @ [[0, 1], [1, 0]] + 5)
    >>> float(CircularValidationScorer()(model, Xs, ys))
    1.0
    """

    def __init__(self, metric=balanced_accuracy_score, importance_weighted=True,
                 domain_classifier=None):
        self.metric = metric
        self.importance_weighted = importance_weighted
        self.domain_classifier = domain_classifier

    def __call__(self, estimator, X, y, sample_weight=None):
        y, predicted, weights = self._predict_back(estimator, X, y)
        if weights is None:
            return float(self.metric(y, predicted))
        return float(self.metric(y, predicted, sample_weight=weights))

    def sample_scores(self, estimator, X, y):
        """Per-sample terms whose mean is the score with the balanced accuracy.

        Each held-out source sample contributes ``n w_i [correct_i] /
        (n_classes W_c)`` (``W_c``: the weight of its class), so that the
        terms can be resampled (bootstrap) by the selection of ``"auto"``.

        Returns
        -------
        terms : ndarray of shape (n_held_out,)
        """
        y, predicted, weights = self._predict_back(estimator, X, y)
        weights = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
        classes, index = np.unique(y, return_inverse=True)
        class_weight = np.bincount(index, weights=weights, minlength=len(classes))
        share = weights / (len(classes) * class_weight[index])
        return len(y) * share * (np.asarray(predicted) == y)

    def _predict_back(self, estimator, X, y):
        """Held-out labels, the backward model's predictions of them, and the weights."""
        target = _target_of(estimator)
        X, y = _held_out_source(X, y)
        y = np.asarray(y)
        pseudo = estimator.predict(target)
        if len(np.unique(pseudo)) < 2:
            # A backward classifier cannot be trained on one class.
            return y, np.full(len(y), pseudo[0]), None
        backward = clone(estimator)
        if not isinstance(backward.transport, str):
            # The transport the forward model was fitted with, not "auto" again.
            backward.set_params(transport=clone(estimator.transport))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence of the backward fit
            backward.fit(target, pseudo, target=TargetSample(X))
        weights = None
        if self.importance_weighted:
            classifier = self.domain_classifier or make_pipeline(
                StandardScaler(), LogisticRegression()
            )
            weights = _domain_weights(
                backward._preprocess(X), backward.transport_source(target), classifier
            )
            weights = weights / weights.mean()
        return y, backward.predict(X), weights


class ImportanceWeightedScorer:
    """Importance-weighted accuracy of the model on the held-out source.

    Importance-weighted validation (Sugiyama et al. 2007): the held-out
    source samples, *as they are*, are scored as target samples, each
    weighted by ``p_t(x) / p_s(x)``, estimated by a domain classifier between
    the held-out source and the target sample. An unbiased estimate of the
    target accuracy under covariate shift (same ``p(y | x)`` in both domains);
    under any other shift it favours models that barely adapt.

    Parameters
    ----------
    domain_classifier : classifier with predict_proba or None, default=None
        Separates source from target samples; ``None``:
        ``LogisticRegression()``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import DomainAdaptation
    >>> from skcolorot.da._scoring import ImportanceWeightedScorer
    >>> rng = np.random.default_rng(0)
    >>> Xs = rng.normal(size=(200, 2))
    >>> ys = (Xs[:, 0] > 0).astype(int)
    >>> model = DomainAdaptation("passthrough", LogisticRegression())
    >>> model = model.fit(Xs, ys, target=Xs[:100] + [0.5, 0.0])
    >>> float(ImportanceWeightedScorer()(model, Xs, ys)) > 0.95
    True
    """

    def __init__(self, domain_classifier=None):
        self.domain_classifier = domain_classifier

    def __call__(self, estimator, X, y, sample_weight=None):
        target = _target_of(estimator)
        X, y = _held_out_source(X, y)
        classifier = self.domain_classifier or LogisticRegression()
        weights = _domain_weights(
            estimator._preprocess(X), estimator._preprocess(target), classifier
        )
        if sample_weight is not None:
            weights = weights * np.asarray(sample_weight)
        return float(estimator.score(X, y, sample_weight=weights))


class PredictionEntropyScorer:
    """Minus the mean entropy of the model's class probabilities on the target.

    Confident target predictions score high (Morerio et al. 2018). It needs
    no held-out source (``X`` and ``y`` are ignored) and is cheap, but a model
    can be confidently wrong: use it to compare similar models, not to decide
    whether to adapt. The estimator needs ``predict_proba``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport, DomainAdaptation
    >>> from skcolorot.da._scoring import PredictionEntropyScorer
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) + 4 * ys[:, None]
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=Xs[::2] + 3)
    >>> float(PredictionEntropyScorer()(model, Xs, ys)) > -0.1
    True
    """

    def __call__(self, estimator, X=None, y=None, sample_weight=None):
        target = _target_of(estimator)
        proba = np.clip(estimator.predict_proba(target), 1e-12, 1.0)
        return float(np.mean(np.sum(proba * np.log(proba), axis=1)))


class DeepEmbeddedValidationScorer:
    """Deep embedded validation (You et al. 2019) in the transported space.

    The classifier acts on transported source samples and on target
    samples: that is its embedding. A domain classifier between the
    transported held-out source and the target gives importance weights
    ``w``; the score is minus the weighted per-sample loss of the held-out
    source labels, with DEV's control variate ``eta = -cov(w l, w) / var(w)``
    that lowers its variance. The loss is the log loss with ``predict_proba``,
    else the 0-1 loss.

    Parameters
    ----------
    domain_classifier : classifier with predict_proba or None, default=None
        ``None``: ``LogisticRegression()``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport, DomainAdaptation
    >>> from skcolorot.da._scoring import DeepEmbeddedValidationScorer
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) + 4 * ys[:, None]
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=Xs[::2] + 3)
    >>> float(DeepEmbeddedValidationScorer()(model, Xs, ys)) > -0.2
    True
    """

    def __init__(self, domain_classifier=None):
        self.domain_classifier = domain_classifier

    def __call__(self, estimator, X, y, sample_weight=None):
        target = _target_of(estimator)
        X, y = _held_out_source(X, y)
        moved = estimator.transport_source(X)
        classifier = self.domain_classifier or LogisticRegression()
        weights = _domain_weights(moved, estimator._preprocess(target), classifier)
        model = estimator.estimator_
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(moved)
            index = np.minimum(np.searchsorted(model.classes_, y), len(model.classes_) - 1)
            inside = model.classes_[index] == y  # labels the classifier never saw: p = 0
            picked = np.where(inside, proba[np.arange(len(y)), index], 0.0)
            loss = -np.log(np.clip(picked, 1e-15, 1.0))
        else:
            loss = (model.predict(moved) != y).astype(float)
        weighted = weights * loss
        variance = np.var(weights, ddof=1)
        eta = 0.0 if variance == 0 else -np.cov(weighted, weights)[0, 1] / variance
        return -float(np.mean(weighted) + eta * np.mean(weights) - eta)


class NeighbourConsistencyScorer:
    """How often a target sample's prediction agrees with its target neighbours'.

    The cluster assumption: a model adapted well draws its class boundaries
    through the gaps of the target distribution, so that each target sample
    and its ``n_neighbors`` nearest target samples (after the preprocessor)
    get the same label. A source classifier applied to a shifted target
    cuts through the target's clusters and scores lower. It needs no held-out
    source (``X``, ``y`` are ignored). A consistent permutation of the classes
    scores as high as the right labelling: combine it with
    :class:`CircularValidationScorer` (:class:`CombinedScorer`).

    Parameters
    ----------
    n_neighbors : int, default=10

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport, DomainAdaptation
    >>> from skcolorot.da._scoring import NeighbourConsistencyScorer
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) * 0.5 + 4 * ys[:, None]
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=Xs[::2] + 3)
    >>> float(NeighbourConsistencyScorer()(model, Xs, ys))
    1.0
    """

    def __init__(self, n_neighbors=10):
        self.n_neighbors = n_neighbors

    def __call__(self, estimator, X=None, y=None, sample_weight=None):
        return float(np.mean(self.sample_scores(estimator, X, y)))

    def sample_scores(self, estimator, X=None, y=None):
        """Per target sample: the share of its neighbours that get its label.

        Returns
        -------
        terms : ndarray of shape (n_target,)
        """
        target = _target_of(estimator)
        features = np.asarray(estimator._preprocess(target), dtype=np.float64)
        k = min(self.n_neighbors, len(features) - 1)
        neighbours = NearestNeighbors(n_neighbors=k + 1).fit(features).kneighbors(features)[1]
        predicted = np.asarray(estimator.predict(target))
        return np.mean(predicted[neighbours[:, 1:]] == predicted[:, None], axis=1)


class CombinedScorer:
    """Mean of circular validation and neighbour consistency (the ``"auto"`` default).

    Each covers a blind spot of the other. Circular validation cannot tell
    no adaptation from adaptation when the backward model just re-learns the
    forward boundaries, and neighbour consistency can: a source boundary
    cutting through target clusters. Neighbour consistency cannot see a
    consistent permutation of the classes (a balanced transport under label
    shift), and circular validation partly can.

    Parameters
    ----------
    n_neighbors : int, default=10
        Of :class:`NeighbourConsistencyScorer`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport, DomainAdaptation
    >>> from skcolorot.da._scoring import CombinedScorer
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) * 0.5 + 4 * ys[:, None]
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=Xs[::2] + 3)
    >>> float(CombinedScorer()(model, Xs, ys))
    1.0
    """

    def __init__(self, n_neighbors=10):
        self.n_neighbors = n_neighbors

    def __call__(self, estimator, X, y, sample_weight=None):
        circular = CircularValidationScorer()(estimator, X, y)
        consistency = NeighbourConsistencyScorer(self.n_neighbors)(estimator, X, y)
        return 0.5 * (circular + consistency)


def transported_source_scorer(estimator, X, y, sample_weight=None):
    """Score a fitted :class:`DomainAdaptation` on source samples moved by its transport.

    ``estimator.estimator_.score(estimator.transport_.transform(X), y)``: the
    accuracy (classifier) or R^2 (regressor) of the adapted model on held-out
    *source* samples, after they are moved to the target domain. Use it as
    ``GridSearchCV(..., scoring=transported_source_scorer)`` to choose the
    transport's parameters without target labels: it penalises transports that
    mix the classes (e.g. a too large entropic ``reg``), but it cannot see
    whether the classes were moved to the right place in the target domain,
    and it favours weak transports (a transport that barely moves the source
    keeps its classes apart best): prefer the scorers of
    :mod:`skcolorot.da._scoring`.

    Parameters
    ----------
    estimator : DomainAdaptation
        A fitted DomainAdaptation.
    X : array-like of shape (n_samples, n_features)
        Held-out source samples.
    y : array-like of shape (n_samples,)
        Their labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport
    >>> from skcolorot import DomainAdaptation, transported_source_scorer
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) + 6 * ys[:, None]
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=2 * Xs[:80] + 1)
    >>> float(transported_source_scorer(model, Xs, ys))
    1.0
    """
    check_is_fitted(estimator, ["transport_", "estimator_"])
    moved = estimator.transport_source(X)
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    return estimator.estimator_.score(moved, y, **kwargs)
