"""The pure steps run unchanged on an array API namespace (array-api-strict)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_shallow._activations import ACTIVATIONS
from sklearn_shallow._solvers import Adam, Momentum
from sklearn_shallow.network import backward, forward, initialize, loss, update

xp = pytest.importorskip(
    "array_api_strict", reason="array-api-strict is not installed (extra [array-api])"
)


def to_xp(arrays):
    return {name: xp.asarray(A) for name, A in arrays.items()}


def to_numpy(arrays):
    return {name: np.asarray(A) for name, A in arrays.items()}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output,n_out", [("sigmoid", 1), ("softmax", 3)])
def test_steps_on_array_api_strict_equal_numpy(activation, output, n_out):
    rng = np.random.RandomState(0)
    X = rng.randn(4, 9)
    Y = np.eye(n_out)[:, rng.randint(n_out, size=9)] if n_out > 1 else rng.rand(1, 9).round()
    w = rng.uniform(0.5, 2.0, size=9)
    params = initialize([4, 5, n_out], random_state=0)
    options = dict(activation=activation, output=output)

    A_np, cache_np = forward(X, params, **options)
    grads_np = backward(X, Y, params, cache_np, **options, sample_weight=w, l2=0.1)
    A_xp, cache_xp = forward(xp.asarray(X), to_xp(params), **options)
    grads_xp = backward(
        xp.asarray(X), xp.asarray(Y), to_xp(params), cache_xp, **options,
        sample_weight=xp.asarray(w), l2=0.1,
    )  # fmt: skip
    assert isinstance(A_xp, type(xp.asarray(0.0)))
    assert_allclose(np.asarray(A_xp), A_np, rtol=1e-12)
    for name, grad in grads_np.items():
        assert_allclose(np.asarray(grads_xp[name]), grad, rtol=1e-12, atol=1e-15)
    new_xp = update(to_xp(params), grads_xp, 0.1)
    for name, P in update(params, grads_np, 0.1).items():
        assert_allclose(np.asarray(new_xp[name]), P, rtol=1e-12)
    J_np = loss(A_np, Y, output=output, sample_weight=w, params=params, l2=0.1)
    J_xp = loss(A_xp, xp.asarray(Y), output=output, sample_weight=xp.asarray(w),
                params=to_xp(params), l2=0.1)  # fmt: skip
    assert J_xp == pytest.approx(J_np, rel=1e-12)


@pytest.mark.parametrize("rule", [Adam(), Momentum(0.9, True)], ids=["adam", "nesterov"])
def test_update_rules_on_array_api_strict_equal_numpy(rule):
    params = initialize([3, 4, 2], random_state=1)
    grads = {"d" + k: np.full_like(v, 0.3) for k, v in params.items()}
    state_np = rule.init_state(params)
    state_xp = rule.init_state(to_xp(params))
    p_np, p_xp = params, to_xp(params)
    for _ in range(3):
        p_np, state_np = rule.step(p_np, grads, state_np, 0.01)
        p_xp, state_xp = rule.step(p_xp, to_xp(grads), state_xp, 0.01)
    for name, P in p_np.items():
        assert_allclose(np.asarray(p_xp[name]), P, rtol=1e-12)
