"""
=====================================================
If you see this, try that: artefacts and their cures
=====================================================

A colour transfer can look right on average and still be a picture nobody
keeps: a smooth sky that comes out in two colours, a glow round dark objects on
a bright background, texture gone soft, noise blown up. :mod:`skcolorot.metrics`
measures each of these at 1:1 against the source, and every one has an option
that trades a little colour fidelity for it:

- one smooth region comes out in two colours
  (:func:`~skcolorot.metrics.region_splits`): the default ``method="auto"``
  measures this on thumbnails and takes the affine map when the sliced look
  splits and the affine map does not; otherwise try ``method="affine"`` or
  ``slope_range=(0.5, 2)``;
- a glow or dark aura along edges (:func:`~skcolorot.metrics.halo_width`): the
  default look has none (it applies one table to an edge-preserving base of the
  photo); ``regrain="rounds"``, the plain transport-and-regrain rounds, glows;
- soft, hazy texture (:func:`~skcolorot.metrics.haze`): try ``regrain="detail"``
  (the grade at full slope on more of the texture);
- noise or JPEG blocks amplified (:func:`~skcolorot.metrics.flat_noise`): keep
  the default regrain, or ``regrain="detail"``;
- rings in smooth gradients (:func:`~skcolorot.metrics.false_contours`): try
  ``slope_range=(0.5, 2)``;
- a vivid small object goes dull (:func:`~skcolorot.metrics.rare_color_collapse`):
  try ``method="affine"`` or a higher ``intensity``.

``slope_range`` bounds the grade's slope against its monotone affine base (it
cannot fold or split a region more than the bound allows); ``regrain="detail"``
applies one grade at its full slope to an edge-preserving base of the source and
keeps the finer residual's gain bounded, so nothing spreads across an edge.
"""

# %%
# Six ways to grade one photo
# ---------------------------
# The default (``method="auto"``) chooses the affine map here: the sliced look
# paints the hazy sky teal on the left and salmon on the right.
import matplotlib.pyplot as plt
from sklearn.datasets import load_sample_image

from skcolorot import transfer
from skcolorot.metrics import color_fidelity, halo_width, haze, region_splits

source = load_sample_image("china.jpg")[::2, ::2]
target = load_sample_image("flower.jpg")[::2, ::2]

looks = {
    "default": transfer(source, target),
    "sliced": transfer(source, target, method="sliced"),
    'regrain="rounds"': transfer(source, target, method="sliced", regrain="rounds"),
    'regrain="detail"': transfer(source, target, method="sliced", regrain="detail"),
    "slope_range=(0.5, 2)": transfer(
        source, target, regrain="detail", slope_range=(0.5, 2.0)
    ),
    'method="affine"': transfer(source, target, method="affine"),
}

# %%
# The measures, side by side
# --------------------------
# Colour fidelity is how far the result's colours are from the reference's
# (over the untouched source's: lower is closer); the others are artefacts.
for name, image in looks.items():
    splits = region_splits(source, image)
    print(
        f"{name:>22}: fidelity {color_fidelity(image, target, source):.3f}  "
        f"split {100 * splits.score:4.1f} % (worst {splits.worst:4.1f} dE)  "
        f"halo {halo_width(source, image).score:4.1f} px  detail {haze(source, image).score:.2f}"
    )

# %%
# At 1:1
# ------
# The roof line against the sky: look for a glow along the edge and for the
# texture of the tiles.
crop = (slice(40, 140), slice(40, 190))
fig, axes = plt.subplots(2, len(looks) + 1, figsize=(14, 5), layout="constrained")
panels = {"source": source, **looks}
for column, (title, image) in enumerate(panels.items()):
    axes[0, column].imshow(image)
    axes[0, column].set_title(title, fontsize="medium")
    axes[1, column].imshow(image[crop], interpolation="nearest")
for ax in axes.ravel():
    ax.set_axis_off()
plt.show()
