"""Domain adaptation with a transport: move the labelled source domain onto the
target domain, train there, and predict on target-domain samples as they are.

A transport placed before a classifier in a plain :class:`~sklearn.pipeline.Pipeline`
would also move the *target* samples at predict time, which is wrong for domain
adaptation: they already live in the target domain. :class:`DomainAdaptation`
applies the transport to the training (source) samples only.
"""

import inspect
from copy import deepcopy
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metadata_routing import (
    UNUSED,
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._utils._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    _num_features,
    _routing_enabled,
    _safe_indexing,
)
from ._selection import SELECTIONS, select_transport
from ._target import TargetSample, split_domains, stack_domains, warn_if_scaled_alone

__all__ = ["DomainAdaptation", "TargetSample", "transported_source_scorer"]

# TargetSample (``_target``) and transported_source_scorer (``_scoring``) were
# defined here: still importable from here, and so are their old pickles.


def __getattr__(name):
    if name == "transported_source_scorer":  # imported on demand, as _scoring is
        from ._scoring import transported_source_scorer

        return transported_source_scorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# Methods of the wrapped estimator that DomainAdaptation exposes unchanged.
_PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def _estimator_has(method):
    """``available_if`` check: the (fitted, else unfitted) estimator has ``method``."""

    def check(self):
        estimator = self.estimator_ if hasattr(self, "estimator_") else self.estimator
        getattr(estimator, method)
        return True

    return check


def _accepts(method, name):
    parameters = inspect.signature(method).parameters
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


class DomainAdaptation(MetaEstimatorMixin, BaseEstimator):
    """Train an estimator on source samples transported onto the target domain.

    ``fit(X_source, y_source, target=X_target)`` fits ``transport`` from the
    source sample to the (unlabelled) target sample, moves the source samples
    with it and fits ``estimator`` on the moved samples and the source labels.
    ``predict``, ``predict_proba``, ``decision_function`` and ``score`` take
    *target-domain* samples and pass them to the fitted estimator unchanged.

    Any skcolorot transport works, on features of any dimension:
    :class:`~skcolorot.AffineTransport`, :class:`~skcolorot.SinkhornTransport`,
    :class:`~skcolorot.SlicedTransport`, :class:`~skcolorot.GMMTransport`, and
    the label-aware :class:`~skcolorot.LabelAwareTransport` (which receives the
    source labels). Their parameters are tuned as ``transport__reg``,
    ``transport__n_slices``, ... ``transport="auto"`` chooses the transport and
    its main parameters without target labels, no adaptation included.

    skada's convention works too: ``fit(X, y, sample_domain=sd)`` with source
    rows ``sd > 0`` and target rows ``sd < 0`` (their labels masked as ``-1``,
    or known ones, passed to a label-aware transport as ``target_labels``).

    Parameters
    ----------
    transport : estimator, "auto" or "passthrough"
        An unfitted transport (``fit(X, y, target=...)`` and ``transform``),
        cloned; ``"passthrough"``: no adaptation (the estimator trained on the
        raw source); ``"auto"``: the best of ``candidates`` by ``selection``.
    estimator : estimator
        The classifier or regressor trained on the transported source. Cloned.
    preprocessor : transformer or None, default=None
        Fitted on the source and target samples together, then applied to
        both (e.g. ``StandardScaler()``): the place for a scaler. A scaler put
        *before* DomainAdaptation in a Pipeline is fitted on the source only
        and the target sample stays in raw units (a warning says so).
    cost_scale : "median", float or None, default="median"
        Feature data are not colours: with ``"median"`` the (preprocessed)
        samples are divided by the square root of the median squared distance
        between source and target samples before the transport and multiplied
        back after, so that an entropic ``reg`` is *relative* to the cost
        scale (``reg=0.1`` is a tenth of a typical squared distance) whatever
        the units. A float is a fixed length unit; ``None`` uses the raw units.
        Affine and sliced maps are the same either way. When the domains are
        far apart compared with their spread (e.g. a target in other units),
        the median is the gap between them and a relative ``reg`` blurs the
        source: scale both with ``preprocessor=`` first.
    selection : {"combined", "circular", "consistency", "importance", "entropy", \
            "dev", "transported_source"} or callable, default="combined"
        The label-free criterion of ``transport="auto"`` (see
        :mod:`skcolorot.da._scoring`), scored on the whole source sample, or a
        callable ``scorer(model, X_source, y_source)`` (greater is better)
        scoring a fitted DomainAdaptation. ``"combined"``: circular validation
        and target neighbour consistency, which must agree (see
        ``confidence``). With ``"circular"`` alone, a label-shift guard
        applies (see ``label_shift_``).
    candidates : list of (transport or "passthrough") or None, default=None
        The choices of ``transport="auto"``; ``None``: no adaptation, the
        affine map, entropic OT at three relative ``reg`` and the label-aware
        transport with estimated class proportions.
    margin : float or "auto", default="auto"
        ``transport="auto"`` adapts only when the chosen candidate's (mean)
        score is at least ``margin`` above no adaptation's. ``"auto"``: 0 for
        ``"combined"``, ``"circular"`` and ``"consistency"`` (the bootstrap
        decides), 0.04 for the criteria that give one number per model.
    confidence : float in [0.5, 1), default=0.9
        ``"combined"``, ``"circular"``, ``"consistency"``: a transport is
        chosen only if, for every scorer, the bootstrap lower bound (at this
        level) of its score minus no adaptation's is not negative, and for
        one positive: adapt where the scorers agree, stay put where they
        disagree. Higher is more cautious: replayed on the benchmark's
        families, 0.95 left more gains (regret 0.068 instead of 0.046), 0.85
        lost 0.017 under skada's subspace shift.
    random_state : int, RandomState instance or None, default=None
        Seed of the ``"auto"`` candidates and of the cost-scale sub-sample.

    Attributes
    ----------
    transport_ : estimator or None
        The transport fitted from the source to the target sample (in the
        units of ``scale_``); ``None`` without adaptation.
    estimator_ : estimator
        The estimator fitted on the transported source sample.
    preprocessor_ : transformer or None
        The fitted preprocessor.
    scale_ : float
        The length unit of the transport's space (1.0 with ``cost_scale=None``).
    selection_ : SelectionReport
        ``transport="auto"`` only: the candidates, their scores per scorer,
        the bootstrap bounds, the decision and its reason; ``print`` it.
    selection_scores_ : list of (str, float)
        ``transport="auto"`` only: every candidate and its (mean) score.
    selected_transport_ : estimator or "passthrough"
        ``transport="auto"`` only: the candidate chosen (unfitted).
    label_shift_ : float
        ``transport="auto"`` with ``selection="circular"``, classifiers only:
        total variation between the source class proportions and the target
        ones estimated by JCPOT; above 0.3 only no adaptation and
        label-shift-aware candidates compete.
    classes_ : ndarray of shape (n_classes,)
        The estimator's classes (classifiers only).
    n_features_in_ : int
        Number of features of the samples.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    skcolorot.da._scoring : Model-selection criteria that need no target labels.
    LabelAwareTransport : Class-regularised, label-shift-aware transport.

    Notes
    -----
    **Which score means what.** In ``GridSearchCV(DomainAdaptation(...), {
    "transport__reg": [...]}).fit(X_source, y_source, target=X_target)`` the
    held-out folds are *source* samples:

    * ``scoring=None`` (the default, :meth:`score`) scores the estimator on the
      held-out source rows *as they are*, as if they were target samples. That
      is neither target accuracy nor source accuracy after transport; it mostly
      rewards transports that move the source little. Do not tune ``reg`` with it.
    * The scorers of :mod:`skcolorot.da._scoring` estimate target accuracy
      without target labels (circular validation, importance weighting, DEV,
      prediction entropy); their documentation says what each assumes.
      ``transported_source_scorer`` only checks that the transported source
      keeps its classes apart, and is biased towards weak transports.
    * Target accuracy needs labelled target samples ``(X_t, y_t)``:
      ``scoring=lambda model, X, y: model.score(X_t, y_t)``. With the labels of
      the very samples the model is adapted to, that is an oracle (an upper
      bound for benchmarks), not a model-selection method.

    **The target sample and cross-validation.** Scikit-learn's cross-validation
    splits every fit parameter that has as many rows as ``X`` with ``X``'s
    folds. A target sample of another size is passed whole to every fold; one
    of the same size must be wrapped, ``target=TargetSample(X_target)``, or each
    fold would adapt to the target rows that share its indices (``fit`` warns
    about an unwrapped one). In skada's
    convention (``sample_domain``) both domains are rows of ``X`` and are split
    together, which is what skada's splitters expect.

    **Metadata routing.** With scikit-learn's default configuration,
    ``fit(X, y, target=X_t, sample_weight=w, **fit_params)`` sends ``w`` to the
    transport (source weights) and to the estimator, and ``fit_params`` to the
    estimator; ``pipe.fit(X, y, domainadaptation__target=X_t)`` works in a
    Pipeline. With routing on (``sklearn.set_config(enable_metadata_routing=True)``,
    which importing skada does), ``target``, ``target_labels`` and
    ``sample_domain`` are requested by default, so
    ``GridSearchCV(model).fit(X, y, target=X_t)`` works unchanged, and other
    metadata go where the transport and the estimator request them
    (``set_fit_request``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import DomainAdaptation, SinkhornTransport
    >>> rng = np.random.default_rng(0)
    >>> ys = rng.integers(0, 2, 200)
    >>> Xs = rng.normal(size=(200, 2)) * 0.3 + ys[:, None]
    >>> yt = rng.integers(0, 2, 150)
    >>> Xt = rng.normal(size=(150, 2)) * 0.3 + yt[:, None] + 1.0
    >>> model = DomainAdaptation(SinkhornTransport(reg=0.05), LogisticRegression())
    >>> model.fit(Xs, ys, target=Xt).score(Xt, yt) > 0.9
    True
    >>> LogisticRegression().fit(Xs, ys).score(Xt, yt) < 0.7  # no adaptation
    True
    >>> auto = DomainAdaptation("auto", LogisticRegression(), random_state=0)
    >>> auto.fit(Xs, ys, target=Xt).score(Xt, yt) > 0.9
    True
    """

    _parameter_constraints: dict = {
        "transport": [HasMethods(["fit", "transform"]), StrOptions({"auto", "passthrough"})],
        "estimator": [HasMethods(["fit", "predict"])],
        "preprocessor": [HasMethods(["fit", "transform"]), None],
        "cost_scale": [StrOptions({"median"}), Interval(Real, 0, None, closed="neither"), None],
        "selection": [StrOptions(set(SELECTIONS)), callable],
        "candidates": [list, None],
        "margin": [Interval(Real, None, None, closed="neither"), StrOptions({"auto"})],
        "confidence": [Interval(Real, 0.5, 1, closed="left")],
        "random_state": ["random_state"],
    }

    # fit always needs the target sample: requested by default under metadata
    # routing, as are skada's sample_domain and known target labels.
    # sample_weight is routed to the children, not consumed here.
    __metadata_request__fit = {
        "target": True,
        "target_labels": True,
        "sample_domain": True,
        "sample_weight": UNUSED,
    }
    # score weights the estimator's score itself (skada's importance-weighted
    # scorer checks that sample_weight is consumed); sample_domain and
    # allow_source are skada's, handled here.
    __metadata_request__score = {"sample_weight": True, "sample_domain": True, "allow_source": True}
    __metadata_request__predict = {"sample_domain": True, "allow_source": True}
    __metadata_request__predict_proba = {"sample_domain": True, "allow_source": True}
    __metadata_request__predict_log_proba = {"sample_domain": True, "allow_source": True}
    __metadata_request__decision_function = {"sample_domain": True, "allow_source": True}

    def __init__(
        self,
        transport,
        estimator,
        *,
        preprocessor=None,
        cost_scale="median",
        selection="combined",
        candidates=None,
        margin="auto",
        confidence=0.9,
        random_state=None,
    ):
        self.transport = transport
        self.estimator = estimator
        self.preprocessor = preprocessor
        self.cost_scale = cost_scale
        self.selection = selection
        self.candidates = candidates
        self.margin = margin
        self.confidence = confidence
        self.random_state = random_state

    # The children's parameters are validated by their own fit.
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(
        self,
        X,
        y,
        *,
        target=None,
        target_labels=None,
        sample_domain=None,
        sample_weight=None,
        **fit_params,
    ):
        """Fit the transport source -> target, then the estimator on the moved source.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source-domain samples (with ``sample_domain``: both domains).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Source labels (or regression targets); with ``sample_domain``, the
            target rows' labels are ``-1`` (masked) or known labels.
        target : array-like of shape (n_target_samples, n_features) or TargetSample
            Target-domain samples, unlabelled; not aligned with the rows of ``X``.
            Wrap it as :class:`TargetSample` for cross-validation when it has as
            many rows as ``X`` (see Notes).
        target_labels : array-like of shape (n_target_samples,), default=None
            Known labels of target samples, ``-1`` where unknown
            (semi-supervised); for a transport whose ``fit`` takes them
            (:class:`~skcolorot.LabelAwareTransport`).
        sample_domain : array-like of shape (n_samples,), default=None
            skada's convention, instead of ``target``: the domain of each row
            of ``X``, positive for source rows and negative for target rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the source samples, for the transport and the estimator
            (with routing on: for those that request it).
        **fit_params : dict
            Passed to the estimator's ``fit`` (with routing on: routed).

        Returns
        -------
        self : DomainAdaptation
        """
        if y is None:
            raise ValueError(
                "DomainAdaptation requires y to be passed, but the target y is None: "
                "y holds the labels of the source samples X."
            )
        X, y, target, target_labels, sample_weight = split_domains(
            X, y, target, target_labels, sample_domain, sample_weight
        )
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
        if _routing_enabled():
            routed = process_routing(self, "fit", **fit_params)
            transport_params = (
                {} if isinstance(self.transport, str) else dict(routed["transport"]["fit"])
            )
            estimator_params = routed["estimator"]["fit"]
        else:
            transport_params = {} if sample_weight is None else {"sample_weight": sample_weight}
            estimator_params = fit_params
        if target_labels is not None:
            transport_params["target_labels"] = target_labels

        warn_if_scaled_alone(X, target)
        rng = check_random_state(self.random_state)
        if self.preprocessor is None:
            self.preprocessor_ = None
            source, target_data = X, target
        else:
            self.preprocessor_ = clone(self.preprocessor).fit(stack_domains(X, target))
            source = self.preprocessor_.transform(X)
            target_data = self.preprocessor_.transform(target)
        self.scale_ = self._cost_scale(source, target_data, rng)

        if isinstance(self.transport, str) and self.transport == "auto":
            select_transport(self, X, y, target, transport_params, estimator_params, rng)
        else:
            self._fit_with(self.transport, X, y, target, transport_params, estimator_params)
        self._target = target  # the selection scorers read it (not a copy)
        return self

    def _cost_scale(self, source, target, rng):
        if self.cost_scale is None:
            return 1.0
        if not isinstance(self.cost_scale, str):
            return float(self.cost_scale)
        source, target = np.asarray(source), np.asarray(target)
        if (
            source.ndim != 2
            or target.ndim != 2
            or source.shape[1] != target.shape[1]
            or min(len(source), len(target)) == 0
            or source.dtype.kind not in "biuf"
            or target.dtype.kind not in "biuf"
        ):
            return 1.0  # bad input: the transport's own validation says what is wrong
        source, target = source.astype(np.float64), target.astype(np.float64)
        if len(source) * len(target) <= 250_000:
            # Every pair: the same scale (so the same relative reg) whatever the seed,
            # here and in TransportAdapter.
            i, j = (index.ravel() for index in np.indices((len(source), len(target))))
        else:
            i = rng.randint(0, len(source), 2000)
            j = rng.randint(0, len(target), 2000)
        median = float(np.median(((source[i] - target[j]) ** 2).sum(axis=1)))
        return float(np.sqrt(median)) if np.isfinite(median) and median > 0 else 1.0

    def _fit_with(self, transport, X, y, target, transport_params, estimator_params):
        """Fit one (unfitted) transport or "passthrough", then the estimator."""
        if isinstance(transport, str):  # "passthrough"
            self.transport_ = None
        else:
            self.transport_ = clone(transport)
            if "target_labels" in transport_params and not _accepts(
                self.transport_.fit, "target_labels"
            ):
                raise TypeError(
                    f"{type(self.transport_).__name__}.fit takes no target_labels; use "
                    "LabelAwareTransport for known target labels."
                )
            # y goes to the transport positionally: label-aware transports use
            # it, the others ignore y when target= is given.
            self.transport_.fit(
                self._to_transport_space(X),
                y,
                target=self._to_transport_space(target),
                **transport_params,
            )
        self.n_features_in_ = _num_features(X)
        feature_names = getattr(X, "columns", None)
        if feature_names is not None and all(isinstance(c, str) for c in feature_names):
            self.feature_names_in_ = np.asarray(feature_names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        moved = self.transport_source(X)
        self.estimator_ = clone(self.estimator).fit(moved, y, **estimator_params)
        return self

    def _preprocess(self, X):
        return X if self.preprocessor_ is None else self.preprocessor_.transform(X)

    def _to_transport_space(self, X):
        Z = self._preprocess(X)
        return Z if self.scale_ == 1.0 else np.asarray(Z, dtype=np.float64) / self.scale_

    def transport_source(self, X):
        """Move source-domain samples to the target domain, as ``fit`` did.

        Preprocessing, the cost scale and the fitted transport, in that order:
        the samples the estimator was trained on (for the training ``X``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source-domain samples.

        Returns
        -------
        X_moved : ndarray or DataFrame of shape (n_samples, n_features)
            A DataFrame with ``X``'s columns when ``X`` had feature names.
        """
        if self.transport_ is None:
            return self._preprocess(X)
        moved = self.transport_.transform(self._to_transport_space(X))
        if self.scale_ != 1.0:
            moved = np.asarray(moved) * self.scale_
        feature_names = getattr(self, "feature_names_in_", None)
        if self.preprocessor_ is None and feature_names is not None and not hasattr(
            moved, "columns"
        ):
            # Keep X's column names, so that the estimator checks them at predict.
            import pandas as pd

            moved = pd.DataFrame(moved, columns=feature_names, index=getattr(X, "index", None))
        return moved

    def _domain_input(self, X, sample_domain, allow_source):
        """Target rows preprocessed; source rows (skada, sample_domain > 0) moved too."""
        if sample_domain is None:
            return self._preprocess(X)
        sample_domain = np.asarray(sample_domain)
        source_rows = sample_domain > 0
        if not source_rows.any():
            return self._preprocess(X)
        if not allow_source:
            raise ValueError(
                "Samples from source domains (sample_domain > 0) were given to a "
                "target-domain method; pass allow_source=True to move them with the "
                "transport first."
            )
        out = np.array(self._preprocess(X), dtype=np.float64, copy=True)
        out[source_rows] = np.asarray(self.transport_source(_safe_indexing(X, source_rows)))
        return out

    def _call_estimator(self, method, X, sample_domain=None, allow_source=False, **params):
        check_is_fitted(self, "estimator_")
        if _routing_enabled():
            params = process_routing(self, method, **params)["estimator"][method]
        X = self._domain_input(X, sample_domain, allow_source)
        return getattr(self.estimator_, method)(X, **params)

    @available_if(_estimator_has("predict"))
    def predict(self, X, *, sample_domain=None, allow_source=False, **params):
        """Predict target-domain samples ``X`` with the fitted estimator (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        sample_domain : array-like of shape (n_samples,), default=None
            skada's convention: rows with a positive domain are source samples,
            moved by the transport first (only with ``allow_source=True``).
        allow_source : bool, default=False
            Accept source rows (skada's scorers set it).
        **params : dict
            Passed to the estimator's ``predict`` (with routing on: routed).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        return self._call_estimator("predict", X, sample_domain, allow_source, **params)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, *, sample_domain=None, allow_source=False, **params):
        """Class probabilities of target-domain samples ``X`` (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        sample_domain : array-like of shape (n_samples,), default=None
            skada's convention: rows with a positive domain are source samples,
            moved by the transport first (only with ``allow_source=True``).
        allow_source : bool, default=False
            Accept source rows (skada's scorers set it).
        **params : dict
            Passed to the estimator's ``predict_proba`` (with routing on: routed).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._call_estimator("predict_proba", X, sample_domain, allow_source, **params)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, *, sample_domain=None, allow_source=False, **params):
        """Log class probabilities of target-domain samples ``X`` (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        sample_domain : array-like of shape (n_samples,), default=None
            skada's convention: rows with a positive domain are source samples,
            moved by the transport first (only with ``allow_source=True``).
        allow_source : bool, default=False
            Accept source rows (skada's scorers set it).
        **params : dict
            Passed to the estimator's ``predict_log_proba`` (with routing on: routed).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._call_estimator("predict_log_proba", X, sample_domain, allow_source, **params)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, *, sample_domain=None, allow_source=False, **params):
        """Decision function of target-domain samples ``X`` (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        sample_domain : array-like of shape (n_samples,), default=None
            skada's convention: rows with a positive domain are source samples,
            moved by the transport first (only with ``allow_source=True``).
        allow_source : bool, default=False
            Accept source rows (skada's scorers set it).
        **params : dict
            Passed to the estimator's ``decision_function`` (with routing on: routed).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_estimator("decision_function", X, sample_domain, allow_source, **params)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None, *, sample_domain=None, allow_source=False, **params):
        """The estimator's score on target-domain samples ``X`` (no transport).

        Accuracy for a classifier, R^2 for a regressor. Inside cross-validation
        on the source this is *not* target accuracy: see the class Notes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their true labels / values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        sample_domain : array-like of shape (n_samples,), default=None
            skada's convention: rows with a positive domain are source samples,
            moved by the transport first (only with ``allow_source=True``).
        allow_source : bool, default=False
            Accept source rows (skada's scorers set it).
        **params : dict
            Passed to the estimator's ``score`` (with routing on: routed).

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "estimator_")
        if _routing_enabled():
            params = process_routing(self, "score", **params)["estimator"]["score"]
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        X = self._domain_input(X, sample_domain, allow_source)
        return self.estimator_.score(X, y, **params)

    @property
    def classes_(self):
        """The classes of the fitted classifier."""
        return self.estimator_.classes_

    def get_metadata_routing(self):
        """Metadata routing: ``target`` is consumed here, the rest goes to the children.

        Returns
        -------
        routing : MetadataRouter
        """
        estimator_mapping = MethodMapping().add(caller="fit", callee="fit")
        for method in (*_PREDICT_METHODS, "score"):
            estimator_mapping.add(caller=method, callee=method)
        router = MetadataRouter(owner=self).add_self_request(self)
        if not isinstance(self.transport, str):
            router.add(
                transport=self.transport,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        return router.add(estimator=self.estimator, method_mapping=estimator_mapping)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            estimator_tags = get_tags(self.estimator)
            transport_tags = (
                estimator_tags if isinstance(self.transport, str) else get_tags(self.transport)
            )
        except (AttributeError, TypeError, ValueError):
            # Invalid children: fit's parameter validation will say so.
            return tags
        # A classifier / regressor for scikit-learn (cross-validation splitters,
        # default scoring): whatever the wrapped estimator is.
        tags.estimator_type = estimator_tags.estimator_type
        tags.classifier_tags = deepcopy(estimator_tags.classifier_tags)
        tags.regressor_tags = deepcopy(estimator_tags.regressor_tags)
        tags.target_tags = deepcopy(estimator_tags.target_tags)
        # Samples go through both at fit time: what both accept.
        for name in ("sparse", "allow_nan", "categorical", "string", "dict"):
            setattr(
                tags.input_tags,
                name,
                getattr(estimator_tags.input_tags, name)
                and getattr(transport_tags.input_tags, name),
            )
        tags.input_tags.positive_only = (
            estimator_tags.input_tags.positive_only or transport_tags.input_tags.positive_only
        )
        tags.non_deterministic = estimator_tags.non_deterministic or (
            transport_tags.non_deterministic
        )
        return tags
