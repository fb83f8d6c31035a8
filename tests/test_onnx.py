"""ONNX export: onnxruntime reproduces predict_proba and predict for every configuration."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

# The project's own module imports without the [onnx] extra: a failure to import it
# is a bug to report, never a reason to skip.
import sklearn_shallow.onnx as shallow_onnx
from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor
from sklearn_shallow._activations import ACTIVATIONS as ACTIVATION_REGISTRY

skl2onnx = pytest.importorskip("skl2onnx", reason="skl2onnx is not installed (the [onnx] extra)")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (the [onnx] extra)")

ACTIVATIONS = sorted(ACTIVATION_REGISTRY)
TARGETS = ["binary", "multiclass", "multilabel"]
#: Rows whose top two probabilities (or a probability and 0.5) are closer than this
#: may round to another label in float32; they are left out of the label comparison.
TIE = 1e-5


@pytest.fixture
def X():
    return (3 * np.random.RandomState(0).randn(200, 5)).astype(np.float32)


def _target(kind, X):
    if kind == "binary":
        return (X[:, 0] + X[:, 1] > 0).astype(int)
    if kind == "multiclass":
        return np.array(["ant", "bee", "cat", "dog"])[np.digitize(X[:, 0], [-2, 0, 2])]
    return np.c_[X[:, 0] > 0, X[:, 1] > 1, X[:, 2] < 0].astype(int)


def _run(onx, X):
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


def _clear_rows(proba, multilabel):
    """Rows whose predicted label is not decided by float rounding."""
    if multilabel:
        return np.all(np.abs(proba - 0.5) > TIE, axis=1)
    top_two = np.sort(proba, axis=1)[:, -2:]
    return top_two[:, 1] - top_two[:, 0] > TIE


def _assert_labels_equal(labels, model, X, proba):
    clear = _clear_rows(proba, labels.ndim == 2)
    assert clear.mean() > 0.95  # the comparison below is not empty
    assert_array_equal(labels[clear], model.predict(X)[clear])


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_onnx_matches_predict_proba_and_predict(activation, kind, X):
    y = _target(kind, X)
    clf = ShallowNNClassifier(n1=8, activation=activation, solver="lbfgs", max_iter=50, tol=None)
    model = make_pipeline(MinMaxScaler(), clf.set_params(random_state=0)).fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
    labels, proba = _run(onx, X)
    expected = model.predict_proba(X)
    assert proba.dtype == np.float32 and proba.shape == expected.shape
    assert_allclose(proba, expected, rtol=0, atol=1e-5)
    _assert_labels_equal(labels, model, X, expected)


def test_onnx_of_a_one_class_model_predicts_that_class(X):
    model = ShallowNNClassifier(n1=4, random_state=0).fit(X, np.full(len(X), "ant"))
    labels, proba = _run(skl2onnx.to_onnx(model, X[:1], options={"zipmap": False}), X)
    assert_array_equal(labels, model.predict(X))
    assert_array_equal(proba, np.ones((len(X), 1), np.float32))


def test_onnx_in_double_precision(X):
    X = X.astype(np.float64)
    model = ShallowNNClassifier(n1=6, activation="tanh", solver="lbfgs", max_iter=50, tol=None)
    model.set_params(random_state=0).fit(X, _target("multiclass", X))
    labels, proba = _run(skl2onnx.to_onnx(model, X[:1], options={"zipmap": False}), X)
    assert proba.dtype == np.float64
    assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-12)
    assert_array_equal(labels, model.predict(X))


def test_onnx_uses_the_fitted_activation_after_set_params(X):
    X = X.astype(np.float64)
    model = ShallowNNClassifier(n1=6, activation="tanh", solver="lbfgs", max_iter=50, tol=None)
    model.set_params(random_state=0).fit(X, _target("multiclass", X))
    expected = model.predict_proba(X)
    model.set_params(activation="relu")  # not refitted: the network is still a tanh one
    _, proba = _run(skl2onnx.to_onnx(model, X[:1], options={"zipmap": False}), X)
    assert_allclose(proba, expected, rtol=0, atol=1e-12)


def test_onnx_zipmap_and_nocl_options(X):
    y = _target("multiclass", X)
    model = ShallowNNClassifier(n1=6, solver="lbfgs", max_iter=30, tol=None, random_state=0)
    model.fit(X, y)
    labels, dicts = _run(skl2onnx.to_onnx(model, X[:1]), X)  # skl2onnx's default: ZipMap
    expected = model.predict_proba(X)
    assert [sorted(row) for row in dicts[:1]] == [sorted(model.classes_)]
    proba = np.array([[row[label] for label in model.classes_] for row in dicts])
    assert_allclose(proba, expected, rtol=0, atol=1e-5)
    _assert_labels_equal(labels, model, X, expected)

    options = {"zipmap": False, "nocl": True}
    indices, _ = _run(skl2onnx.to_onnx(model, X[:1], options=options), X)
    _assert_labels_equal(model.classes_[indices], model, X, expected)


def test_onnx_of_an_unfitted_model_says_so(X):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        skl2onnx.to_onnx(ShallowNNClassifier(), X[:1], options={"zipmap": False})


def test_register_onnx_converter_is_idempotent(X):
    shallow_onnx.register_onnx_converter()
    shallow_onnx.register_onnx_converter()
    model = ShallowNNClassifier(n1=4, solver="lbfgs", max_iter=20, tol=None, random_state=0)
    model.fit(X, _target("binary", X))
    _, proba = _run(skl2onnx.to_onnx(model, X[:1], options={"zipmap": False}), X)
    assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-5)


def test_importing_the_module_registers_the_converter():
    # A fresh interpreter, where only the import can have registered it.
    code = textwrap.dedent(
        """
        import numpy as np
        import skl2onnx
        from sklearn_shallow import ShallowNNClassifier
        X = np.random.RandomState(0).rand(20, 3).astype(np.float32)
        model = ShallowNNClassifier(n1=2, max_iter=2, tol=None).fit(X, np.tile([0, 1], 10))
        try:
            skl2onnx.to_onnx(model, X[:1])
        except Exception as error:
            print("before import:", type(error).__name__)
        import sklearn_shallow.onnx
        skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
        print("after import: ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    before, after = result.stdout.splitlines()
    assert before.startswith("before import:") and after == "after import: ok"


def test_register_without_skl2onnx_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # makes `import skl2onnx` fail
    with pytest.raises(ImportError, match=r'pip install "sklearn-shallow\[onnx\]"'):
        shallow_onnx.register_onnx_converter()


def test_onnx_float_class_labels_come_back_as_int64(X):
    y = (X[:, 0] + X[:, 1] > 0).astype(np.float64)
    clf = ShallowNNClassifier(n1=4, solver="lbfgs", max_iter=50, tol=None, random_state=0)
    clf.fit(X, y)
    labels, proba = _run(skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False}), X)
    assert labels.dtype == np.int64
    _assert_labels_equal(labels, clf, X, proba)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor_graph_reproduces_predict(X, loss, n_targets):
    y = np.c_[np.exp(0.3 * X[:, 0]), np.abs(X[:, 1]) + 5.0][:, :n_targets]
    y = y[:, 0] if n_targets == 1 else y
    model = make_pipeline(
        MinMaxScaler(), ShallowNNRegressor(n1=8, loss=loss, max_iter=20, tol=None, random_state=0)
    ).fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1])
    (variable,) = _run(onx, X)
    assert variable.shape == (200, n_targets)
    expected = model.predict(X).reshape(200, -1)
    assert_allclose(variable, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
