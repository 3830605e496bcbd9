"""How ``DomainAdaptation(transport="auto")`` chooses a transport without target labels.

:func:`select_transport` (called by ``DomainAdaptation.fit``) runs four steps:

1. **The candidates**: ``candidates=``, or :func:`default_candidates` (no
   adaptation, the affine map, entropic OT at three relative ``reg``, the
   label-aware transport with estimated class proportions).
2. **Scoring a candidate**, :func:`score_candidate`: a copy of the model is
   fitted with the candidate (sharing the model's preprocessor and cost scale,
   seeded from the model's ``random_state``) on the whole source and target
   samples, then scored, greater is better, on the source and target samples
   sub-sampled to at most 2000 rows each: per sample by the scorers of
   :func:`agreement_scorers` (``"combined"``: circular validation on the
   held-out source rows and neighbour consistency on the target rows), else
   by the ``selection`` criterion (:func:`selection_scorer`). Consistency is
   counted as Cohen's kappa against the agreement of labels drawn at the
   predicted class proportions (:func:`chance_corrected_consistency`): a
   source boundary that misses a shifted target and predicts one class
   everywhere is perfectly "consistent", and a transport that forces the
   source class proportions onto a label-shifted target looks better.
3. **The label-shift guard** (``selection="circular"``),
   :func:`guard_label_shift`: under a large estimated label shift only no
   adaptation and label-shift-aware transports compete.
4. **The decision**: :func:`decide_by_agreement` (per-sample scorers: a
   paired bootstrap of each scorer's difference with no adaptation; adapt
   where every scorer agrees, stay put where they disagree) or
   :func:`decide_by_margin` (one number per model: beat no adaptation by
   ``margin``). The fitted model's ``selection_`` (:class:`SelectionReport`)
   prints the candidates, their scores per scorer, the decision and why.
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
    "SelectionReport",
    "agreement_scorers",
    "chance_corrected_consistency",
    "decide",
    "decide_by_agreement",
    "decide_by_margin",
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
# margin="auto" for the criteria that give one number per model (no bootstrap).
_MARGIN = 0.04
# Estimated label shift (total variation) above which balanced transports are out.
_LABEL_SHIFT = 0.3


def select_transport(model, X, y, target, transport_params, estimator_params, rng):
    """Fit every candidate, keep the one the selection rule prefers.

    Sets ``model``'s fitted attributes (``transport_``, ``estimator_``,
    ``n_features_in_``, ``feature_names_in_``) from the chosen candidate, and
    ``selection_`` (a :class:`SelectionReport`), ``selection_scores_``,
    ``selected_transport_`` and ``label_shift_`` (classifiers).
    ``model.preprocessor_`` and ``model.scale_`` are already fitted.
    """
    candidates = default_candidates() if model.candidates is None else model.candidates
    per_sample = agreement_scorers(model.selection)
    scorer = None if per_sample else selection_scorer(model.selection)
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
    names, fitted, terms = [], [], []
    for candidate in candidates:
        copy, score = score_candidate(
            model, candidate, per_sample or scorer, fit_args, scored, rng
        )
        names.append(describe(candidate))
        fitted.append(copy)
        terms.append(score)
    none = next((k for k, c in enumerate(candidates) if isinstance(c, str)), None)
    allowed = np.ones(len(candidates), dtype=bool)
    label_shift = None
    # Only circular validation alone needs the guard: its JCPOT estimate
    # mistakes feature shift for label shift (0.37 on a per-feature gain),
    # and chance-corrected consistency already sees class permutations.
    if none is not None and model.selection == "circular":
        allowed, label_shift = guard_label_shift(model, candidates, none, X, y, target, rng)
    if label_shift is not None:
        model.label_shift_ = label_shift
    margin = model.margin
    if per_sample:
        margin = 0.0 if margin == "auto" else float(margin)
        report = decide_by_agreement(
            names, terms, allowed, none, margin, model.confidence, rng
        )
    else:
        margin = _MARGIN if margin == "auto" else float(margin)
        report = decide_by_margin(names, np.asarray(terms, dtype=float), allowed, none, margin)
    report.label_shift = label_shift
    model.selection_ = report
    model.selection_scores_ = list(zip(names, (float(v) for v in report.combined)))
    best = report.chosen
    chosen = fitted[best]
    model.transport_, model.estimator_ = chosen.transport_, chosen.estimator_
    model.n_features_in_ = chosen.n_features_in_
    if hasattr(chosen, "feature_names_in_"):
        model.feature_names_in_ = chosen.feature_names_in_
    model.selected_transport_ = candidates[best]


def default_candidates():
    """The choices of transport="auto": reg values are relative (cost_scale)."""
    from ..transport._affine import AffineTransport
    from ..transport._sinkhorn import SinkhornTransport
    from ._label_aware import LabelAwareTransport

    # The reg grid reaches down to 0.01 (closer to the default 3e-3) and no
    # longer up to 0.3 and 1.0, which no benchmark family gained from: they
    # blur the classes together, and each costs a fit.
    return [
        "passthrough",
        AffineTransport(),
        *(SinkhornTransport(reg=reg) for reg in (0.01, 0.03, 0.1)),
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


def agreement_scorers(selection):
    """The per-sample scorers of the bootstrap rule for ``selection``, or None.

    ``"combined"``: circular validation and neighbour consistency, which must
    agree; ``"circular"`` / ``"consistency"``: that one alone. Other criteria
    give one number per model and are decided by a margin.
    """
    if not isinstance(selection, str) or selection not in ("combined", "circular", "consistency"):
        return None
    from . import _scoring as da_scoring

    def consistency(model, X, y):
        return chance_corrected_consistency(
            da_scoring.NeighbourConsistencyScorer().sample_scores(model, X, y),
            model.predict(model._target),
        )

    scorers = {
        "circular": da_scoring.CircularValidationScorer().sample_scores,
        "consistency": consistency,
    }
    if selection != "combined":
        scorers = {selection: scorers[selection]}

    def score(model, X, y):
        return {
            name: np.asarray(scorer(model, X, y), dtype=float)
            for name, scorer in scorers.items()
        }

    return score


def chance_corrected_consistency(terms, predicted):
    """Neighbour-consistency terms as Cohen's kappa against chance agreement.

    ``(terms - p_e) / (1 - p_e)``, ``p_e`` the agreement of labels drawn at
    the predicted class proportions. Raw agreement scores a model that
    predicts one class everywhere (a source boundary missing a shifted
    target) 1; agreement minus ``p_e`` alone rewards balanced predictions:
    under label shift a balanced transport that forces the source proportions
    onto the target gained +0.25 over no adaptation while losing 0.3-0.4
    accuracy. Dividing by ``1 - p_e`` puts models with different predicted
    proportions on one scale. One predicted class: no agreement beyond
    chance (0).

    Parameters
    ----------
    terms : ndarray of shape (n_target,)
        Per target sample, the share of its neighbours that get its label.
    predicted : array-like of shape (n_target,)
        The model's target labels.

    Returns
    -------
    kappa : ndarray of shape (n_target,)
    """
    terms = np.asarray(terms, dtype=float)
    _, counts = np.unique(np.asarray(predicted), return_counts=True)
    chance = float(np.sum((counts / counts.sum()) ** 2))
    if chance > 1 - 1e-12:
        return np.zeros_like(terms)
    return (terms - chance) / (1 - chance)


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
        The selection criterion, greater is better (a float), or the
        per-sample scorers of :func:`agreement_scorers` (a dict of arrays).
    fit_args : tuple
        ``(X, y, target, transport_params, estimator_params)`` of the fit.
    scored : tuple
        ``(X_score, y_score, target_score)``: the samples scored on.
    rng : RandomState

    Returns
    -------
    copy : DomainAdaptation
        The fitted copy.
    score : float or dict of ndarray
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
        score = scorer(copy, X_score, y_score)
        score = score if isinstance(score, dict) else float(score)
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


def decide_by_margin(names, values, allowed, none, margin):
    """:func:`decide` on one score per candidate, as a :class:`SelectionReport`."""
    values = np.where(allowed, values, -np.inf)
    best = decide(values, none, margin)
    if none is not None and best == none:
        reason = f"no candidate beat no adaptation by margin={margin:g}"
    else:
        reason = "highest score"
        if none is not None:
            reason += f", by >= {margin:g} over no adaptation"
    return SelectionReport(
        names, {"score": values}, None, values, allowed, best, reason, None
    )


def decide_by_agreement(names, terms, allowed, none, margin, confidence, rng, n_boot=500):
    """Adapt only where every scorer agrees that a transport beats no adaptation.

    For each candidate and scorer, the per-sample terms minus those of no
    adaptation (paired: the same held-out source rows / target rows) are
    bootstrapped; the candidate *qualifies* when, for every scorer, the
    ``1 - confidence`` quantile of the mean difference is >= 0 (no scorer
    says it is worse), for at least one it is > 0 (one says it is better),
    and its mean score (over scorers) is at least ``margin`` above no
    adaptation. The qualifying candidate of highest mean score wins; none
    qualifying, no adaptation. The bootstrap calibrates the rule to the
    noise of each problem, where a fixed margin was either too strict on
    small gains or too loose on small samples.

    Measured on the benchmark's 15 families and its 14 tuning families
    (``bench_domain_adaptation.py``, ``--tuning``), regret against the best
    method of any library per family: 0.057 and 0.057 with consistency
    counted as agreement minus chance and ``confidence=0.95`` (worst families
    -0.010 and -0.069: balanced transports under label shift); 0.045 and
    0.038, no family below no adaptation, with kappa, ``reg`` 0.01 / 0.03 /
    0.1 instead of 0.03 / 0.1 / 0.3 / 1 and ``confidence=0.9``
    (``DomainAdaptation``'s default). In a replay of the scorers' terms, 0.85
    lowered regret a little more but lost 0.017 under skada's subspace shift,
    where consistency rises a little and circular validation not at all.
    Tried and dropped: the sliced map as a candidate (about the same regret at
    its default 20 iterations but +3 s at 20k x 20k; at 10 iterations -0.053
    under skada's covariate shift); the bootstrap of the mean of the two
    scorers instead of each one's (target shift -0.21 to -0.34); circular's
    *mean* >= 0 instead of its bound (skada's subspace shift -0.07).
    What is left (two moons in 10-D: 0.395 of the 15 families' summed
    0.68): circular validation's importance-weighted terms make its bound
    wide on small samples, and there it prefers no adaptation to transports
    that gain +0.3-0.4 while consistency barely moves.
    """
    scorer_names = list(terms[0])
    means = {s: np.array([float(np.mean(t[s])) for t in terms]) for s in scorer_names}
    combined = np.mean([means[s] for s in scorer_names], axis=0)
    if none is None:
        best = int(np.argmax(np.where(allowed, combined, -np.inf)))
        return SelectionReport(names, means, None, combined, allowed, best,
                               "no 'passthrough' candidate: highest mean score", confidence)
    lower = {s: np.zeros(len(names)) for s in scorer_names}
    for s in scorer_names:
        base = terms[none][s]
        # One set of resamples per scorer, shared by every candidate.
        draws = rng.randint(0, len(base), size=(n_boot, len(base)))
        for k, t in enumerate(terms):
            if k != none:
                diff = t[s] - base
                lower[s][k] = float(np.quantile(diff[draws].mean(axis=1), 1 - confidence))
    qualifies = np.zeros(len(names), dtype=bool)
    for k in range(len(names)):
        if k == none or not allowed[k]:
            continue
        bounds = [lower[s][k] for s in scorer_names]
        # Tolerate rounding: equal terms give a lower bound of exactly 0.
        qualifies[k] = (
            min(bounds) >= -1e-12
            and max(bounds) > 1e-12
            and combined[k] >= combined[none] + margin
        )
    if qualifies.any():
        best = int(np.flatnonzero(qualifies)[np.argmax(combined[qualifies])])
        reason = (
            f"every scorer ({', '.join(scorer_names)}) finds it no worse than no adaptation "
            f"and one better, at {confidence:.0%} bootstrap confidence; highest mean score "
            f"of the {int(qualifies.sum())} that qualify"
        )
    else:
        best = none
        reason = (
            "no transport is better than no adaptation for one scorer and no worse for "
            f"every other, at {confidence:.0%} bootstrap confidence: staying put"
        )
    report = SelectionReport(names, means, lower, combined, allowed, best, reason, confidence)
    report.qualifies = qualifies
    return report


class SelectionReport:
    """What ``DomainAdaptation(transport="auto")`` chose, and why (``selection_``).

    Attributes
    ----------
    candidates : list of str
        The candidates, by their non-default parameters.
    scores : dict of str to ndarray
        Per scorer, every candidate's (mean) score; greater is better.
    lower_bounds : dict of str to ndarray or None
        Per scorer, the bootstrap lower bound of each candidate's score minus
        no adaptation's (``None`` for the margin rule).
    combined : ndarray
        The mean over the scorers.
    allowed : ndarray of bool
        False for candidates the label-shift guard ruled out.
    chosen : int
        Index of the chosen candidate.
    reason : str
        Why it was chosen.
    confidence : float or None
        The bootstrap level.
    label_shift : float or None
        Total variation between source and estimated target class proportions.
    """

    def __init__(self, candidates, scores, lower_bounds, combined, allowed, chosen, reason,
                 confidence):
        self.candidates = list(candidates)
        self.scores = scores
        self.lower_bounds = lower_bounds
        self.combined = np.asarray(combined, dtype=float)
        self.allowed = np.asarray(allowed, dtype=bool)
        self.chosen = int(chosen)
        self.reason = reason
        self.confidence = confidence
        self.label_shift = None
        self.qualifies = None

    @property
    def decision(self):
        """The name of the chosen candidate."""
        return self.candidates[self.chosen]

    def __str__(self):
        names = list(self.scores)
        width = max(len(c) for c in self.candidates) + 2
        head = f"{'candidate':<{width}}" + "".join(f"{n:>13}" for n in names) + f"{'mean':>9}"
        if self.lower_bounds is not None:
            head += "".join(f"{'lb ' + n[:9]:>14}" for n in names)
        lines = [head]
        for k, name in enumerate(self.candidates):
            mark = "*" if k == self.chosen else ("x" if not self.allowed[k] else " ")
            row = f"{mark}{name:<{width - 1}}" + "".join(
                f"{self.scores[n][k]:13.4f}" for n in names
            ) + f"{self.combined[k]:9.4f}"
            if self.lower_bounds is not None:
                row += "".join(f"{self.lower_bounds[n][k]:+14.4f}" for n in names)
            lines.append(row)
        if self.label_shift is not None:
            lines.append(f"estimated label shift (total variation): {self.label_shift:.3f}"
                         + ("; x: ruled out by the label-shift guard" if not self.allowed.all()
                            else ""))
        lines.append(f"decision: {self.decision} ({self.reason})")
        return "\n".join(lines)

    def __repr__(self):
        return f"<SelectionReport: {self.decision}>"


def guard_label_shift(model, candidates, none, X, y, target, rng):
    """A known blind spot of the label-free scorers, for ``"auto"``.

    Label shift: a transport with balanced marginals can map whole
      classes onto other classes, and adapting back undoes the
      permutation, so circular validation (and neighbour consistency) score
      it high. When the target class proportions estimated by JCPOT differ
      from the source ones (total variation > 0.3), only no adaptation and
      label-shift-aware transports (``LabelAwareTransport(class_weights=
      "estimate")``) compete.

    Returns
    -------
    allowed : ndarray of bool
        False for the candidates ruled out.
    label_shift : float or None
        The total variation, for ``label_shift_``; None when not estimated
        (not a classifier, or one class).
    """
    from ._label_aware import LabelAwareTransport, estimate_target_proportions

    allowed = np.ones(len(candidates), dtype=bool)
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
            if label_shift > _LABEL_SHIFT:
                for k, candidate in enumerate(candidates):
                    aware = isinstance(candidate, LabelAwareTransport) and not (
                        isinstance(candidate.class_weights, str)
                        and candidate.class_weights == "uniform"
                    )
                    if k != none and not aware:
                        allowed[k] = False
    return allowed, label_shift


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
