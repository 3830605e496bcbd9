"""How far the LUT path is from exact evaluation, per transport (8-bit levels).

china.jpg tiled 2 x 2 (1.1 MP, so every default ``lut_size`` is used) graded
like flower.jpg; each transport's default LUT result against ``lut_size=None``:
mean / 99.9th percentile / max absolute difference in 8-bit levels, colour
fidelity of both (on the top-left tile), and the transform times.

Run:  python benchmarks/bench_lut_accuracy.py
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_sample_image

import skcolorot
from skcolorot.metrics import color_fidelity

TRANSPORTS = {
    "AffineTransport": lambda: skcolorot.AffineTransport(random_state=0),
    "SinkhornTransport": lambda: skcolorot.SinkhornTransport(random_state=0),
    "SlicedTransport": lambda: skcolorot.SlicedTransport(random_state=0),
    "GMMTransport": lambda: skcolorot.GMMTransport(random_state=0),
}


def main():
    warnings.simplefilter("ignore")
    china = load_sample_image("china.jpg")
    flower = load_sample_image("flower.jpg")
    source = np.tile(china, (2, 2, 1))
    tile = (slice(0, china.shape[0]), slice(0, china.shape[1]))
    print(
        f"{'transport':18s} {'lut_size':>8s} {'mean':>6s} {'p99.9':>6s} {'max':>4s} "
        f"{'fid LUT':>8s} {'fid exact':>9s} {'LUT s':>6s} {'exact s':>8s}"
    )
    for name, make in TRANSPORTS.items():
        model = make().fit(source, flower)
        start = time.perf_counter()
        lut = model.transform(source)
        lut_s = time.perf_counter() - start
        size = model.lut_size
        model.set_params(lut_size=None)
        start = time.perf_counter()
        exact = model.transform(source)
        exact_s = time.perf_counter() - start
        diff = np.abs(lut.astype(int) - exact.astype(int))
        print(
            f"{name:18s} {size:8d} {diff.mean():6.2f} {np.percentile(diff, 99.9):6.0f} "
            f"{diff.max():4d} {color_fidelity(lut[tile], flower, china):8.3f} "
            f"{color_fidelity(exact[tile], flower, china):9.3f} {lut_s:6.2f} {exact_s:8.2f}"
        )


if __name__ == "__main__":
    main()
