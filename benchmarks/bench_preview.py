"""``skcolorot preview``: page-up time and slider-to-picture time at a 1 MP proxy.

Targets (issue #25): the page answers < 5 s after the command; a slider's new
picture < 200 ms. The source is scikit-learn's china.jpg enlarged to 1.5 MP,
so that the proxy the page shows is the full 1 MP.

    python benchmarks/bench_preview.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from PIL import Image
from sklearn.datasets import load_sample_image


def _page_up(source, reference):
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "skcolorot", "preview", source, reference, "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        url = process.stdout.readline().split()[2]
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
        page = time.perf_counter() - started
        with urllib.request.urlopen(url + "api/render.jpg", timeout=120) as response:
            response.read()
        picture = time.perf_counter() - started
        return page, picture, url
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def _slider(source, reference, detail, repeats=15):
    from skcolorot._preview._server import PreviewServer
    from skcolorot._preview._session import PreviewSession
    from skcolorot.io._files import FileIO

    files = FileIO()
    session = PreviewSession(files.read(source), [files.read(reference).pixels], files,
                             [source, reference])
    server = PreviewServer(session).start()
    try:
        urllib.request.urlopen(server.url + f"api/render.jpg?detail={detail}").read()  # the fit
        times = []
        for i in range(repeats):
            query = f"detail={detail}&intensity={0.5 + i / repeats:.3f}&luminance=0.9&neutralize=0.3"
            started = time.perf_counter()
            urllib.request.urlopen(server.url + "api/render.jpg?" + query).read()
            times.append(1000 * (time.perf_counter() - started))
        proxy = session.proxies["proxy"].pixels.shape
        return statistics.median(times), max(times), proxy
    finally:
        server.close()


def main():
    with tempfile.TemporaryDirectory() as folder:
        source, reference = os.path.join(folder, "china.png"), os.path.join(folder, "flower.jpg")
        Image.fromarray(load_sample_image("china.jpg")).resize((1500, 1000)).save(source)
        Image.fromarray(load_sample_image("flower.jpg")).save(reference)
        page, picture, _ = _page_up(source, reference)
        print(f"page up: {page:.2f} s after the command (target < 5 s); "
              f"first picture (sliced fit + regrain): {picture:.2f} s")
        for detail in (0, 1):
            median, worst, proxy = _slider(source, reference, detail)
            print(f"slider to picture, {proxy[1]}x{proxy[0]} proxy, regrain detail {detail}: "
                  f"median {median:.0f} ms, worst {worst:.0f} ms (target < 200 ms)")


if __name__ == "__main__":
    main()
