"""
=========================================
Masks: grade a region, from a region
=========================================

Three masks steer a transfer, all of them per pixel:

* ``target_mask``: which pixels of the reference give the colours (here: only
  the flower's petals, not its green background);
* ``source_mask``: which pixels of the photo set the grade (the fit sees only
  them; the grade still applies everywhere);
* ``mask``: where the grade applies, a spatial strength in [0, 1] (``0`` leaves
  a pixel exactly as it was, soft edges blend).

An alpha channel works like ``source_mask`` / ``target_mask`` on its own image:
transparent pixels do not count in the fit.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.ndimage import gaussian_filter
from sklearn.datasets import load_sample_image

from skcolorot import transfer

photo = load_sample_image("china.jpg")[::2, ::2]
reference = load_sample_image("flower.jpg")[::2, ::2]

# The petals: the reddest pixels of the reference.
red = reference[..., 0].astype(float) - reference[..., 1]
petals = (red > np.percentile(red, 70)) & (reference.max(axis=-1) > 120)

# Where to grade: the sky, softened at its edge (bright, low-saturation pixels).
value = photo.max(axis=-1).astype(float)
sky = (value > 200) & (np.ptp(photo, axis=-1) < 40)
sky[photo.shape[0] // 2 :] = False
soft_sky = np.clip(gaussian_filter(sky.astype(float), 4) * 1.5, 0, 1)

whole = transfer(photo, reference)
from_petals = transfer(photo, reference, target_mask=petals)
sky_only = transfer(photo, reference, target_mask=petals, mask=soft_sky)

# %%
fig, axes = plt.subplots(2, 3, figsize=(11, 5.5))
panels = [
    (photo, "photo"),
    (reference, "reference"),
    (np.where(petals[..., None], reference, 255), "target_mask: petals"),
    (whole, "transfer(photo, reference)"),
    (from_petals, "... target_mask=petals"),
    (sky_only, "... and mask=soft sky"),
]
for axis, (image, title) in zip(axes.ravel(), panels):
    axis.imshow(image)
    axis.set_title(title, fontsize=9)
    axis.axis("off")
fig.tight_layout()
plt.show()

# %%
# Outside the mask the photo is untouched, to the bit:
outside = soft_sky == 0
print("unchanged outside the mask:", bool(np.array_equal(sky_only[outside], photo[outside])))
