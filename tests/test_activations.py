"""The activation registry: one entry per activation, its forms agreeing with each other."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow._activations import ACTIVATIONS, LEAKY_SLOPE
from sklearn_shallow._runners import training_path

Z = np.array([[-3.0, -0.5, 0.0, 0.25, 4.0], [-1e-3, 2.0, -7.0, 1e-3, 0.0]])
xp = np


def test_leaky_relu_has_slope_one_hundredth_below_zero():
    g = ACTIVATIONS["leaky_relu"]
    assert LEAKY_SLOPE == 0.01
    assert_array_equal(g.function(Z, xp), np.where(Z > 0, Z, 0.01 * Z))
    assert_array_equal(g.derivative(Z, g.function(Z, xp), xp), np.where(Z > 0, 1.0, 0.01))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_inplace_forms_equal_the_pure_ones(name):
    """What the fast path computes in place is, bit for bit, what the pure steps compute."""
    g = ACTIVATIONS[name]
    rng = np.random.RandomState(0)
    H = rng.randn(6, 4)  # Z1ᵀ: samples as rows
    dH = rng.randn(6, 4)  # (W2ᵀ · dZ2)ᵀ
    view = {"mask": np.empty(H.shape, bool), "scratch": np.empty(H.shape)}
    A = H.copy()
    g.inplace(A, view)
    assert_array_equal(A, g.function(H, xp))
    dZ = dH.copy()
    g.inplace_derivative(A, dZ, view)
    assert_array_equal(dZ, dH * g.derivative(H, g.function(H, xp), xp))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_is_accepted_and_fits_the_same_on_both_paths(name, iris):
    X, y = iris
    model = ShallowNNClassifier(6, activation=name, solver="adam", max_iter=4, tol=None)
    fast = model.set_params(random_state=0).fit(X, y).params_
    with training_path("pure"):
        pure = model.fit(X, y).params_
    for key in pure:
        assert_allclose(fast[key], pure[key], rtol=1e-10, atol=1e-14, err_msg=key)


def test_an_unknown_activation_is_refused_naming_the_registered_ones(iris):
    X, y = iris
    with pytest.raises(ValueError, match="leaky_relu"):
        ShallowNNClassifier(activation="softplus").fit(X, y)
