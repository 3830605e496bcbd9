"""
=======================================
Export the grade as a 3D LUT for ffmpeg
=======================================

A fitted colour transport is a function of the colour alone, so it can be
tabulated once on a grid of colours: a 3D LUT. Written as an Adobe/Resolve
``.cube`` file, the same grade runs in ffmpeg (``-vf lut3d=grade.cube``),
DaVinci Resolve, Photoshop or OBS, on any number of frames, without Python.
The same table is what ``transform`` uses internally for large images.
"""

# %%
# Fit, then write the ``.cube``
# -----------------------------
import os
import shutil
import subprocess
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

from skcolorot import SlicedTransport
from skcolorot import apply_lut, read_cube

source = load_sample_image("china.jpg")[::2, ::2]
target = load_sample_image("flower.jpg")[::2, ::2]
grade = SlicedTransport(random_state=0).fit(source, target)

folder = tempfile.mkdtemp()
cube = os.path.join(folder, "grade.cube")
grade.to_cube(cube, size=33, title="china -> flower")
with open(cube) as stream:
    print("".join(stream.readlines()[:6]))

# %%
# Apply the table
# ---------------
# :func:`~skcolorot.read_cube` gives the table back and
# :func:`~skcolorot.color._lut.apply_lut` interpolates it trilinearly at every pixel
# (through Pillow's ``Color3DLUT`` for 8-bit images), as ffmpeg's ``lut3d``
# does. For images larger than ``lut_size**3`` pixels ``transform`` goes
# through the same table. A table approximates the map between its nodes: the
# sharper the map, the more nodes it needs (``.cube`` files commonly hold 33 or
# 65 per axis).
table = read_cube(cube)
through_lut = apply_lut(source, table)
exact = grade.set_params(lut_size=None).transform(source)  # every pixel mapped exactly
grade.set_params(lut_size=33)
for size in (17, 33, 65):
    difference = np.abs(apply_lut(source, grade.to_lut(size)).astype(int) - exact)
    print(f"{size:2d}^3 LUT vs exact map: mean {difference.mean():.2f}, 99th percentile "
          f"{np.percentile(difference, 99):.0f} levels of 255")

# %%
# The same grade in ffmpeg
# ------------------------
# On the command line (``skcolorot lut photo.jpg look.jpg -o grade.cube`` writes
# the file)::
#
#     ffmpeg -i clip.mp4 -vf lut3d=file=grade.cube:interp=trilinear graded.mp4
#
# Here ffmpeg (when installed) grades a PNG of the source with the file.
ffmpeg = shutil.which("ffmpeg")
if ffmpeg is not None:
    frame = os.path.join(folder, "frame.png")
    graded = os.path.join(folder, "graded.png")
    Image.fromarray(source).save(frame)
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-i", frame,
         "-vf", f"lut3d=file={cube}:interp=trilinear", graded],
        check=True,
    )
    by_ffmpeg = np.asarray(Image.open(graded).convert("RGB"))
    gap = np.abs(by_ffmpeg.astype(int) - through_lut.astype(int))
    print(f"ffmpeg vs apply_lut: at most {gap.max()} level(s) apart")
else:
    by_ffmpeg = through_lut
    print("ffmpeg is not installed: showing apply_lut's result in its place")

fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
for ax, image, title in zip(
    axes, (source, through_lut, by_ffmpeg), ("source", "apply_lut(grade.cube)", "ffmpeg lut3d")
):
    ax.imshow(image)
    ax.set_title(title)
    ax.set_axis_off()

# %%
# What the table looks like
# -------------------------
# One slice of the 33 x 33 x 33 table: output colours for all red and green
# inputs at a fixed blue. The identity would be a smooth red-green gradient.
fig, axes = plt.subplots(1, 2, figsize=(8, 3.8), layout="constrained")
axes[0].imshow(np.clip(np.swapaxes(table[:, :, 16], 0, 1), 0, 1), origin="lower")
axes[0].set_title("grade, blue = 0.5")
identity = np.stack(np.meshgrid(np.linspace(0, 1, 33), np.linspace(0, 1, 33), 0.5), -1)[..., 0, :]
axes[1].imshow(identity, origin="lower")
axes[1].set_title("identity, blue = 0.5")
for ax in axes:
    ax.set_xlabel("red in")
    ax.set_ylabel("green in")

shutil.rmtree(folder)
plt.show()
