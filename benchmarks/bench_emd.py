"""EMDTransport: the bandwidth trade-off, the LP's cost, and barycentre times.

1. For each ``bandwidth``, on china.jpg -> flower.jpg and back: colour
   fidelity (sliced W2 in Lab to the target / same for the source; lower is
   better), luminance SSIM, local amplification (p99 / p99.9 of
   ``|T(x + d) - T(x)| / |d|``, ``|d| = 2/255``, over 3000 of the source's own
   colours), the mean distance of the smoothed map from the in-sample
   barycentric map on the fitted points (RGB units), the mean 8-bit difference
   between two ``random_state``s, and fit / transform times.
2. ``ot.emd`` time against ``n_samples``, dense and on the multiscale route.
3. ``barycenter`` time per method, three references.

Run:  python benchmarks/bench_emd.py
"""

import time

import numpy as np
import ot
from skimage import data
from sklearn.datasets import load_sample_image

from skcolorot import EMDTransport, barycenter
from skcolorot.metrics import color_fidelity, luminance_ssim


def _amplification(model, image, rng):
    pixels = image.reshape(-1, 3)
    colours = pixels[rng.choice(len(pixels), 3000, replace=False)] / 255.0
    step = rng.standard_normal(colours.shape)
    step *= (2 / 255) / np.linalg.norm(step, axis=1, keepdims=True)
    change = np.linalg.norm(model.transform(colours + step) - model.transform(colours), axis=1)
    ratio = change / (2 / 255)
    return np.percentile(ratio, 99), np.percentile(ratio, 99.9)


def bandwidth_table(china, flower):
    print(
        f"{'pair':16s} {'bandwidth':>9s} {'h':>6s} {'fidelity':>8s} {'SSIM':>5s} "
        f"{'amp p99':>7s} {'p99.9':>6s} {'in-sample':>9s} {'seed':>5s} {'fit s':>6s} "
        f"{'transform s':>11s}"
    )
    for name, (source, target) in {
        "china->flower": (china, flower),
        "flower->china": (flower, china),
    }.items():
        for bandwidth in (0.05, 0.1, 0.2, 0.3):
            start = time.perf_counter()
            model = EMDTransport(bandwidth=bandwidth, random_state=0).fit(source, target)
            fitted = time.perf_counter()
            result = model.transform(source)
            done = time.perf_counter()
            other = EMDTransport(bandwidth=bandwidth, random_state=1).fit(source, target)
            seed = np.abs(other.transform(source).astype(float) - result.astype(float)).mean()
            p99, p999 = _amplification(model, source, np.random.default_rng(0))
            in_sample = np.linalg.norm(
                model._transport(model.source_support_) - model.transported_support_, axis=1
            ).mean()
            print(
                f"{name:16s} {bandwidth:9.2f} {model.bandwidth_:6.3f} "
                f"{color_fidelity(result, target, source):8.3f} "
                f"{luminance_ssim(result, source):5.3f} {p99:7.1f} {p999:6.1f} "
                f"{in_sample:9.3f} {seed:5.2f} {fitted - start:6.2f} {done - fitted:11.2f}"
            )


def lp_times():
    """Dense ``ot.emd`` against EMDTransport's multiscale route (the same plan)."""
    from skcolorot.transport._exact import exact_plan

    rng = np.random.default_rng(0)
    print(f"\n{'n_samples':>9s} {'ot.emd s':>8s} {'multiscale s':>12s}")
    for n in (500, 1000, 1500, 2000, 3000):
        x, y = rng.random((n, 3)), rng.random((n, 3)) ** 2
        a = np.full(n, 1 / n)
        cost = ot.dist(x, y)
        start = time.perf_counter()
        ot.emd(a, a, cost, numItermax=10**8)
        dense = time.perf_counter() - start
        start = time.perf_counter()
        exact_plan(a, a, cost, x, y)
        print(f"{n:9d} {dense:8.2f} {time.perf_counter() - start:12.2f}")


def barycenter_times(references):
    print(f"\n{'method':>9s} {'n_samples':>9s} {'s':>6s}   (3 references)")
    for method in ("gaussian", "sliced", "gmm", "exact"):
        start = time.perf_counter()
        sample = barycenter(references, method=method, random_state=0)
        print(f"{method:>9s} {len(sample):9d} {time.perf_counter() - start:6.2f}")


def main():
    china = load_sample_image("china.jpg")
    flower = load_sample_image("flower.jpg")
    bandwidth_table(china, flower)
    lp_times()
    barycenter_times([flower, data.coffee(), data.rocket()])


if __name__ == "__main__":
    main()
