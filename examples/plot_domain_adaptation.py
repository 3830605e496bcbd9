"""
=================================================
Domain adaptation: train on transported features
=================================================

A classifier trained on one domain (the *source*, labelled) often fails on
another (the *target*, unlabelled) whose features are shifted. Optimal-transport
domain adaptation (Courty et al., 2017) moves the source samples onto the target
distribution and trains the classifier there; target samples are then predicted
as they are.

:class:`~skcolorot.DomainAdaptation` does this with any skcolorot transport, on
features of any dimension, as a scikit-learn meta-estimator: its transport's
parameters are tuned by :class:`~sklearn.model_selection.GridSearchCV` as
``transport__reg`` or ``transport__n_slices``, with label-free criteria, and
``DomainAdaptation("auto", ...)`` chooses the transport, or no adaptation, in
one call.
"""

# %%
# Two domains: the target moons are rotated
# -----------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from skcolorot import (
    AffineTransport,
    CombinedScorer,
    DomainAdaptation,
    SinkhornTransport,
    TargetSample,
    transported_source_scorer,
)

Xs, ys = make_moons(300, noise=0.1, random_state=0)
X_moons, yt = make_moons(300, noise=0.1, random_state=1)
angle = np.deg2rad(50)
rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
centre = np.array([0.5, 0.25])
Xt = (X_moons - centre) @ rotation.T + centre  # yt is only used to score

# %%
# Without adaptation
# ------------------
# An SVC trained on the source draws its boundary where the source classes are,
# which cuts through the rotated target moons.
baseline = SVC().fit(Xs, ys)
print(f"no adaptation: target accuracy {baseline.score(Xt, yt):.2f}")

# %%
# With a transport
# ----------------
# ``fit(X_source, y_source, target=X_target)`` fits the transport from the source
# to the target sample, moves the source samples and trains the SVC on them.
# ``predict`` and ``score`` take target samples unchanged. ``reg`` is relative to
# the median squared distance between the domains (``cost_scale="median"``).
# The target has as many rows as the source here: wrapped in
# :class:`~skcolorot.TargetSample` (see below why; fit warns otherwise).
model = DomainAdaptation(SinkhornTransport(reg=1.0, random_state=0), SVC())
model.fit(Xs, ys, target=TargetSample(Xt))
print(f"DomainAdaptation(SinkhornTransport): target accuracy {model.score(Xt, yt):.2f}")

moved = model.transport_source(Xs)
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharex=True, sharey=True, layout="constrained")
panels = [
    (axes[0], baseline, Xs, ys, "source, SVC on source"),
    (axes[1], model.estimator_, moved, ys, "transported source, SVC on it"),
    (axes[2], model.estimator_, Xt, yt, "target (true labels), adapted SVC"),
]
for ax, classifier, X, y, title in panels:
    DecisionBoundaryDisplay.from_estimator(
        classifier,
        np.vstack([Xs, Xt]),
        ax=ax,
        alpha=0.25,
        cmap="coolwarm",
        response_method="predict",
    )
    ax.scatter(*X.T, c=y, s=8, cmap="coolwarm", edgecolors="none")
    ax.set_title(title, fontsize=10)
axes[0].scatter(*Xt.T, c="0.5", s=4, alpha=0.4, label="target (unlabelled)")
axes[0].legend(loc="lower left", fontsize=8)

# %%
# Why not a Pipeline?
# -------------------
# ``make_pipeline(transport, SVC())`` fits the same way, but at predict time the
# Pipeline sends the *target* samples through the transport too, moving samples
# that already live in the target domain. With a translated target the damage is
# plain: the Pipeline shifts the target samples a second time.
Xt_shifted = X_moons + [2.0, 1.0]
adapted = DomainAdaptation(AffineTransport(), SVC())
adapted.fit(Xs, ys, target=TargetSample(Xt_shifted))
pipe = make_pipeline(AffineTransport(), SVC()).fit(Xs, ys, affinetransport__target=Xt_shifted)
print(
    f"translated target: DomainAdaptation {adapted.score(Xt_shifted, yt):.2f}, "
    f"Pipeline {pipe.score(Xt_shifted, yt):.2f}"
)

# %%
# Choosing ``reg`` without target labels
# --------------------------------------
# In a grid search the held-out folds are *source* samples. Which scoring to use:
#
# * the default (:meth:`~skcolorot.DomainAdaptation.score`) scores them as if they were
#   target samples: not target accuracy, don't tune with it;
# * :func:`~skcolorot.transported_source_scorer` scores them after the fitted
#   transport moved them: it rejects transports that mix the classes but
#   favours weak transports;
# * :class:`~skcolorot.CombinedScorer` (circular validation + target neighbour
#   consistency, see :mod:`skcolorot.da._scoring`) adapts back from the
#   pseudo-labelled target and checks that target neighbours share labels;
# * target accuracy needs target labels: here we use it only to show the truth.
#
# ``target=`` has as many rows as ``X`` here, so cross-validation would cut it
# with ``X``'s folds: :class:`~skcolorot.TargetSample` keeps it whole.
regs = [0.01, 0.1, 1.0, 10.0]
curves = {}
scorings = [("transported source", transported_source_scorer), ("combined", CombinedScorer())]
for name, scoring in scorings:
    search = GridSearchCV(
        DomainAdaptation(SinkhornTransport(random_state=0), SVC()),
        {"transport__reg": regs},
        scoring=scoring,
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(Xs, ys, target=TargetSample(Xt))
    curves[name] = search.cv_results_["mean_test_score"]
    print(
        f"{name}: chose reg={search.best_params_['transport__reg']:g}, "
        f"target accuracy {search.best_estimator_.score(Xt, yt):.2f}"
    )

target_accuracy = [
    DomainAdaptation(SinkhornTransport(reg=reg, random_state=0), SVC())
    .fit(Xs, ys, target=TargetSample(Xt))
    .score(Xt, yt)
    for reg in regs
]
fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
for name, curve in curves.items():
    ax.plot(regs, curve, "o-", label=f"{name} (CV, no target labels)")
ax.plot(regs, target_accuracy, "s--", label="target accuracy (uses target labels)")
ax.set_xscale("log")
ax.set_xlabel("transport__reg (relative)")
ax.set_ylabel("score")
ax.legend(fontsize=8)
plt.show()

# %%
# One call: ``transport="auto"``
# ------------------------------
# ``DomainAdaptation("auto", SVC())`` fits no adaptation, the affine map,
# Sinkhorn at four relative ``reg`` and the label-aware transport, scores each
# with the combined criterion and keeps the best, or no adaptation unless the
# best beats it by ``margin``.
auto = DomainAdaptation("auto", SVC(), random_state=0).fit(Xs, ys, target=TargetSample(Xt))
for name, score in auto.selection_scores_:
    print(f"  {name:<45} {score:.3f}")
print(f"auto chose {auto.selected_transport_}: target accuracy {auto.score(Xt, yt):.2f}")

# %%
# Metadata routing
# ----------------
# Everything above runs with scikit-learn's default configuration. With metadata
# routing on (``sklearn.set_config(enable_metadata_routing=True)``, which
# importing skada does for the whole process), the same calls work unchanged:
# ``DomainAdaptation`` requests ``target`` by default.
