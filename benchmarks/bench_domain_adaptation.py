"""Domain adaptation: a classifier trained on transported source features, scored
on target features, next to POT's ``ot.da`` and skada's OT mapping adapters.

Every method trains the same classifier (``SVC()``) on the source samples moved
onto the target domain and is scored on the labelled target
samples (whose labels no method sees). Rows:

* ``no adaptation``: the classifier trained on the raw source;
* ``skcolorot DomainAdaptation(<transport>)`` at each value of a grid over ``reg``
  (SinkhornTransport) / ``n_slices`` (SlicedTransport): the target accuracy of
  every grid point, i.e. what an oracle could pick;
* ``GridSearchCV(...)``: the value picked *without target labels*, by 3-fold CV
  on the source with ``transported_source_scorer``, and its target accuracy; the
  time is the whole search (``len(grid) * 3 + 1`` fits);
* ``POT ot.da.SinkhornTransport`` / ``EMDTransport``: ``fit(Xs=, Xt=)``,
  ``transform(Xs=)``, then the classifier, on the same ``reg`` grid;
* ``skada`` ``EntropicOTMappingAdapter`` / ``OTMappingAdapter`` /
  ``LinearOTMappingAdapter`` in ``make_da_pipeline(adapter, SVC())``.

Times are wall-clock seconds of fitting (transport, source mapping, classifier),
best of 3 for single fits, with BLAS limited to one thread for every method (the
matrices are small; on the 2 shared cores where the committed table was made,
threads only fought each other). Timings there are noisy.

Metadata routing: importing skada switches scikit-learn's metadata routing on for
the whole process (``sklearn.set_config(enable_metadata_routing=True)`` in
``skada/__init__``). skada needs it; skcolorot and POT rows run with the default
configuration (routing off), and the skcolorot grid search is run again with
routing on, to show that it gives the same result in both modes.

Run::

    python benchmarks/bench_domain_adaptation.py > benchmarks/results/domain_adaptation.txt
"""

import platform
import time
import warnings

import numpy as np
import ot

# Importing skada switches metadata routing on (see the module docstring): every
# row below runs in an explicit config_context.
import skada
import sklearn
from skada import (
    EntropicOTMappingAdapter,
    LinearOTMappingAdapter,
    OTMappingAdapter,
    make_da_pipeline,
)
from skada.datasets import make_shifted_datasets
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

import skcolorot
from skcolorot import AffineTransport, SinkhornTransport
from skcolorot.domain import DomainAdaptation, TargetSample, transported_source_scorer
from skcolorot.sliced import SlicedTransport

REG_GRID = [0.01, 0.1, 1.0, 10.0]
N_SLICES_GRID = [1, 2, 4, 16]
REPEATS = 3


def classifier():
    return SVC()


# ---------------------------------------------------------------- datasets
def _rotation(angle):
    theta = np.deg2rad(angle)
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


def rotated_moons(n=300, angle=50.0, seed=0):
    """Two moons; the target's are rotated by ``angle`` degrees about their centre."""
    Xs, ys = make_moons(n, noise=0.1, random_state=seed)
    Xt, yt = make_moons(n, noise=0.1, random_state=seed + 1)
    centre = np.array([0.5, 0.25])
    return Xs, ys, (Xt - centre) @ _rotation(angle).T + centre, yt


def moons_in_10d(n=300, angle=50.0, seed=0):
    """The rotated moons plus 8 noise features, seen through a random rotation of R^10."""
    Xs, ys, Xt, yt = rotated_moons(n, angle, seed)
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.normal(size=(10, 10)))

    def lift(X):
        return np.hstack([X, 0.3 * rng.normal(size=(len(X), 8))]) @ basis

    return lift(Xs), ys, lift(Xt), yt


def skada_conditional_shift(seed=0):
    """skada's make_shifted_datasets, conditional shift (target = 0.7 * source + 1)."""
    X, y, domain = make_shifted_datasets(
        n_samples_source=40,
        n_samples_target=40,
        shift="conditional_shift",
        noise=0.3,
        random_state=seed,
    )
    source, target = domain > 0, domain < 0
    return X[source], y[source], X[target], y[target]


DATASETS = [
    ("rotated two moons (2-D, 50 degrees)", rotated_moons),
    ("rotated two moons in 10-D (8 noise features, random basis)", moons_in_10d),
    ("skada make_shifted_datasets(shift='conditional_shift', noise=0.3)", skada_conditional_shift),
]


# ----------------------------------------------------------------- methods
def timed(fit, repeats=REPEATS):
    """(best wall time over ``repeats`` runs, result of the last run)."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        result = fit()
        best = min(best, time.perf_counter() - start)
    return best, result


def row(method, param, accuracy, seconds, note=""):
    accuracy = "failed" if accuracy is None else f"{accuracy:.3f}"
    print(f"{method:<46} {param:<16} {accuracy:>10} {seconds:>9.3f}  {note}".rstrip())


def fit_domain_adaptation(transport, Xs, ys, Xt):
    """Fit DomainAdaptation; note whether Sinkhorn reported non-convergence."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = DomainAdaptation(transport, classifier()).fit(Xs, ys, target=Xt)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return model, "" if converged else "(ConvergenceWarning: tol not reached)"


def no_adaptation(Xs, ys, Xt, yt):
    seconds, model = timed(lambda: classifier().fit(Xs, ys))
    row("no adaptation (SVC on raw source)", "-", model.score(Xt, yt), seconds)


def skcolorot_rows(Xs, ys, Xt, yt):
    seconds, model = timed(
        lambda: DomainAdaptation(AffineTransport(), classifier()).fit(Xs, ys, target=Xt)
    )
    row("skcolorot DomainAdaptation(AffineTransport)", "-", model.score(Xt, yt), seconds)
    for reg in REG_GRID:
        transport = SinkhornTransport(reg=reg, random_state=0)
        seconds, (model, note) = timed(lambda t=transport: fit_domain_adaptation(t, Xs, ys, Xt))
        row(
            "skcolorot DomainAdaptation(SinkhornTransport)",
            f"reg={reg:g}",
            model.score(Xt, yt),
            seconds,
            note,
        )
    sinkhorn_search(Xs, ys, Xt, yt, "  GridSearchCV(transported_source_scorer)")
    for n_slices in N_SLICES_GRID:
        transport = SlicedTransport(n_slices=n_slices, random_state=0)
        seconds, model = timed(
            lambda t=transport: DomainAdaptation(t, classifier()).fit(Xs, ys, target=Xt)
        )
        row(
            "skcolorot DomainAdaptation(SlicedTransport)",
            f"n_slices={n_slices}",
            model.score(Xt, yt),
            seconds,
        )
    search = GridSearchCV(
        DomainAdaptation(SlicedTransport(random_state=0), classifier()),
        {"transport__n_slices": N_SLICES_GRID},
        scoring=transported_source_scorer,
        cv=KFold(3, shuffle=True, random_state=0),
    )
    start = time.perf_counter()
    search.fit(Xs, ys, target=TargetSample(Xt))
    seconds = time.perf_counter() - start
    row(
        "  GridSearchCV(transported_source_scorer)",
        f"-> n_slices={search.best_params_['transport__n_slices']}",
        search.best_estimator_.score(Xt, yt),
        seconds,
        "(whole search)",
    )


def sinkhorn_search(Xs, ys, Xt, yt, label):
    search = GridSearchCV(
        DomainAdaptation(SinkhornTransport(random_state=0), classifier()),
        {"transport__reg": REG_GRID},
        scoring=transported_source_scorer,
        cv=KFold(3, shuffle=True, random_state=0),
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported in the rows above
        search.fit(Xs, ys, target=TargetSample(Xt))
    seconds = time.perf_counter() - start
    best = search.best_params_["transport__reg"]
    row(label, f"-> reg={best:g}", search.best_estimator_.score(Xt, yt), seconds, "(whole search)")
    return best, search.best_estimator_.score(Xt, yt)


def _warning_note(caught):
    """The first warning an anchor raised, shortened, for the note column."""
    if not caught:
        return ""
    message = str(caught[0].message).split(".")[0].split("\n")[0][:60]
    return f"({caught[0].category.__name__}: {message})"


def pot_rows(Xs, ys, Xt, yt):
    def fit(transport):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            transport.fit(Xs=Xs, Xt=Xt)
            moved = transport.transform(Xs=Xs)
        if not np.all(np.isfinite(moved)):
            return None, "(NaN in the transported source)"
        return classifier().fit(moved, ys), _warning_note(caught)

    for reg in REG_GRID:
        seconds, (model, note) = timed(lambda r=reg: fit(ot.da.SinkhornTransport(reg_e=r)))
        row(
            "POT ot.da.SinkhornTransport",
            f"reg_e={reg:g}",
            None if model is None else model.score(Xt, yt),
            seconds,
            note,
        )
    seconds, (model, note) = timed(lambda: fit(ot.da.EMDTransport()))
    row("POT ot.da.EMDTransport", "-", model.score(Xt, yt), seconds, note)


def skada_rows(Xs, ys, Xt, yt):
    X = np.vstack([Xs, Xt])
    y = np.concatenate([ys, yt])  # target labels are masked by make_da_pipeline
    domain = np.concatenate([np.ones(len(Xs), int), -2 * np.ones(len(Xt), int)])
    target_domain = -2 * np.ones(len(Xt), int)

    def fit(adapter):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = make_da_pipeline(adapter, classifier()).fit(X, y, sample_domain=domain)
        return model, _warning_note(caught)

    def score(model):
        return float(np.mean(model.predict(Xt, sample_domain=target_domain) == yt))

    for reg in REG_GRID:
        seconds, (model, note) = timed(lambda r=reg: fit(EntropicOTMappingAdapter(reg_e=r)))
        row("skada EntropicOTMappingAdapter", f"reg_e={reg:g}", score(model), seconds, note)
    seconds, (model, note) = timed(lambda: fit(OTMappingAdapter()))
    row("skada OTMappingAdapter", "-", score(model), seconds, note)
    seconds, (model, note) = timed(lambda: fit(LinearOTMappingAdapter()))
    row("skada LinearOTMappingAdapter", "-", score(model), seconds, note)


def main():
    print("Domain adaptation: SVC() trained on transported source, accuracy on target")
    print(
        f"skcolorot {skcolorot.__version__}, POT {ot.__version__}, skada "
        f"{skada.__version__}, scikit-learn {sklearn.__version__}, numpy "
        f"{np.__version__}, Python {platform.python_version()}"
    )
    print("time: fit (transport + source mapping + classifier), seconds, best of 3, 1 BLAS thread")
    print("routing: off for skcolorot and POT rows, on for skada rows and the row marked so")
    for name, make in DATASETS:
        Xs, ys, Xt, yt = make()
        print()
        print(f"== {name}: {len(Xs)} source / {len(Xt)} target samples, {Xs.shape[1]} features ==")
        print(f"{'method':<46} {'param':<16} {'target acc':>10} {'time (s)':>9}")
        with sklearn.config_context(enable_metadata_routing=False):
            no_adaptation(Xs, ys, Xt, yt)
            skcolorot_rows(Xs, ys, Xt, yt)
            pot_rows(Xs, ys, Xt, yt)
        with sklearn.config_context(enable_metadata_routing=True):
            sinkhorn_search(Xs, ys, Xt, yt, "  skcolorot Sinkhorn GridSearchCV, routing on")
            skada_rows(Xs, ys, Xt, yt)


if __name__ == "__main__":
    with threadpool_limits(limits=1, user_api="blas"):
        main()
