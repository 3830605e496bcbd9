"""
=====================================
One grade for many frames with Dask
=====================================

Fit a grade once, then apply it to many frames or files in parallel with
`Dask <https://www.dask.org>`_ (``pip install "skcolorot[dask]"``):

* ``transform`` accepts a ``dask.array.Array`` and returns a lazy dask array,
  computed block by block with the fitted transport;
* :func:`skcolorot.io._batch.grade_frames` grades an ``(N, H, W, C)`` stack (and
  regrains it with a halo wide enough for the filter);
* :func:`skcolorot.io._batch.grade_files` reads, grades and writes image files, on
  Dask's local schedulers or a ``dask.distributed`` cluster.

Every frame gets exactly the same grade: the transport is fitted once, shipped
once to each worker, and the dask result equals the in-memory one.
"""

# %%
# A batch of frames as a dask array
# ---------------------------------
# Twelve "frames" made from china.jpg (a slow pan with a slow change of
# exposure), one frame per block.
import os
import shutil
import tempfile

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

from skcolorot import SlicedTransport
from skcolorot.io._batch import grade_files, grade_frames

china = load_sample_image("china.jpg")
target = load_sample_image("flower.jpg")[::2, ::2]


def make_frame(index):
    window = china[:, 14 * index : 14 * index + 480][::2, ::2]  # 214 x 240 pixels
    gain = 0.92 + 0.012 * index
    return np.clip(window * gain, 0, 255).astype(np.uint8)


frames = np.stack([make_frame(i) for i in range(12)])
lazy_frames = da.from_array(frames, chunks=(1, -1, -1, -1))
print(lazy_frames)

# %%
# Fit once, grade lazily
# ----------------------
# The grade is fitted on the first frame. ``transform`` on a dask array builds
# a graph and returns at once; nothing is computed until ``compute``.
grade = SlicedTransport(random_state=0).fit(frames[0], target)
graded = grade.transform(lazy_frames)
print(type(graded).__name__, graded.shape, graded.dtype, graded.chunks[0])

result = graded.compute(scheduler="threads")
print("equal to the in-memory transform:", np.array_equal(result, grade.transform(frames)))

# %%
# With regraining: the Regrainer's guided filter looks at a neighbourhood, so
# :func:`~skcolorot.io._batch.grade_frames` runs it with ``dask.array.map_overlap``
# and a halo as wide as the filter reaches, here on blocks of a quarter frame.
quarters = da.from_array(frames, chunks=(1, 107, 120, 3))
regrained = grade_frames(grade, quarters, regrain=True).compute(scheduler="threads")

fig, axes = plt.subplots(3, 4, figsize=(12, 6), layout="constrained")
for ax, frame, index in zip(axes.ravel(), regrained, range(12)):
    ax.imshow(frame)
    ax.set_title(f"frame {index}", fontsize="small")
    ax.set_axis_off()

# %%
# Files, in parallel
# ------------------
# :func:`~skcolorot.io._batch.grade_files` reads each file with Pillow, grades it
# with the fitted transport and writes it atomically under the same name in the
# output directory. It refuses to replace existing files unless
# ``overwrite=True``, and checks that before grading anything.
folder = tempfile.mkdtemp()
paths = []
for index, frame in enumerate(frames[:4]):
    path = os.path.join(folder, f"frame_{index:03d}.png")
    Image.fromarray(frame).save(path)
    paths.append(path)

written = grade_files(grade, paths, os.path.join(folder, "graded"),
                      scheduler="threads", progress=False)
print([os.path.relpath(path, folder) for path in written])

# %%
# On a cluster
# ------------
# With a ``dask.distributed`` client, the transport is scattered once to every
# worker and the files are graded with ``client.map``. Here an in-process
# cluster, to keep this page quick; ``LocalCluster(n_workers=4,
# threads_per_worker=1)`` (processes) or a real cluster work the same way, as
# does ``client.compute(graded)`` for the lazy arrays above.
from distributed import Client, LocalCluster

with LocalCluster(n_workers=1, processes=False, threads_per_worker=2,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    written = grade_files(grade, paths, os.path.join(folder, "graded"),
                          client=client, overwrite=True, progress=False)
print(len(written), "files written")

shutil.rmtree(folder)
plt.show()
