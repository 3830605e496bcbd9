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
