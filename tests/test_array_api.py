"""ShallowNNClassifier trains and predicts in the namespace and on the device of X.

Under ``sklearn.set_config(array_api_dispatch=True)`` (with ``SCIPY_ARRAY_API=1``,
set by the root conftest), the same fit on array-api-strict or PyTorch arrays must
give numpy's numbers after the same epochs from the same initial parameters, with
every output and fitted array in the input's namespace and device.
"""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.externals.array_api_compat import array_namespace
from sklearn.utils._array_api import _convert_to_numpy, get_namespace_and_device

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor, move_to


def namespaces():
    """(module name, device, dtype name) triples to test, each skipped when missing."""
    cases = [
        ("array_api_strict", None, "float64"),
        ("array_api_strict", None, "float32"),
        ("torch", "cpu", "float64"),
        ("torch", "cpu", "float32"),
        ("torch", "cuda", "float32"),
    ]
    for name, device, dtype in cases:
        yield pytest.param((name, device, dtype), id=f"{name}-{device}-{dtype}")


@pytest.fixture
def xp_and_device(request):
    name, device, dtype = request.param
    xp = pytest.importorskip(name, reason=f"{name} is not installed (extra [array-api])")
    if name == "torch" and device == "cuda" and not xp.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    if name == "array_api_strict":
        device = xp.Device("CPU_DEVICE")
    return xp, device, dtype


def to_xp(xp, device, array, dtype=None):
    array = np.asarray(array)
    return xp.asarray(array if dtype is None else array.astype(dtype), device=device)


def to_numpy(array):
    return _convert_to_numpy(array, array_namespace(array))


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X, y


TOLERANCE = {"float64": 1e-9, "float32": 2e-4}


@pytest.mark.parametrize("xp_and_device", list(namespaces()), indirect=True)
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_fit_in_a_namespace_equals_numpy(xp_and_device, data, solver):
    xp, device, dtype = xp_and_device
    X, y = data
    X = X.astype(dtype)
    options = dict(solver=solver, n1=8, max_iter=6, tol=None, random_state=0, batch_size=50)
    reference = ShallowNNClassifier(**options).fit(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        X_xp, y_xp = to_xp(xp, device, X), to_xp(xp, device, y)
        model = ShallowNNClassifier(**options).fit(X_xp, y_xp)
        proba = model.predict_proba(X_xp)
        labels = model.predict(X_xp)
        score = model.score(X_xp, y_xp)
    for name, P in model.params_.items():
        P_xp, _, P_device = get_namespace_and_device(P)
        assert P_xp.__name__ == get_namespace_and_device(X_xp)[0].__name__
        assert P_device == get_namespace_and_device(X_xp)[2]
        assert_allclose(to_numpy(P), reference.params_[name], rtol=TOLERANCE[dtype], atol=1e-6)
    for output in (proba, labels, model.classes_):
        assert get_namespace_and_device(output)[2] == get_namespace_and_device(X_xp)[2]
    assert_allclose(to_numpy(proba), reference.predict_proba(X), rtol=TOLERANCE[dtype], atol=1e-6)
    assert (to_numpy(labels) == reference.predict(X)).mean() >= 0.99
    assert score == pytest.approx(reference.score(X, y), abs=0.01)
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=TOLERANCE[dtype])


@pytest.mark.parametrize("xp_and_device", list(namespaces()), indirect=True)
@pytest.mark.parametrize("solver", ["gd", "adam"])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_in_a_namespace_equals_numpy(xp_and_device, solver, loss):
    """Dense numpy runs the fast path, the namespace the pure steps: the same fit."""
    xp, device, dtype = xp_and_device
    rng = np.random.RandomState(0)
    X = rng.randn(120, 6).astype(dtype)
    y = np.c_[np.exp(X[:, 0]), 3 + X[:, 1] ** 2].astype(dtype)  # two positive targets
    options = dict(loss=loss, solver=solver, n1=8, max_iter=6, tol=None, random_state=0)
    options.update(batch_size=50, l2=0.5)
    w = rng.uniform(0.5, 2, size=120).astype(dtype)
    reference = ShallowNNRegressor(**options).fit(X, y, sample_weight=w)
    with sklearn.config_context(array_api_dispatch=True):
        X_xp = to_xp(xp, device, X)
        model = ShallowNNRegressor(**options)
        model.fit(X_xp, to_xp(xp, device, y), sample_weight=to_xp(xp, device, w))
        predicted = model.predict(X_xp)
    assert get_namespace_and_device(predicted)[2] == get_namespace_and_device(X_xp)[2]
    for name, P in model.params_.items():
        assert_allclose(to_numpy(P), reference.params_[name], rtol=TOLERANCE[dtype], atol=1e-6)
    assert_allclose(to_numpy(predicted), reference.predict(X), rtol=TOLERANCE[dtype])
    assert_allclose(model.history_["r2"], reference.history_["r2"], rtol=TOLERANCE[dtype])


@pytest.mark.parametrize("xp_and_device", list(namespaces()), indirect=True)
def test_lbfgs_falls_back_to_numpy_loudly(xp_and_device, data):
    xp, device, dtype = xp_and_device
    X, y = data
    X = X.astype(dtype)
    options = dict(solver="lbfgs", n1=8, max_iter=15, random_state=0)
    reference = ShallowNNClassifier(**options).fit(X, y)
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.warns(UserWarning, match="L-BFGS-B, which works on numpy"):
            model = ShallowNNClassifier(**options).fit(to_xp(xp, device, X), to_xp(xp, device, y))
    W1 = model.params_["W1"]
    assert get_namespace_and_device(W1)[2] == get_namespace_and_device(to_xp(xp, device, X))[2]
    assert_allclose(to_numpy(W1), reference.params_["W1"], rtol=TOLERANCE[dtype] * 100, atol=1e-4)


@pytest.mark.parametrize("xp_and_device", list(namespaces()), indirect=True)
def test_partial_fit_and_early_stopping_stay_in_the_namespace(xp_and_device, data):
    xp, device, dtype = xp_and_device
    X, y = data
    with sklearn.config_context(array_api_dispatch=True):
        X_xp, y_xp = to_xp(xp, device, X, dtype), to_xp(xp, device, y)
        model = ShallowNNClassifier(n1=8, random_state=0)
        model.partial_fit(X_xp, y_xp, classes=to_xp(xp, device, [0, 1, 2]))
        model.partial_fit(X_xp, y_xp)
        assert model.n_iter_ == 1 and len(model.loss_curve_) == 2
        stopped = ShallowNNClassifier(n1=8, early_stopping=True, random_state=0, max_iter=30)
        stopped.fit(X_xp, y_xp)
        assert len(stopped.validation_scores_) == stopped.n_iter_
        expected_device = get_namespace_and_device(X_xp)[2]
        assert get_namespace_and_device(stopped.params_["b2"])[2] == expected_device


@pytest.mark.parametrize("xp_and_device", list(namespaces()), indirect=True)
def test_move_to_numpy_gives_a_numpy_model(xp_and_device, data):
    xp, device, dtype = xp_and_device
    X, y = data
    with sklearn.config_context(array_api_dispatch=True):
        X_xp = to_xp(xp, device, X, dtype)
        model = ShallowNNClassifier(n1=8, max_iter=5, tol=None, random_state=0)
        model.fit(X_xp, to_xp(xp, device, y))
        proba = to_numpy(model.predict_proba(X_xp))
        with pytest.raises(ValueError, match="must use the same namespace"):
            model.predict_proba(X.astype(dtype))
    moved = move_to(model, np)
    assert isinstance(moved.params_["W1"], np.ndarray)
    assert_allclose(moved.predict_proba(X.astype(dtype)), proba, rtol=1e-5)
    # The original stays where it was.
    assert not isinstance(model.params_["W1"], np.ndarray)


def test_string_labels_with_torch_inputs_come_back_as_numpy(data):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    X, y = data
    labels = np.array(["a", "b", "c"])[y]
    with sklearn.config_context(array_api_dispatch=True):
        X_t = torch.asarray(X)
        model = ShallowNNClassifier(n1=8, max_iter=5, tol=None, random_state=0).fit(X_t, labels)
        predicted = model.predict(X_t)
    assert isinstance(predicted, np.ndarray) and set(predicted) <= {"a", "b", "c"}
    assert isinstance(model.params_["W1"], torch.Tensor)
