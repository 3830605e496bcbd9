"""
===================================
Toning a black-and-white photograph
===================================

A grayscale image has no colour distribution to transport: every pixel lies on
the gray axis. What a colour reference can give it is a *toning*.
:func:`~skcolorot.tone_grayscale` matches the lightness (CIELab L*) of the gray
image to the reference's, then gives each pixel the reference's mean colour
(a*, b*) at that lightness: shadows take the colour of the reference's shadows,
highlights that of its highlights. ``skcolorot transfer`` does this on its own
when the source is gray.
"""

# %%
# A gray photograph and two references
# ------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_sample_image

from skcolorot import tone_grayscale

china = load_sample_image("china.jpg")[::2, ::2]
gray = np.round(china @ [0.2126, 0.7152, 0.0722]).astype(np.uint8)  # a B&W print
flower = load_sample_image("flower.jpg")[::2, ::2]

# A split-tone reference: cool shadows, warm highlights.
ramp = np.linspace(0, 1, 256)[:, None]
cool, warm = np.array([30, 60, 110]), np.array([255, 225, 170])
split = np.clip(ramp * np.where(ramp < 0.5, cool * 2, warm), 0, 255)
split = np.repeat(split[:, None, :], 32, axis=1).astype(np.uint8)

# %%
# The toned prints
# ----------------
# ``t`` scales the toning, from the gray original (0) to the full map (1).
results = [
    ("gray source", gray, "gray"),
    ("toned like flower.jpg", tone_grayscale(gray, flower), None),
    ("split tone", tone_grayscale(gray, split), None),
    ("split tone, t=0.5", tone_grayscale(gray, split, t=0.5), None),
]
fig, axes = plt.subplots(1, 4, figsize=(12, 2.6))
for ax, (title, image, cmap) in zip(axes, results):
    ax.imshow(image, cmap=cmap, vmin=0, vmax=255)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
