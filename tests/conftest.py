import numpy as np
import pytest
from sklearn.datasets import load_iris, make_moons


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
