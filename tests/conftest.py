import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_moons
from sklearn.exceptions import ConvergenceWarning


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)), y


@pytest.fixture
def moons():
    return make_moons(n_samples=200, noise=0.1, random_state=0)


@pytest.fixture
def xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return np.repeat(X, 10, axis=0), np.repeat([0, 1, 1, 0], 10)


@pytest.fixture
def peak_fit_memory():
    """``peak_fit_memory(model, X, y)``: peak bytes tracemalloc sees while the model fits."""

    def measure(model, X, y):
        tracemalloc.start()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X, y)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    return measure
