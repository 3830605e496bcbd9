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
``transport__reg`` or ``transport__n_slices``.
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

from skcolorot import AffineTransport, SinkhornTransport
from skcolorot.domain import DomainAdaptation, TargetSample, transported_source_scorer

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
# ``predict`` and ``score`` take target samples unchanged.
model = DomainAdaptation(SinkhornTransport(reg=1.0, random_state=0), SVC())
model.fit(Xs, ys, target=Xt)
print(f"DomainAdaptation(SinkhornTransport): target accuracy {model.score(Xt, yt):.2f}")

moved = model.transport_.transform(Xs)
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
adapted = DomainAdaptation(AffineTransport(), SVC()).fit(Xs, ys, target=Xt_shifted)
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
# * :func:`~skcolorot.domain.transported_source_scorer` scores them after the
#   fitted transport moved them: it needs no target labels and rejects transports
#   that mix the classes (a large ``reg`` pulls every point towards the target
#   mean: see how the transported source above is already shrunk at ``reg=1``);
# * target accuracy needs target labels: here we use it only to show the truth.
#
# ``target=`` has as many rows as ``X`` here, so cross-validation would cut it
# with ``X``'s folds: :class:`~skcolorot.domain.TargetSample` keeps it whole.
regs = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
search = GridSearchCV(
    DomainAdaptation(SinkhornTransport(random_state=0), SVC()),
    {"transport__reg": regs},
    scoring=transported_source_scorer,
    cv=KFold(3, shuffle=True, random_state=0),
).fit(Xs, ys, target=TargetSample(Xt))
best_reg = search.best_params_["transport__reg"]
print(f"chosen reg={best_reg:g}: target accuracy {search.best_estimator_.score(Xt, yt):.2f}")

target_accuracy = [
    DomainAdaptation(SinkhornTransport(reg=reg, random_state=0), SVC())
    .fit(Xs, ys, target=Xt)
    .score(Xt, yt)
    for reg in regs
]
fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.plot(regs, search.cv_results_["mean_test_score"], "o-", label="transported source (CV)")
ax.plot(regs, target_accuracy, "s--", label="target (uses target labels)")
ax.axvline(best_reg, color="0.6", lw=1)
ax.set_xscale("log")
ax.set_xlabel("transport__reg")
ax.set_ylabel("accuracy")
ax.legend()
plt.show()

# %%
# Metadata routing
# ----------------
# Everything above runs with scikit-learn's default configuration. With metadata
# routing on (``sklearn.set_config(enable_metadata_routing=True)``, which
# importing skada does for the whole process), the same calls work unchanged:
# ``DomainAdaptation`` requests ``target`` by default.
