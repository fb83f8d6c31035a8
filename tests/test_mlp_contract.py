"""scikit-learn's own MLP tests, run against our estimators through MLP's names.

Every test function of ``sklearn.neural_network.tests.test_mlp`` (the installed
scikit-learn's) is rebuilt here with ``MLPClassifier`` and ``MLPRegressor``
replaced by the adaptors of ``_mlp_adaptor`` (over ``ShallowNNClassifier`` and
``ShallowNNRegressor``), keeping its name, its parametrizations and its other
marks. A test that cannot apply to a one-hidden-layer network, or that needs an
MLP internal with no counterpart in ours, is listed in ``NOT_APPLICABLE`` with
the reason and skipped; every other one runs, and a failure is a difference in
behaviour from MLP's.

scikit-learn's ``global_random_seed`` fixture is provided below: 42, its default
(or the single seed set in ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED``).
"""

import os
import types

import pytest
import sklearn.neural_network.tests.test_mlp as sklearn_tests
from _mlp_adaptor import (
    RENAMED,
    MLPClassifierAdaptor,
    MLPRegressorAdaptor,
    NotOneHiddenLayerError,
    translate,
)
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor

ADAPTORS = {MLPClassifier: MLPClassifierAdaptor, MLPRegressor: MLPRegressorAdaptor}

TWO_HIDDEN_LAYERS = "uses hidden_layer_sizes=(5, 3): two hidden layers; ours has one"

NOT_APPLICABLE = {
    "test_gradient": (
        "calls MLP's private _loss_grad_lbfgs(theta, X, Y, ...) with its preallocated "
        "per-layer buffers; ours has no such method (our gradients are checked against "
        "central finite differences through network.backward in test_network.py)"
    ),
    "test_nonfinite_params": (
        "the same ValueError for the same input (X of 1e308), with our message: it names "
        "the epoch, the loss, alpha and input scaling instead of MLP's wording"
    ),
    "test_early_stopping_stratified": (
        "the same ValueError for a class of one sample under early stopping, with our "
        "message naming the class and the remedies; MLP's regex matches "
        "train_test_split's own words about its internal 0/1 encoding ('True')"
    ),
    "test_warm_start": (
        "the same ValueError for a warm start on other classes, with our message "
        "('warm_start needs y to hold the same classes as the previous call to fit: "
        "previously [0, 1, 2], now [0, 1].'); the test matches MLP's wording"
    ),
    "test_mlp_classifier_dtypes_casting": TWO_HIDDEN_LAYERS,
    "test_mlp_regressor_dtypes_casting": TWO_HIDDEN_LAYERS,
    "test_mlp_param_dtypes": TWO_HIDDEN_LAYERS,
}


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture (sklearn/conftest.py), one seed: 42 unless the variable says."""
    seed = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", "42")
    return int(seed) if seed.isdigit() else 42


def _adapted(value):
    if isinstance(value, (list, tuple)):
        return type(value)(_adapted(v) for v in value)
    return ADAPTORS.get(value, value) if isinstance(value, type) else value


def _adapted_mark(mark):
    """A copy of ``mark`` whose parametrize values name the adaptors instead of MLP's classes."""
    if mark.name != "parametrize":
        return mark
    argnames, argvalues, *rest = mark.args
    return getattr(pytest.mark, mark.name)(
        argnames, [_adapted(v) for v in argvalues], *rest, **mark.kwargs
    ).mark


def _rebuilt(name):
    """The sklearn test ``name`` with the adaptors in its globals, its marks kept."""
    test = getattr(sklearn_tests, name)
    namespace = {**vars(sklearn_tests), "MLPClassifier": MLPClassifierAdaptor}
    namespace["MLPRegressor"] = MLPRegressorAdaptor
    rebuilt = types.FunctionType(
        test.__code__, namespace, name, test.__defaults__, test.__closure__
    )
    rebuilt.__doc__ = test.__doc__
    rebuilt.__module__ = __name__
    marks = [_adapted_mark(mark) for mark in getattr(test, "pytestmark", [])]
    if name in NOT_APPLICABLE:
        marks.append(pytest.mark.skip(reason=f"not applicable: {NOT_APPLICABLE[name]}").mark)
    rebuilt.pytestmark = marks
    return rebuilt


SKLEARN_TEST_NAMES = sorted(
    name
    for name, obj in vars(sklearn_tests).items()
    if name.startswith("test_") and isinstance(obj, types.FunctionType)
)

for _name in SKLEARN_TEST_NAMES:
    globals()[_name] = _rebuilt(_name)


# ------------------------------------------------------- the adaptor itself


def test_sklearn_tests_are_all_collected_and_reasons_name_real_tests():
    assert len(SKLEARN_TEST_NAMES) == 43
    assert set(NOT_APPLICABLE) <= set(SKLEARN_TEST_NAMES)


@pytest.mark.parametrize(
    "mlp, adaptor, ours",
    [
        (MLPClassifier, MLPClassifierAdaptor, ShallowNNClassifier),
        (MLPRegressor, MLPRegressorAdaptor, ShallowNNRegressor),
    ],
)
def test_adaptor_has_mlps_parameters_and_defaults(mlp, adaptor, ours):
    assert adaptor().get_params() == mlp().get_params()
    translated = translate(adaptor().get_params())
    # Every MLP parameter reaches one of ours, passed explicitly (our defaults differ).
    assert set(translated) <= set(ours().get_params())
    assert translated["alpha"] == 0.001 != ours().alpha
    assert translated["max_iter"] == 200 != ours().max_iter
    assert set(RENAMED.values()) | {"n1"} <= set(translated)


def test_adaptor_clones_and_refuses_deeper_networks():
    adaptor = MLPRegressorAdaptor(hidden_layer_sizes=7, alpha=0.5, learning_rate_init=0.1)
    assert clone(adaptor).get_params() == adaptor.get_params()
    assert translate(adaptor.get_params())["n1"] == 7
    with pytest.raises(NotOneHiddenLayerError, match="2 hidden layers"):
        MLPClassifierAdaptor(hidden_layer_sizes=(5, 3)).fit([[0.0], [1.0]], [0, 1])


def test_adaptor_coefs_are_ours_transposed_and_write_through(iris):
    X, y = iris
    adaptor = MLPClassifierAdaptor(hidden_layer_sizes=4, max_iter=5, random_state=0)
    with pytest.warns(Warning):
        adaptor.fit(X, y)
    params = adaptor.estimator_.params_
    assert_allclose(adaptor.coefs_[0], params["W1"].T)
    assert_allclose(adaptor.intercepts_[1], params["b2"].ravel())
    adaptor.coefs_ = [0 * c for c in adaptor.coefs_]
    assert not adaptor.estimator_.params_["W1"].any()
    assert adaptor.out_activation_ == "softmax"
