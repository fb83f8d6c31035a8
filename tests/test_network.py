"""The four steps of sklearn_shallow.network against the course's equations."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_shallow._activations import ACTIVATIONS, sigmoid, softmax
from sklearn_shallow.network import (
    backward,
    forward,
    gradient_check,
    initialize,
    loss,
    update,
)

ACTIVATION_NAMES = sorted(ACTIVATIONS)


def make_problem(rng, n0=3, m=7, n_out=1, output="sigmoid"):
    X = rng.randn(n0, m)
    if output == "softmax":
        Y = np.eye(n_out)[:, rng.randint(n_out, size=m)]
    elif output == "identity":
        Y = 3.0 * rng.randn(n_out, m) + 1.0
    elif output == "exp":
        Y = rng.poisson(2.0, size=(n_out, m)).astype(float)
    else:
        Y = (rng.rand(n_out, m) > 0.5).astype(float)
    return X, Y


def test_initialize_gives_the_course_shapes_and_zero_biases():
    params = initialize([5, 4, 3], random_state=0)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (4, 5),
        "b1": (4, 1),
        "W2": (3, 4),
        "b2": (3, 1),
    }
    assert_array_equal(params["b1"], 0)
    assert_array_equal(params["b2"], 0)


def test_initialize_breaks_symmetry_and_stays_in_the_glorot_range():
    params = initialize([20, 10, 2], random_state=0)
    W1 = params["W1"]
    # No two hidden units start with the same weights.
    assert len(np.unique(W1.round(12), axis=0)) == 10
    assert np.abs(W1).max() <= np.sqrt(6 / 30)


def test_initialize_is_seeded_and_typed():
    a = initialize([4, 3, 2], random_state=7, dtype=np.float32)
    b = initialize([4, 3, 2], random_state=7, dtype=np.float32)
    for name in a:
        assert a[name].dtype == np.float32
        assert_array_equal(a[name], b[name])


def test_initialize_supports_more_layers():
    params = initialize([4, 5, 6, 2], random_state=0)
    assert [params[f"W{l}"].shape for l in (1, 2, 3)] == [(5, 4), (6, 5), (2, 6)]


@pytest.mark.parametrize("sizes", [[3], [3, 0, 1], []])
def test_initialize_rejects_bad_layer_sizes(sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        initialize(sizes)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize(
    "output,n_out", [("sigmoid", 1), ("sigmoid", 3), ("softmax", 4), ("identity", 2), ("exp", 1)]
)
def test_gradients_have_the_parameters_shapes(rng, activation, output, n_out):
    X, Y = make_problem(rng, n_out=n_out, output=output)
    params = initialize([3, 5, n_out], random_state=0)
    A_out, cache = forward(X, params, activation=activation, output=output)
    grads = backward(X, Y, params, cache, activation=activation, output=output)
    assert A_out.shape == (n_out, 7)
    assert cache["A1"].shape == cache["Z1"].shape == (5, 7)
    for name, P in params.items():
        assert grads["d" + name].shape == P.shape
    # The course's keepdims trap: db must be a column, not a rank-1 array.
    assert grads["db1"].shape == (5, 1) and grads["db2"].shape == (n_out, 1)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize(
    "output,n_out",
    [("sigmoid", 1), ("sigmoid", 3), ("softmax", 4), ("identity", 1), ("identity", 2), ("exp", 2)],
)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.5])
def test_backward_matches_finite_differences(rng, activation, output, n_out, weighted, l2):
    X, Y = make_problem(rng, n_out=n_out, output=output)
    params = initialize([3, 5, n_out], random_state=1)
    # Non-zero biases so that the bias gradients are exercised away from zero.
    params = {k: v + 0.1 * rng.randn(*v.shape) for k, v in params.items()}
    sample_weight = rng.uniform(0.2, 3.0, size=7) if weighted else None
    difference = gradient_check(
        X, Y, params, activation=activation, output=output, sample_weight=sample_weight, l2=l2
    )
    assert difference < 1e-7


def test_gradient_check_detects_a_wrong_gradient(rng, monkeypatch):
    X, Y = make_problem(rng)
    params = initialize([3, 5, 1], random_state=1)
    import sklearn_shallow.network as network

    true_backward = network.backward

    def wrong_backward(*args, **kwargs):
        grads = true_backward(*args, **kwargs)
        return {**grads, "dW1": grads["dW1"] * 1.1}

    monkeypatch.setattr(network, "backward", wrong_backward)
    assert gradient_check(X, Y, params) > 1e-3


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_backward_matches_finite_differences_with_two_hidden_layers(rng, activation):
    X, Y = make_problem(rng, n_out=3, output="softmax")
    params = initialize([3, 4, 5, 3], random_state=2)
    params = {k: v + 0.1 * rng.randn(*v.shape) for k, v in params.items()}
    assert gradient_check(X, Y, params, activation=activation, output="softmax") < 1e-7


def test_steps_never_mutate_their_arguments(rng):
    X, Y = make_problem(rng, n_out=2)
    params = initialize([3, 4, 2], random_state=0)
    saved = {k: v.copy() for k, v in params.items()}
    X_saved, Y_saved = X.copy(), Y.copy()
    A_out, cache = forward(X, params)
    cache_saved = {k: v.copy() for k, v in cache.items()}
    grads = backward(X, Y, params, cache, l2=0.1)
    grads_saved = {k: v.copy() for k, v in grads.items()}
    new = update(params, grads, 0.5)
    loss(A_out, Y, params=params, l2=0.1)
    for name in params:
        assert_array_equal(params[name], saved[name])
        assert new[name] is not params[name]
    for name in cache:
        assert_array_equal(cache[name], cache_saved[name])
    for name in grads:
        assert_array_equal(grads[name], grads_saved[name])
    assert_array_equal(X, X_saved)
    assert_array_equal(Y, Y_saved)


def test_update_is_the_gradient_step():
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]])}
    grads = {"dW1": np.array([[0.5, 1.0]]), "db1": np.array([[-1.0]])}
    new = update(params, grads, 0.1)
    assert_allclose(new["W1"], [[0.95, -2.1]])
    assert_allclose(new["b1"], [[0.6]])


def test_update_flushes_subnormal_entries_to_zero():
    tiny = np.finfo(np.float64).tiny
    params = {"W1": np.array([[tiny * 1e-3, 1.0, tiny]]), "b1": np.zeros((1, 1))}
    grads = {"dW1": np.zeros((1, 3)), "db1": np.zeros((1, 1))}
    new = update(params, grads, 0.1)
    assert_array_equal(new["W1"], [[0.0, 1.0, tiny]])


@pytest.mark.parametrize("z", [1e300, -1e300, 800.0, -800.0, 0.0])
def test_sigmoid_is_stable(z):
    Z = np.array([[z]])
    A = sigmoid(Z, np)
    assert np.isfinite(A).all() and 0.0 <= A[0, 0] <= 1.0
    assert_allclose(A + sigmoid(-Z, np), 1.0)


def test_softmax_is_stable_for_huge_logits():
    Z = np.array([[1e300, -1e300, 0.0], [-1e300, 1e300, 0.0], [0.0, 0.0, 0.0]])
    A = softmax(Z, np)
    assert np.isfinite(A).all()
    assert_allclose(A.sum(axis=0), 1.0)
    assert_allclose(A[:, 0], [1.0, 0.0, 0.0])


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_loss_is_finite_for_saturated_wrong_outputs(output):
    A_out = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    J = loss(A_out, Y, output=output)
    assert np.isfinite(J) and J > 10


def test_forward_is_stable_for_huge_inputs():
    params = initialize([2, 3, 2], random_state=0)
    X = np.array([[1e300, -1e300], [1e300, 1e300]])
    for output in ("sigmoid", "softmax"):
        for activation in ("tanh", "sigmoid"):
            A_out, _ = forward(X, params, activation=activation, output=output)
            assert np.isfinite(A_out).all()


def test_loss_matches_the_course_formula(rng):
    A_out = rng.uniform(0.05, 0.95, size=(1, 6))
    Y = (rng.rand(1, 6) > 0.5).astype(float)
    expected = -np.mean(Y * np.log(A_out) + (1 - Y) * np.log(1 - A_out))
    assert_allclose(loss(A_out, Y), expected, rtol=1e-12)


def test_loss_with_integer_weights_equals_repeated_columns(rng):
    A_out = softmax(rng.randn(3, 5), np)
    Y = np.eye(3)[:, [0, 2, 1, 1, 0]]
    w = np.array([2, 0, 1, 3, 1])
    repeated = loss(np.repeat(A_out, w, axis=1), np.repeat(Y, w, axis=1), output="softmax")
    assert_allclose(loss(A_out, Y, output="softmax", sample_weight=w), repeated, rtol=1e-12)


def test_l2_term_penalises_weights_not_biases():
    params = {"W1": np.full((2, 2), 2.0), "b1": np.full((2, 1), 100.0)}
    A_out, Y = np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])
    J0 = loss(A_out, Y)
    J = loss(A_out, Y, params=params, l2=0.5)
    # (l2 / 2m) ‖W1‖² = (0.5 / 4) * 16
    assert_allclose(J - J0, 2.0)


def test_steps_accept_sparse_inputs(rng):
    X, Y = make_problem(rng, n_out=1)
    X[np.abs(X) < 0.8] = 0.0
    params = initialize([3, 4, 1], random_state=0)
    A_dense, cache_dense = forward(X, params)
    A_sparse, cache_sparse = forward(sp.csc_array(X), params)
    assert_allclose(A_sparse, A_dense)
    g_dense = backward(X, Y, params, cache_dense)
    g_sparse = backward(sp.csc_array(X), Y, params, cache_sparse)
    for name in g_dense:
        assert_allclose(g_sparse[name], g_dense[name])


def test_regression_losses_match_their_formulas(rng):
    A_out = rng.uniform(0.1, 4.0, size=(2, 6))
    Y = rng.poisson(2.0, size=(2, 6)).astype(float)
    w = rng.uniform(0.5, 2.0, size=6)
    squared = 0.5 * np.sum((A_out - Y) ** 2, axis=0)
    assert_allclose(loss(A_out, Y, output="identity"), squared.mean(), rtol=1e-12)
    poisson = np.sum(A_out - Y * np.log(A_out), axis=0)
    assert_allclose(
        loss(A_out, Y, output="exp", sample_weight=w), (w * poisson).sum() / w.sum(), rtol=1e-12
    )


def test_regression_outputs_are_not_clipped():
    """Clipping to [eps, 1 - eps] is for probabilities: a regression output of 5 counts as 5."""
    A_out, Y = np.array([[5.0]]), np.array([[1.0]])
    assert_allclose(loss(A_out, Y, output="identity"), 8.0)
    assert_allclose(loss(A_out, Y, output="exp"), 5.0 - np.log(5.0))


def test_exp_output_is_the_exponential_of_z2():
    params = initialize([2, 3, 2], random_state=0)
    X = np.array([[0.5, -1.0], [2.0, 0.0]])
    A_out, cache = forward(X, params, output="exp")
    assert_allclose(A_out, np.exp(cache["Z2"]))
    identity, cache = forward(X, params, output="identity")
    assert_array_equal(identity, cache["Z2"])
