"""
=========================================
Tuning a transport with GridSearchCV
=========================================

Every transport has a ``score``: minus the sliced Wasserstein-2 distance between
the transported held-out source colours and held-out target colours. So
scikit-learn's :class:`~sklearn.model_selection.GridSearchCV` tunes the entropic
``reg`` of :class:`~skcolorot.SinkhornTransport` or the ``n_slices`` of
:class:`~skcolorot.SlicedTransport` with its default scoring.

Cross-validation splits ``X`` and ``y`` with the same indices, so we give it two
equal-size, shuffled pixel samples drawn with :func:`skcolorot.sample_pixels`:
every fold is then a random sub-sample of both colour distributions.
"""

# %%
# Pixel samples of the two photographs
# ------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_sample_image
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skcolorot import (
    Regrainer,
    SinkhornTransport,
    SlicedTransport,
    sample_pixels,
    sliced_wasserstein_scorer,
)

source = load_sample_image("china.jpg")[::2, ::2]
target = load_sample_image("flower.jpg")[::2, ::2]
source_pixels, target_pixels = sample_pixels(source, target, n_samples=3000, random_state=0)
print(source_pixels.shape, source_pixels.dtype)

# %%
# The entropic regularisation of Sinkhorn
# ---------------------------------------
# A small ``reg`` is close to exact optimal transport (sharp, but noisier from a
# finite sample); a large one blurs every colour towards the target's mean. The
# held-out score finds the balance. ``sliced_wasserstein_scorer`` is the same
# criterion as a scorer, for ``cross_validate`` or ``scoring=``.
regs = [3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
# At the smallest values Sinkhorn stops at max_iter slightly above its tolerance
# (a ConvergenceWarning); the maps are still usable, so we silence it here.
warnings.simplefilter("ignore", ConvergenceWarning)
sinkhorn_search = GridSearchCV(
    SinkhornTransport(n_samples=500, random_state=0), {"reg": regs}, cv=3
).fit(source_pixels, target_pixels)
print("best reg:", sinkhorn_search.best_params_["reg"])
print(
    "same with the scorer:",
    np.allclose(
        GridSearchCV(
            SinkhornTransport(n_samples=500, random_state=0),
            {"reg": regs},
            cv=3,
            scoring=sliced_wasserstein_scorer,
        )
        .fit(source_pixels, target_pixels)
        .cv_results_["mean_test_score"],
        sinkhorn_search.cv_results_["mean_test_score"],
    ),
)

# %%
# The number of directions of the sliced transport
# ------------------------------------------------
# :class:`~skcolorot.SlicedTransport` moves the colours along ``n_slices`` random
# directions per iteration. One direction per step is not enough in three
# dimensions within a few iterations; more directions per step converge faster.
slices = [1, 2, 3, 6, 12]
sliced_search = GridSearchCV(
    SlicedTransport(n_iter=5, random_state=0), {"n_slices": slices}, cv=3
).fit(source_pixels, target_pixels)
print("best n_slices:", sliced_search.best_params_["n_slices"])

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
for ax, search, values, name in [
    (axes[0], sinkhorn_search, regs, "reg"),
    (axes[1], sliced_search, slices, "n_slices"),
]:
    mean = -search.cv_results_["mean_test_score"]
    std = search.cv_results_["std_test_score"]
    ax.errorbar(values, mean, yerr=std, marker="o", capsize=3)
    ax.set_xscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel("held-out sliced W2 (lower is better)")
axes[0].set_title("SinkhornTransport")
axes[1].set_title("SlicedTransport (n_iter=5)")

# %%
# Apply the best transport to the image, then regrain
# ---------------------------------------------------
# The :class:`~skcolorot.Regrainer` needs whole images (it filters pixel
# neighbourhoods), so it has no place in a search over pixel samples: tune the
# transport on samples, then put the tuned transport in front of the Regrainer
# and fit that Pipeline on the images.
best = sliced_search.best_estimator_
pipe = make_pipeline(best, Regrainer()).fit(source, target)
result = pipe.transform(source)

fig, axes = plt.subplots(1, 3, figsize=(10, 3), layout="constrained")
for ax, image, title in zip(
    axes,
    [source, target, result],
    ["source", "target", f"sliced, n_slices={best.n_slices}, regrained"],
    strict=True,
):
    ax.imshow(image)
    ax.set_title(title)
    ax.axis("off")
plt.show()
