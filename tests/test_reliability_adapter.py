"""Reliability of the domain-adaptation adapter (issue 27): TransportAdapter is
a scikit-learn transformer, says nothing about TargetSample (which it cannot
take), and gives the same relative ``reg`` as DomainAdaptation by default."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import check_estimator

from skcolorot import DomainAdaptation, SinkhornTransport, TransportAdapter


@pytest.fixture
def domains():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(40, 2)), rng.normal(size=(40, 2)) + 3])  # equal sizes
    domain = np.r_[np.ones(40, int), -np.ones(40, int)]
    y = np.r_[rng.integers(0, 2, 40), -np.ones(40, int)]
    return X, y, domain


def test_check_estimator_passes():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(TransportAdapter(SinkhornTransport()))


def test_equal_domain_sizes_give_no_target_sample_warning(domains):
    X, y, domain = domains
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TransportAdapter(SinkhornTransport()).fit(X, y, sample_domain=domain)
        DomainAdaptation(SinkhornTransport(), LogisticRegression()).fit(
            X, y, sample_domain=domain
        )


def test_adapter_and_domain_adaptation_share_the_relative_reg(domains):
    X, y, domain = domains
    adapter = TransportAdapter(SinkhornTransport()).fit(X, y, sample_domain=domain)
    model = DomainAdaptation(SinkhornTransport(), LogisticRegression()).fit(
        X, y, sample_domain=domain
    )
    assert adapter.adaptation_.scale_ == model.scale_
    moved = adapter.transform(X, sample_domain=domain, allow_source=True)[domain > 0]
    np.testing.assert_allclose(moved, model.transport_source(X[domain > 0]))


def test_without_sample_domain_masked_labels_mark_the_target(domains):
    X, y, domain = domains
    explicit = TransportAdapter(SinkhornTransport()).fit(X, y, sample_domain=domain)
    automatic = TransportAdapter(SinkhornTransport()).fit(X, y)
    np.testing.assert_allclose(
        automatic.transform(X, sample_domain=domain, allow_source=True),
        explicit.transform(X, sample_domain=domain, allow_source=True),
    )
