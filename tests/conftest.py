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
