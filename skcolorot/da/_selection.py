"""How ``DomainAdaptation(transport="auto")`` chooses a transport without target labels.

:func:`select_transport` (called by ``DomainAdaptation.fit``) runs three steps:

1. **The candidates**: ``candidates=``, or :func:`default_candidates` (no
   adaptation, the affine map, entropic OT at four relative ``reg``, the
   label-aware transport with estimated class proportions).
2. **Scoring a candidate**, :func:`score_candidate`: a copy of the model is
   fitted with the candidate (sharing the model's preprocessor and cost scale,
   seeded from the model's ``random_state``) on the whole source and target
   samples, then scored by the ``selection`` criterion (:func:`selection_scorer`:
   the label-free scorers of :mod:`skcolorot.da._scoring`), greater is better,
   on the source and target samples sub-sampled to at most 2000 rows each.
3. **The decision**, :func:`decide`: the best score wins, but a transport only
   if it scores at least ``margin`` above no adaptation. With
   ``selection="circular"``, :func:`guard_label_shift` first rules out the
   transports that circular validation cannot judge under label shift.
"""

import inspect
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import get_tags

from .._utils._compat import _num_samples, _safe_indexing
from .._utils._input import draw_indices

__all__ = [
    "SELECTIONS",
    "decide",
    "default_candidates",
    "describe",
    "guard_label_shift",
    "score_candidate",
    "select_transport",
    "selection_scorer",
]

# transport="auto": the label-free criteria by name (see skcolorot.da._scoring).
SELECTIONS = (
    "combined",
    "circular",
    "consistency",
    "importance",
    "entropy",
    "dev",
    "transported_source",
)

# Largest sample the "auto" criteria score on.
_MAX_SCORED = 2000


def select_transport(model, X, y, target, transport_params, estimator_params, rng):
    """Fit every candidate, keep the one the selection criterion prefers.

    Sets ``model``'s fitted attributes (``transport_``, ``estimator_``,
    ``n_features_in_``, ``feature_names_in_``) from the chosen candidate, and
    ``selection_scores_``, ``selected_transport_`` (and ``label_shift_``).
    ``model.preprocessor_`` and ``model.scale_`` are already fitted.
    """
    candidates = default_candidates() if model.candidates is None else model.candidates
    scorer = selection_scorer(model.selection)
    # The criteria fit backward models and neighbour graphs: on large
    # samples, score on sub-samples (20k x 20k: 90 s -> 10 s).
    source_rows = _sub_rows(_num_samples(X), rng)
    target_rows = _sub_rows(_num_samples(target), rng)
    scored = (
        X if source_rows is None else _safe_indexing(X, source_rows),
        y if source_rows is None else _safe_indexing(y, source_rows),
        target if target_rows is None else _safe_indexing(target, target_rows),
    )
    fit_args = (X, y, target, transport_params, estimator_params)
    scores, fitted = [], []
    for candidate in candidates:
        copy, score = score_candidate(model, candidate, scorer, fit_args, scored, rng)
        scores.append((describe(candidate), score))
        fitted.append(copy)
    values = np.array([s for _, s in scores])
    none = next((k for k, c in enumerate(candidates) if isinstance(c, str)), None)
    if none is not None and model.selection == "circular":
        values, label_shift = guard_label_shift(model, values, candidates, none, X, y, target, rng)
        if label_shift is not None:
            model.label_shift_ = label_shift
        scores = [(name, float(v)) for (name, _), v in zip(scores, values)]
    model.selection_scores_ = scores
    best = decide(values, none, model.margin)
    chosen = fitted[best]
    model.transport_, model.estimator_ = chosen.transport_, chosen.estimator_
    model.n_features_in_ = chosen.n_features_in_
    if hasattr(chosen, "feature_names_in_"):
        model.feature_names_in_ = chosen.feature_names_in_
    model.selected_transport_ = candidates[best]


def default_candidates():
    """The choices of transport="auto": reg values are relative (cost_scale)."""
    from ..transport._affine import AffineTransport
    from ._label_aware import LabelAwareTransport
    from ..transport._sinkhorn import SinkhornTransport

    return [
        "passthrough",
        AffineTransport(),
        *(SinkhornTransport(reg=reg) for reg in (0.03, 0.1, 0.3, 1.0)),
        LabelAwareTransport(reg=0.1, reg_class=1.0, class_weights="estimate"),
    ]


def selection_scorer(selection):
    """The criterion ``scorer(model, X, y)`` of a ``selection`` name (or callable)."""
    if callable(selection):
        return selection
    from . import _scoring as da_scoring

    return {
        "combined": da_scoring.CombinedScorer(),
        "consistency": da_scoring.NeighbourConsistencyScorer(),
        "circular": da_scoring.CircularValidationScorer(),
        "importance": da_scoring.ImportanceWeightedScorer(),
        "entropy": da_scoring.PredictionEntropyScorer(),
        "dev": da_scoring.DeepEmbeddedValidationScorer(),
        "transported_source": da_scoring.transported_source_scorer,
    }[selection]


def score_candidate(model, candidate, scorer, fit_args, scored, rng):
    """Fit a copy of ``model`` with ``candidate``, and score it with ``scorer``.

    The copy is ``model`` with ``transport=candidate`` (cloned) and seeds drawn
    from ``rng`` (its own ``random_state``, and the candidate's when it has
    one); it takes ``model``'s fitted preprocessor and cost scale, so every
    candidate works in the same space. It is fitted on the whole samples and
    scored as ``scorer(copy, X_score, y_score)``, with the sub-sampled target
    as the target sample the scorer reads; ConvergenceWarnings are silenced.

    Parameters
    ----------
    model : DomainAdaptation
        The model being fitted, ``preprocessor_`` and ``scale_`` set.
    candidate : transport or "passthrough"
        Unfitted.
    scorer : callable
        The selection criterion, greater is better.
    fit_args : tuple
        ``(X, y, target, transport_params, estimator_params)`` of the fit.
    scored : tuple
        ``(X_score, y_score, target_score)``: the samples scored on.
    rng : RandomState

    Returns
    -------
    copy : DomainAdaptation
        The fitted copy.
    score : float
    """
    X, y, target, transport_params, estimator_params = fit_args
    X_score, y_score, target_score = scored
    transport = candidate if isinstance(candidate, str) else clone(candidate)
    copy = clone(model).set_params(transport=transport, random_state=rng.randint(2**31))
    if not isinstance(transport, str) and "random_state" in transport.get_params():
        transport.set_params(random_state=rng.randint(2**31))
    copy.preprocessor_, copy.scale_ = model.preprocessor_, model.scale_
    copy._target = target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        copy._fit_with(copy.transport, X, y, target, transport_params, estimator_params)
        copy._target = target_score
        score = float(scorer(copy, X_score, y_score))
        copy._target = target
    return copy, score


def decide(values, none, margin):
    """The index of the chosen candidate, given their scores ``values``.

    The best score wins; but when there is a no-adaptation candidate (index
    ``none``, else ``None``), a transport must beat it by at least ``margin``:
    the criteria are noisy and a wrong adaptation costs more than a missed one.
    """
    best = int(np.argmax(values))
    if none is not None and values[best] < values[none] + margin:
        best = none
    return best


def guard_label_shift(model, values, candidates, none, X, y, target, rng):
    """A known blind spot of circular validation, for ``"auto"``.

    Label shift: a transport with balanced marginals can map whole
      classes onto other classes, and adapting back undoes the
      permutation, so circular validation scores it high. When the target
      class proportions estimated by JCPOT differ from the source ones
      (total variation > 0.3), only no adaptation and label-shift-aware
      transports (``LabelAwareTransport(class_weights="estimate")``) compete.

    Returns
    -------
    values : ndarray
        The scores, ``-inf`` for the candidates ruled out.
    label_shift : float or None
        The total variation, for ``label_shift_``; None when not estimated
        (not a classifier, or one class).
    """
    from ._label_aware import LabelAwareTransport, estimate_target_proportions

    values = values.copy()
    label_shift = None
    labels = np.asarray(y)
    if labels.ndim == 1 and get_tags(model.estimator).estimator_type == "classifier":
        classes, index = np.unique(labels, return_inverse=True)
        if len(classes) > 1:
            source_p = np.bincount(index, minlength=len(classes)) / len(index)
            target_p = estimate_target_proportions(
                model._to_transport_space(X), index, model._to_transport_space(target), rng
            )
            label_shift = float(0.5 * np.abs(source_p - target_p).sum())
            if label_shift > 0.3:
                for k, candidate in enumerate(candidates):
                    aware = isinstance(candidate, LabelAwareTransport) and not (
                        isinstance(candidate.class_weights, str)
                        and candidate.class_weights == "uniform"
                    )
                    if k != none and not aware:
                        values[k] = -np.inf
    return values, label_shift


def describe(candidate):
    """A candidate as ``selection_scores_`` names it: its non-default parameters."""
    if isinstance(candidate, str):
        return candidate
    params = candidate.get_params(deep=False)
    defaults = {
        name: p.default for name, p in inspect.signature(type(candidate)).parameters.items()
    }
    shown = ", ".join(
        f"{name}={value!r}"
        for name, value in params.items()
        if name != "random_state" and not _same(value, defaults.get(name))
    )
    return f"{type(candidate).__name__}({shown})"


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _sub_rows(n, rng):
    return None if n <= _MAX_SCORED else draw_indices(n, _MAX_SCORED, rng)
