"""Persistence: pickle, joblib and skops round-trips, and a fitted state of plain data."""

import io
import pickle
import sys

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow import io as shallow_io

SOLVERS = ["gd", "sgd", "adam", "lbfgs"]
PLAIN_SCALARS = (int, float, str, bool, type(None), np.ndarray)


def _targets(kind, rng, m):
    if kind == "binary":
        return rng.randint(2, size=m)
    if kind == "strings":
        return np.array(["cat", "dog", "emu"])[rng.randint(3, size=m)]
    return rng.randint(2, size=(m, 3))  # multilabel


@pytest.fixture(params=["binary", "strings", "multilabel"])
def fitted(request, rng):
    X = rng.rand(40, 4)
    y = _targets(request.param, rng, 40)
    model = ShallowNNClassifier(n1=5, max_iter=4, tol=None, random_state=0, early_stopping=True)
    return model.fit(X, y), X


def _assert_same_predictions(model, other, X):
    assert_array_equal(other.predict(X), model.predict(X), strict=True)
    assert_array_equal(other.predict_proba(X), model.predict_proba(X), strict=True)


def test_pickle_round_trip_gives_identical_predictions(fitted):
    model, X = fitted
    _assert_same_predictions(model, pickle.loads(pickle.dumps(model)), X)


def test_joblib_round_trip_gives_identical_predictions(fitted, tmp_path):
    model, X = fitted
    joblib.dump(model, tmp_path / "model.joblib")
    _assert_same_predictions(model, joblib.load(tmp_path / "model.joblib"), X)


def _assert_plain(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str | int), f"{path} has key {key!r}"
            _assert_plain(item, f"{path}[{key!r}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _assert_plain(item, f"{path}[{i}]")
    else:
        assert type(value) in PLAIN_SCALARS, f"{path} is a {type(value).__name__}"
        if isinstance(value, np.ndarray):
            assert value.dtype != object or all(type(v) is str for v in value.flat), path


@pytest.mark.parametrize("solver", SOLVERS)
def test_fitted_state_is_plain_arrays_and_scalars(solver, rng):
    X, y = rng.rand(40, 4), rng.randint(3, size=40)
    model = ShallowNNClassifier(n1=5, solver=solver, max_iter=4, tol=None, random_state=0)
    model.fit(X, y)
    if solver != "lbfgs":
        model.partial_fit(X, y)  # the optimiser state of a continued fit is plain too
    state = {key: value for key, value in vars(model).items() if key != "callback"}
    assert {"params_", "classes_", "_optimizer_state", "history_"} <= state.keys()
    _assert_plain(state, "estimator")


# ------------------------------------------------------------------- skops


@pytest.fixture
def skops_io():
    return pytest.importorskip("skops.io", reason="skops is not installed (the [skops] extra)")


def test_skops_round_trip_gives_identical_predictions(skops_io, fitted, tmp_path):
    model, X = fitted
    shallow_io.dump(model, tmp_path / "model.skops")
    _assert_same_predictions(model, shallow_io.load(tmp_path / "model.skops"), X)


@pytest.mark.parametrize("solver", SOLVERS)
def test_skops_finds_no_untrusted_type_beyond_ours(skops_io, solver, rng, tmp_path):
    X = rng.rand(40, 4).astype(np.float32)
    y = np.array(["a", "b", "c"])[rng.randint(3, size=40)]
    model = make_pipeline(
        MinMaxScaler(),
        ShallowNNClassifier(
            n1=5,
            solver=solver,
            max_iter=4,
            tol=None,
            random_state=np.random.RandomState(0),
            class_weight={"a": 1.0, "b": 2, "c": np.float64(0.5)},
        ),
    ).fit(X, y)
    path = tmp_path / "model.skops"
    shallow_io.dump(model, path)
    assert skops_io.get_untrusted_types(file=path) == list(shallow_io.TRUSTED_TYPES)
    _assert_same_predictions(model, shallow_io.load(path), X)


def _no_op(estimator, record):
    return False


def test_skops_load_refuses_a_callback_function(skops_io, rng):
    X, y = rng.rand(20, 2), np.tile([0, 1], 10)
    model = ShallowNNClassifier(n1=2, max_iter=2, tol=None, callback=_no_op).fit(X, y)
    buffer = io.BytesIO()
    shallow_io.dump(model, buffer)
    buffer.seek(0)
    with pytest.raises(TypeError, match="_no_op"):
        shallow_io.load(buffer)


@pytest.mark.parametrize("function", [shallow_io.dump, shallow_io.load])
def test_io_without_skops_names_the_extra(function, monkeypatch):
    for name in ["skops", "skops.io"]:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import skops.io` fail
    args = (
        (ShallowNNClassifier(), io.BytesIO()) if function is shallow_io.dump else (io.BytesIO(),)
    )
    with pytest.raises(ImportError, match=r'pip install "sklearn-shallow\[skops\]"'):
        function(*args)
