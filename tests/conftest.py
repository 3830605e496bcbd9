import numpy as np
import pytest
from sklearn.datasets import load_sample_image


@pytest.fixture(scope="session")
def china():
    return load_sample_image("china.jpg")


@pytest.fixture(scope="session")
def flower():
    return load_sample_image("flower.jpg")


@pytest.fixture(scope="session")
def small_pair(china, flower):
    """Downscaled real photographs: fast, still real colour distributions."""
    return np.ascontiguousarray(china[::4, ::4]), np.ascontiguousarray(flower[::4, ::4])


@pytest.fixture(scope="module")
def fitted_transports():
    """The reliability battery's small transports, fitted on samples and on images."""
    from test_reliability_input import IMAGE, NAMES, REFERENCE, TRANSPORTS, X, Y

    return {
        name: {
            "samples": TRANSPORTS[name]().fit(X, Y),
            "images": TRANSPORTS[name]().fit(IMAGE, REFERENCE),
        }
        for name in NAMES
    }


@pytest.fixture
def two_moons():
    """Two labelled 2-D blobs for domain adaptation."""
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 80)
    return rng.normal(size=(80, 2)) + 3 * labels[:, None], labels


# Directories where creating a file fails. Root ignores permission bits (CI runs
# as root), so beside a 0500 directory these are kernel filesystems: /proc/sys
# refuses writes to everyone (and is a read-only mount in containers), /sys and
# /proc refuse new files, though some kernels tell access() that root may write.
UNWRITABLE = ["chmod-0500", "/proc/sys", "/sys", "/proc"]


@pytest.fixture(params=UNWRITABLE)
def unwritable_dir(request, tmp_path):
    import os
    import tempfile
    from pathlib import Path

    if request.param == "chmod-0500":
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip("root writes in a 0500 directory")
        directory = tmp_path / "locked"
        directory.mkdir()
        directory.chmod(0o500)
        yield directory
        directory.chmod(0o700)
        return
    directory = Path(request.param)
    if not directory.is_dir():
        pytest.skip(f"no {directory} here")
    try:
        handle, name = tempfile.mkstemp(dir=directory)
    except OSError:
        pass
    else:
        os.close(handle)
        os.unlink(name)
        pytest.skip(f"{directory} takes new files here")
    yield directory
