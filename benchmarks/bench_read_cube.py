"""read_cube: time and peak memory per LUT size, against the table's own size.

For every ``--sizes`` N a ``.cube`` of ``lut_grid(N) ** 0.9`` is written once to
a temporary directory, then read in a fresh subprocess: the peak is the peak
resident memory (``VmHWM``) minus the resident memory just before the read,
after the imports (Linux only: it reads /proc/self/status).

Run:  python benchmarks/bench_read_cube.py [--sizes 33 65 129 256]
"""

import argparse
import os
import subprocess
import sys
import tempfile

READ = """
import sys, time
from skcolorot import read_cube
def status_kb(field):  # Linux: VmRSS (resident now), VmHWM (peak resident)
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith(field)).split()[1])
before = status_kb("VmRSS:")
start = time.perf_counter()
table = read_cube(sys.argv[1])
seconds = time.perf_counter() - start
print(seconds, (status_kb("VmHWM:") - before) * 1024, table.nbytes)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[33, 65, 129, 256])
    args = parser.parse_args()
    from skcolorot import write_cube
    from skcolorot.color._lut import lut_grid

    columns = ("N", "file MB", "table MB", "read s", "peak MB", "peak/table")
    widths = (5, 8, 9, 7, 8, 10)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths)))
    with tempfile.TemporaryDirectory() as directory:
        for size in args.sizes:
            path = os.path.join(directory, f"lut{size}.cube")
            write_cube(path, lut_grid(size) ** 0.9)
            out = subprocess.run(
                [sys.executable, "-c", READ, path], capture_output=True, text=True, check=True
            ).stdout.split()
            seconds, peak, table = float(out[0]), float(out[1]), float(out[2])
            print(
                f"{size:>5} {os.path.getsize(path) / 2**20:>8.1f} {table / 2**20:>9.1f} "
                f"{seconds:>7.2f} {peak / 2**20:>8.1f} {peak / table:>10.2f}"
            )
            os.remove(path)


if __name__ == "__main__":
    main()
