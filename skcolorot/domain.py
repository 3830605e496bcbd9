"""Domain adaptation with a transport: move the labelled source domain onto the
target domain, train there, and predict on target-domain samples as they are.

A transport placed before a classifier in a plain :class:`~sklearn.pipeline.Pipeline`
would also move the *target* samples at predict time, which is wrong for domain
adaptation: they already live in the target domain. :class:`DomainAdaptation`
applies the transport to the training (source) samples only.
"""

from copy import deepcopy

from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metadata_routing import (
    UNUSED,
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["DomainAdaptation", "TargetSample", "transported_source_scorer"]

# Methods of the wrapped estimator that DomainAdaptation exposes unchanged.
_PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


class TargetSample:
    """A target-domain sample that cross-validation passes whole to ``fit``.

    ``GridSearchCV`` and ``cross_validate`` cut every fit parameter that has as
    many rows as ``X`` with ``X``'s folds. The target sample is not aligned with
    the rows of the source ``X``: when both happen to have the same size, wrap it,
    ``fit(X_source, y_source, target=TargetSample(X_target))``, so that every fold
    adapts to the whole target sample. Harmless where nothing splits.

    Parameters
    ----------
    X : array-like of shape (n_target_samples, n_features)
        The target-domain sample.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import AffineTransport
    >>> from skcolorot.domain import DomainAdaptation, TargetSample
    >>> rng = np.random.default_rng(0)
    >>> Xs, ys = rng.normal(size=(40, 2)), np.repeat([0, 1], 20)
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=TargetSample(Xs + 3.0))
    >>> bool(np.allclose(model.transport_.target_mean_, Xs.mean(axis=0) + 3.0))
    True
    """

    # Deliberately no __len__, shape or __array__: scikit-learn's cross-validation
    # only indexes fit parameters that look like arrays.

    def __init__(self, X):
        self.X = X

    def __repr__(self):
        shape = getattr(self.X, "shape", None)
        return f"TargetSample({'shape=' + str(shape) if shape is not None else '...'})"


def _estimator_has(method):
    """``available_if`` check: the (fitted, else unfitted) estimator has ``method``."""

    def check(self):
        estimator = self.estimator_ if hasattr(self, "estimator_") else self.estimator
        getattr(estimator, method)
        return True

    return check


class DomainAdaptation(MetaEstimatorMixin, BaseEstimator):
    """Train an estimator on source samples transported onto the target domain.

    ``fit(X_source, y_source, target=X_target)`` fits ``transport`` from the
    source sample to the (unlabelled) target sample, moves the source samples
    with it and fits ``estimator`` on the moved samples and the source labels.
    ``predict``, ``predict_proba``, ``decision_function`` and ``score`` take
    *target-domain* samples and pass them to the fitted estimator unchanged.

    Any skcolorot transport works, on features of any dimension:
    :class:`~skcolorot.AffineTransport`, :class:`~skcolorot.SinkhornTransport`,
    :class:`~skcolorot.SlicedTransport`, :class:`~skcolorot.GMMTransport`.
    Their parameters are tuned as ``transport__reg``, ``transport__n_slices``, ...

    Parameters
    ----------
    transport : estimator
        An unfitted transport (``fit(X, target=...)`` and ``transform``). Cloned.
    estimator : estimator
        The classifier or regressor trained on the transported source. Cloned.
        A preprocessing step (e.g. a scaler) belongs *inside* it,
        ``make_pipeline(StandardScaler(), SVC())``: a step placed before the
        DomainAdaptation in a Pipeline would not see the ``target`` sample.

    Attributes
    ----------
    transport_ : estimator
        The transport fitted from the source to the target sample.
    estimator_ : estimator
        The estimator fitted on the transported source sample.
    classes_ : ndarray of shape (n_classes,)
        The estimator's classes (classifiers only).
    n_features_in_ : int
        Number of features of the samples.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    transported_source_scorer : A model-selection criterion that needs no target
        labels.

    Notes
    -----
    **Which score means what.** In ``GridSearchCV(DomainAdaptation(...), {
    "transport__reg": [...]}).fit(X_source, y_source, target=X_target)`` the
    held-out folds are *source* samples:

    * ``scoring=None`` (the default, :meth:`score`) scores the estimator on the
      held-out source rows *as they are*, as if they were target samples. That
      is neither target accuracy nor source accuracy after transport; it mostly
      rewards transports that move the source little. Do not tune ``reg`` with it.
    * ``scoring=transported_source_scorer`` scores the estimator on the held-out
      source rows *moved by the fitted transport*: does the transported source
      keep its classes apart? It needs no target labels (unsupervised domain
      adaptation), but it does not see whether the classes land in the right
      place.
    * Target accuracy needs labelled target samples ``(X_t, y_t)``:
      ``scoring=lambda model, X, y: model.score(X_t, y_t)``. With the labels of
      the very samples the model is adapted to, that is an oracle (an upper
      bound for benchmarks), not a model-selection method.

    ``search.score`` uses the search's ``scoring``: after a search with
    ``transported_source_scorer`` it would transport the samples it is given.
    Measure target accuracy with ``search.best_estimator_.score(X_t, y_t)`` or
    ``accuracy_score(y_t, search.predict(X_t))``.

    **The target sample and cross-validation.** Scikit-learn's cross-validation
    splits every fit parameter that has as many rows as ``X`` with ``X``'s
    folds. A target sample of another size is passed whole to every fold; one
    of the same size must be wrapped, ``target=TargetSample(X_target)``, or each
    fold would adapt to the target rows that share its indices.

    **Metadata routing.** With scikit-learn's default configuration,
    ``fit(X, y, target=X_t, sample_weight=w, **fit_params)`` sends ``w`` to the
    transport (source weights) and to the estimator, and ``fit_params`` to the
    estimator; ``pipe.fit(X, y, domainadaptation__target=X_t)`` works in a
    Pipeline. With routing on (``sklearn.set_config(enable_metadata_routing=True)``,
    which importing skada does), ``target`` is requested by default, so
    ``GridSearchCV(model).fit(X, y, target=X_t)`` works unchanged, and other
    metadata go where the transport and the estimator request them
    (``set_fit_request``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcolorot import SinkhornTransport
    >>> from skcolorot.domain import DomainAdaptation
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
    """

    _parameter_constraints: dict = {
        "transport": [HasMethods(["fit", "transform"])],
        "estimator": [HasMethods(["fit", "predict"])],
    }

    # fit always needs the target sample: requested by default under metadata
    # routing. sample_weight is routed to the children, not consumed here.
    __metadata_request__fit = {"target": True, "sample_weight": UNUSED}
    __metadata_request__score = {"sample_weight": UNUSED}

    def __init__(self, transport, estimator):
        self.transport = transport
        self.estimator = estimator

    # The children's parameters are validated by their own fit.
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, target=None, sample_weight=None, **fit_params):
        """Fit the transport source -> target, then the estimator on the moved source.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source-domain samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Source labels (or regression targets).
        target : array-like of shape (n_target_samples, n_features) or TargetSample
            Target-domain samples, unlabelled; not aligned with the rows of ``X``.
            Wrap it as :class:`TargetSample` for cross-validation when it has as
            many rows as ``X`` (see Notes).
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
        if target is None:
            raise ValueError(
                "DomainAdaptation.fit needs the target-domain sample: "
                "fit(X_source, y_source, target=X_target) (in a Pipeline: "
                "pipe.fit(X, y, domainadaptation__target=X_target))."
            )
        if isinstance(target, TargetSample):
            target = target.X
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
        if _routing_enabled():
            routed = process_routing(self, "fit", **fit_params)
            transport_params = routed["transport"]["fit"]
            estimator_params = routed["estimator"]["fit"]
        else:
            transport_params = {} if sample_weight is None else {"sample_weight": sample_weight}
            estimator_params = fit_params

        self.transport_ = clone(self.transport).fit(X, target=target, **transport_params)
        moved = self.transport_.transform(X)
        feature_names = getattr(self.transport_, "feature_names_in_", None)
        if feature_names is not None and not hasattr(moved, "columns"):
            # Keep X's column names, so that the estimator checks them at predict.
            import pandas as pd

            moved = pd.DataFrame(moved, columns=feature_names, index=getattr(X, "index", None))
        self.estimator_ = clone(self.estimator).fit(moved, y, **estimator_params)
        self.n_features_in_ = self.transport_.n_features_in_
        if feature_names is not None:
            self.feature_names_in_ = feature_names
        return self

    def _call_estimator(self, method, X, **params):
        check_is_fitted(self)
        if _routing_enabled():
            params = process_routing(self, method, **params)["estimator"][method]
        return getattr(self.estimator_, method)(X, **params)

    @available_if(_estimator_has("predict"))
    def predict(self, X, **params):
        """Predict target-domain samples ``X`` with the fitted estimator (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        **params : dict
            Passed to the estimator's ``predict`` (with routing on: routed).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        return self._call_estimator("predict", X, **params)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Class probabilities of target-domain samples ``X`` (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        **params : dict
            Passed to the estimator's ``predict_proba`` (with routing on: routed).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._call_estimator("predict_proba", X, **params)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Log class probabilities of target-domain samples ``X`` (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        **params : dict
            Passed to the estimator's ``predict_log_proba`` (with routing on: routed).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._call_estimator("predict_log_proba", X, **params)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, **params):
        """Decision function of target-domain samples ``X`` (no transport).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target-domain samples.
        **params : dict
            Passed to the estimator's ``decision_function`` (with routing on: routed).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_estimator("decision_function", X, **params)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None, **params):
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
        **params : dict
            Passed to the estimator's ``score`` (with routing on: routed).

        Returns
        -------
        score : float
        """
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        check_is_fitted(self)
        if _routing_enabled():
            params = process_routing(self, "score", **params)["estimator"]["score"]
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
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                transport=self.transport,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(estimator=self.estimator, method_mapping=estimator_mapping)
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            estimator_tags = get_tags(self.estimator)
            transport_tags = get_tags(self.transport)
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


def transported_source_scorer(estimator, X, y, sample_weight=None):
    """Score a fitted :class:`DomainAdaptation` on source samples moved by its transport.

    ``estimator.estimator_.score(estimator.transport_.transform(X), y)``: the
    accuracy (classifier) or R^2 (regressor) of the adapted model on held-out
    *source* samples, after they are moved to the target domain. Use it as
    ``GridSearchCV(..., scoring=transported_source_scorer)`` to choose the
    transport's parameters without target labels: it penalises transports that
    mix the classes (e.g. a too large entropic ``reg``), but it cannot see
    whether the classes were moved to the right place in the target domain.

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
    >>> from skcolorot.domain import DomainAdaptation, transported_source_scorer
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) + 6 * ys[:, None]
    >>> model = DomainAdaptation(AffineTransport(), LogisticRegression())
    >>> model = model.fit(Xs, ys, target=2 * Xs[:80] + 1)
    >>> float(transported_source_scorer(model, Xs, ys))
    1.0
    """
    check_is_fitted(estimator, ["transport_", "estimator_"])
    moved = estimator.transport_.transform(X)
    feature_names = getattr(estimator.transport_, "feature_names_in_", None)
    if feature_names is not None and not hasattr(moved, "columns"):
        import pandas as pd

        moved = pd.DataFrame(moved, columns=feature_names, index=getattr(X, "index", None))
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    return estimator.estimator_.score(moved, y, **kwargs)
