"""
===============================================
Blending several looks: Wasserstein barycentres
===============================================

To give a photograph a mix of several references' colours, transport it to
their *Wasserstein barycentre*: the colour distribution ``mu`` that minimises
``sum_k w_k W2^2(mu, nu_k)`` for weights ``w_k``. It is a blend of the
distributions, not of the pixels: with two references it is the point at
``w_2`` on the displacement interpolation from the first to the second, and a
weight of one gives that reference back.

:func:`skcolorot.barycenter` returns a colour sample of the barycentre, to use
as the target of any transport; :func:`skcolorot.transfer` takes a list of
references and ``weights`` directly (``skcolorot transfer SRC REF1 REF2
--weights 0.3 0.7`` on the command line).
"""

# %%
# Three references
# ----------------
# The source is scikit-learn's ``china.jpg``; the references are its
# ``flower.jpg`` and scikit-image's ``coffee`` and ``rocket`` photographs.
import matplotlib.pyplot as plt
import numpy as np
from skimage import data
from sklearn.datasets import load_sample_image

from skcolorot import barycenter, transfer

source = load_sample_image("china.jpg")[::4, ::4]
references = [
    load_sample_image("flower.jpg")[::4, ::4],
    data.coffee()[::3, ::3],
    data.rocket()[::3, ::3],
]
names = ["flower", "coffee", "rocket"]

fig, axes = plt.subplots(1, 4, figsize=(10, 2.2), layout="constrained")
for ax, image, name in zip(axes, [source, *references], ["source", *names]):
    ax.imshow(image)
    ax.set_title(name)
    ax.set_axis_off()

# %%
# A weight slider
# ---------------
# The weights travel around the triangle of the three references: from the
# flower, through blends, to the coffee, the rocket and back. Each frame is one
# :func:`~skcolorot.transfer` call with that weight vector (sliced transport to
# the sliced barycentre).
weight_path = [
    (1, 0, 0),
    (0.5, 0.5, 0),
    (0, 1, 0),
    (0, 0.5, 0.5),
    (0, 0, 1),
    (1 / 3, 1 / 3, 1 / 3),
]
fig, axes = plt.subplots(1, len(weight_path), figsize=(12, 2.4), layout="constrained")
for ax, weights in zip(axes, weight_path):
    ax.imshow(transfer(source, references, weights=weights, method="sliced"))
    ax.set_title(" / ".join(f"{w:.2g}" for w in weights), fontsize="small")
    ax.set_axis_off()
fig.suptitle("weights of (flower, coffee, rocket)")

# %%
# The barycentre's colours
# ------------------------
# The barycentre is a colour distribution; :func:`~skcolorot.barycenter`
# computes it in four ways. Shown here as (red, blue) scatter plots of the
# equal-weight barycentre: ``"gaussian"`` matches means and covariances only,
# ``"sliced"`` (the default) and ``"exact"`` (free-support, linear programs)
# the whole distribution, ``"gmm"`` a mixture of Gaussians.
fig, axes = plt.subplots(1, 4, figsize=(11, 2.9), layout="constrained", sharex=True, sharey=True)
for ax, method in zip(axes, ["gaussian", "sliced", "gmm", "exact"]):
    sample = barycenter(references, method=method, n_samples=400, random_state=0)
    ax.scatter(sample[:, 0], sample[:, 2], s=3, c=np.clip(sample, 0, 1))
    ax.set_title(method)
    ax.set_xlabel("red")
axes[0].set_ylabel("blue")

plt.show()
