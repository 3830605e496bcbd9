"""
=====================================================
Exact versus entropic plans, and their interpolations
=====================================================

:class:`~skcolorot.EMDTransport` solves optimal transport exactly, as a linear
program (``ot.emd``): its plan is sparse, at most ``n + m - 1`` pairs, and with
equal uniform samples it is a permutation. :class:`~skcolorot.SinkhornTransport`
adds an entropic penalty ``reg``: its plan is dense and blurred, every point
sends a little mass everywhere nearby.

A discrete plan can be moved along in two ways, which
``interpolate_samples(t, kind=...)`` returns as weighted particles:

* ``kind="plan"`` moves the Diracs (McCann's interpolation of the coupling):
  each pair ``(i, j)`` is a particle of mass ``P_ij`` travelling from ``x_i``
  to ``y_j``. At ``t = 1`` it is exactly the target sample, for either plan;
* ``kind="barycentric"`` moves each source point, whole, to the mean of its
  partners, ``T(x_i) = sum_j P_ij y_j / a_i``. For the exact plan of equal
  samples that is the same thing; an entropic plan averages over many
  partners, and the cloud arrives contracted towards the target's centre.

Small 2-D point clouds make the difference visible.
"""

# %%
# Two point clouds and their plans
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

from skcolorot import EMDTransport, SinkhornTransport

rng = np.random.default_rng(0)
source = rng.normal(size=(40, 2)) * 0.25 + [-1.5, 0.0]
target, _ = make_moons(40, noise=0.05, random_state=0)

emd = EMDTransport(n_samples=None).fit(source, target)
sinkhorn = SinkhornTransport(reg=0.05, n_samples=None).fit(source, target)

fig, axes = plt.subplots(1, 2, figsize=(9, 2.6), layout="constrained", sharey=True)
panels = ((axes[0], emd, "EMD (exact LP)"), (axes[1], sinkhorn, "Sinkhorn, reg=0.05"))
for ax, model, title in panels:
    plan = model.coupling_
    rows, cols = np.nonzero(plan > 1e-4 * plan.max())
    for i, j in zip(rows, cols):
        ax.plot(
            *np.transpose([source[i], target[j]]),
            color="0.3",
            alpha=min(1.0, plan[i, j] / plan.max()),
            linewidth=0.8,
        )
    ax.scatter(*source.T, s=18, color="tab:blue", label="source", zorder=3)
    ax.scatter(*target.T, s=18, color="tab:red", label="target", zorder=3)
    ax.set_title(f"{title}: {len(rows)} pairs")
    ax.set_aspect("equal")
axes[0].legend(loc="lower left")

# %%
# Moving the Diracs versus the barycentric map
# --------------------------------------------
# Particles at ``t = 0, 0.25, 0.5, 0.75, 1``, their area proportional to their
# mass. With the exact plan both interpolations are the same path. With the
# entropic plan, moving the Diracs spreads each point over its many partners
# (and still ends on the target), while the barycentric map keeps one point
# per source point and ends short of the moons, in their blurred average.
ts = (0.0, 0.25, 0.5, 0.75, 1.0)
colours = plt.cm.viridis(np.linspace(0, 1, len(ts)))
fig, axes = plt.subplots(2, 2, figsize=(9, 4.4), layout="constrained", sharex=True, sharey=True)
for row, (model, name) in enumerate(((emd, "EMD"), (sinkhorn, "Sinkhorn"))):
    for col, kind in enumerate(("plan", "barycentric")):
        ax = axes[row, col]
        for t, colour in zip(ts, colours):
            points, weights = model.interpolate_samples(t, kind=kind)
            ax.scatter(*points.T, s=800 * weights, color=colour, label=f"t={t:g}")
        ax.scatter(*target.T, s=4, color="black", marker="x", linewidths=0.5)
        ax.set_title(f"{name}, kind={kind!r}")
        ax.set_aspect("equal")
axes[0, 0].legend(loc="lower left", fontsize="small", markerscale=0.5)

plt.show()
