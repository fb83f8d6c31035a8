"""Reliability: bad input fails loudly and clearly, failures leave no trace, runs repeat.

The catalogue is one table. Each entry is a call on bad data or with a bad
hyper-parameter, the exception types it may raise, and a pattern that its message
must match: the pattern names the argument or parameter *and* the offending value,
so that a message such as ``IndexError: index 2 is out of bounds`` or a generic
"invalid input" fails the test.
"""

import copy
import math
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification

from sklearn_shallow import ShallowNNClassifier

FAST = {"n1": 3, "max_iter": 3, "random_state": 0, "tol": None}
BAD = (ValueError, TypeError)


def _clf(**params):
    return ShallowNNClassifier(**{**FAST, **params})


def _with(X, row, col, value):
    X = X.copy()
    X[row, col] = value
    return X


def _fitted(X, y, **params):
    return _clf(**params).fit(X, y)


# --------------------------------------------------------------- the catalogue
# Each action receives ``X`` (20 x 3 floats) and ``y`` (alternating 0 and 1).

DATA_CASES = [
    # X itself
    ("X_nan", lambda X, y: _clf().fit(_with(X, 0, 0, np.nan), y), r"Input X contains NaN"),
    ("X_inf", lambda X, y: _clf().fit(_with(X, 1, 1, np.inf), y), r"Input X contains infinity"),
    (
        "X_minus_inf",
        lambda X, y: _clf().fit(_with(X, 1, 1, -np.inf), y),
        r"Input X contains infinity",
    ),
    (
        "X_empty",
        lambda X, y: _clf().fit(np.empty((0, 3)), np.empty(0)),
        r"0 sample\(s\) \(shape=\(0, 3\)\)",
    ),
    (
        "X_no_features",
        lambda X, y: _clf().fit(np.empty((20, 0)), y),
        r"0 feature\(s\) \(shape=\(20, 0\)\)",
    ),
    ("X_complex", lambda X, y: _clf().fit(X + 1j, y), r"(?s)Complex data not supported.*\+1\.?j"),
    (
        "X_object_strings",
        lambda X, y: _clf().fit(np.full((20, 3), "a", dtype=object), y),
        r"could not convert string to float: 'a'",
    ),
    ("X_3d", lambda X, y: _clf().fit(X.reshape(20, 3, 1), y), r"Found array with dim 3"),
    ("X_1d", lambda X, y: _clf().fit(X[:, 0], y), r"Expected 2D array, got 1D array"),
    (
        "X_y_length_mismatch",
        lambda X, y: _clf().fit(X, y[:-1]),
        r"inconsistent numbers of samples: \[20, 19\]",
    ),
    # y
    ("y_nan", lambda X, y: _clf().fit(X, np.where(y == 0, np.nan, 1.0)), r"Input y contains NaN"),
    (
        "y_inf",
        lambda X, y: _clf().fit(X, np.where(y == 0, np.inf, 1.0)),
        r"Input y contains infinity",
    ),
    (
        "y_continuous",
        lambda X, y: _clf().fit(X, np.linspace(0, 1, 20)),
        r"Unknown label type: continuous",
    ),
    (
        "early_stopping_class_of_one",
        lambda X, y: _clf(early_stopping=True).fit(X, np.r_[["a"], ["b"] * 19]),
        r"at least 2 samples of each class; class 'a' has 1",
    ),
    (
        "early_stopping_validation_of_one",
        lambda X, y: _clf(early_stopping=True, validation_fraction=0.05).fit(X, y),
        r"The validation set is too small: validation_fraction=0\.05 of 20 samples holds out 1",
    ),
    (
        "y_multiclass_multioutput",
        lambda X, y: _clf().fit(X, np.c_[y, np.arange(20) % 3]),
        r"y must be 1-D.*multiclass-multioutput",
    ),
    # predict
    (
        "predict_fewer_features",
        lambda X, y: _fitted(X, y).predict(X[:, :2]),
        r"X has 2 features.*expecting 3",
    ),
    (
        "predict_proba_more_features",
        lambda X, y: _fitted(X, y).predict_proba(np.c_[X, X]),
        r"X has 6 features.*expecting 3",
    ),
    (
        "predict_nan",
        lambda X, y: _fitted(X, y).predict(_with(X, 2, 0, np.nan)),
        r"Input X contains NaN",
    ),
    # sample_weight and class_weight
    (
        "sample_weight_negative",
        lambda X, y: _clf().fit(X, y, sample_weight=np.r_[-1.0, np.ones(19)]),
        r"Negative values in data passed to `sample_weight`",
    ),
    (
        "sample_weight_nan",
        lambda X, y: _clf().fit(X, y, sample_weight=np.r_[np.nan, np.ones(19)]),
        r"Input sample_weight contains NaN",
    ),
    (
        "sample_weight_inf",
        lambda X, y: _clf().fit(X, y, sample_weight=np.r_[np.inf, np.ones(19)]),
        r"Input sample_weight contains infinity",
    ),
    (
        "sample_weight_wrong_length",
        lambda X, y: _clf().fit(X, y, sample_weight=np.ones(19)),
        r"sample_weight.shape == \(19,\), expected \(20,\)",
    ),
    (
        "sample_weight_2d",
        lambda X, y: _clf().fit(X, y, sample_weight=np.ones((20, 2))),
        r"Sample weights must be 1D array or scalar, got 2D",
    ),
    (
        "sample_weight_all_zero",
        lambda X, y: _clf().fit(X, y, sample_weight=np.zeros(20)),
        r"Sample weights must contain at least one non-zero number",
    ),
    (
        "class_weight_all_zero",
        lambda X, y: _clf(class_weight={0: 0, 1: 0}).fit(X, y),
        r"every weight of sample_weight \(times class_weight\) is zero",
    ),
    (
        "class_weight_unknown_key",
        lambda X, y: _clf(class_weight={0: 1, 7: 2}).fit(X, y),
        r"class_weight has keys \['7'\] that are not classes",
    ),
    (
        "class_weight_negative",
        lambda X, y: _clf(class_weight={0: -1, 1: 1}).fit(X, y),
        r"class_weight.*-1",
    ),
    (
        "class_weight_nan",
        lambda X, y: _clf(class_weight={0: np.nan, 1: 1}).fit(X, y),
        r"class_weight.*nan",
    ),
    (
        "class_weight_balanced_partial_fit",
        lambda X, y: _clf(class_weight="balanced").partial_fit(X, y, classes=[0, 1]),
        r"class_weight='balanced' is not supported by partial_fit",
    ),
    (
        "class_weight_multilabel",
        lambda X, y: _clf(class_weight="balanced").fit(X, np.c_[y, 1 - y]),
        r"class_weight='balanced' is not supported for multilabel",
    ),
    # partial_fit and its classes
    (
        "partial_fit_unseen_label",
        lambda X, y: _clf().partial_fit(X, y, classes=[0, 1]).partial_fit(X, y + 5),
        r"y contains labels that are not in classes_=\[0, 1\]: \[5, 6\]",
    ),
    (
        "partial_fit_without_classes",
        lambda X, y: _clf().partial_fit(X, y),
        r"classes must be passed on the first call to partial_fit",
    ),
    (
        "partial_fit_classes_miss_a_label",
        lambda X, y: _clf().partial_fit(X, np.arange(20) % 3, classes=[0, 1]),
        r"y contains labels that are not in classes_=\[0, 1\]: \[2\]",
    ),
    (
        "partial_fit_classes_2d",
        lambda X, y: _clf().partial_fit(X, y, classes=[[0, 1]]),
        r"classes must be a 1-D array.*shape \(1, 2\)",
    ),
    (
        "partial_fit_classes_nan",
        lambda X, y: _clf().partial_fit(X, y, classes=[0, 1, np.nan]),
        r"classes must not contain NaN.*nan",
    ),
    (
        "partial_fit_classes_changed",
        lambda X, y: _clf().partial_fit(X, y, classes=[0, 1]).partial_fit(X, y, classes=[0, 1, 2]),
        r"classes=\[0, 1, 2\].*classes_=\[0, 1\]",
    ),
    (
        "partial_fit_multilabel_width",
        lambda X, y: _clf().partial_fit(X, np.c_[y, y, y], classes=[0, 1]),
        r"y has 3 labels but classes has 2",
    ),
    (
        "partial_fit_other_width",
        lambda X, y: _clf().partial_fit(X, y, classes=[0, 1]).partial_fit(X[:, :2], y),
        r"X has 2 features.*expecting 3",
    ),
    (
        "warm_start_other_classes",
        lambda X, y: _clf(warm_start=True).fit(X, y).fit(X, np.arange(20) % 3),
        r"previously \[0, 1\], now \[0, 1, 2\]",
    ),
    # the explicit validation set
    (
        "X_val_other_width",
        lambda X, y: _clf().fit(X, y, X_val=X[:, :2], y_val=y),
        r"X_val has 2 features.*3",
    ),
    (
        "X_val_nan",
        lambda X, y: _clf().fit(X, y, X_val=_with(X, 0, 0, np.nan), y_val=y),
        r"Input X_val contains NaN",
    ),
    (
        "y_val_unseen_labels",
        lambda X, y: _clf().fit(X, y, X_val=X, y_val=y + 5),
        r"y_val contains labels that are not in classes_=\[0, 1\]: \[5, 6\]",
    ),
    (
        "y_val_2d_for_1d_y",
        lambda X, y: _clf().fit(X, y, X_val=X, y_val=np.c_[y, y, y]),
        r"y_val must be 1-D.*shape \(20, 3\)",
    ),
    (
        "X_val_without_y_val",
        lambda X, y: _clf().fit(X, y, X_val=X),
        r"X_val and y_val must be given together",
    ),
    (
        "y_val_without_X_val",
        lambda X, y: _clf().fit(X, y, y_val=y),
        r"X_val and y_val must be given together",
    ),
    (
        "X_val_y_val_length_mismatch",
        lambda X, y: _clf().fit(X, y, X_val=X, y_val=y[:-1]),
        r"X_val has 20 samples but y_val has 19",
    ),
    (
        "validation_fraction_leaves_no_training_data",
        lambda X, y: _clf(early_stopping=True, validation_fraction=0.99).fit(X, y),
        r"validation_fraction=0.99.*20 samples",
    ),
]

# One bad value (at least) for every hyper-parameter; InvalidParameterError is both
# a ValueError and a TypeError, and its message names the parameter and the value.
PARAM_CASES = [
    ("n1", 0),
    ("n1", -3),
    ("n1", 2.5),
    ("n1", "10"),
    ("activation", "foo"),
    ("input_scaling", "zscore"),
    ("input_scaling", 1),
    ("activation", "logistic"),
    ("solver", "newton"),
    ("alpha", -1),
    ("alpha", 0),
    ("alpha", math.nan),
    ("alpha", math.inf),
    ("l2", -1),
    ("l2", math.nan),
    ("batch_size", 0),
    ("batch_size", 1.5),
    ("batch_size", "all"),
    ("learning_rate", "bar"),
    ("power_t", -0.5),
    ("max_iter", 1.5),
    ("max_iter", 0),
    ("shuffle", "yes"),
    ("random_state", "seed"),
    ("random_state", -1),
    ("tol", -1),
    ("tol", math.nan),
    ("verbose", -1),
    ("warm_start", 2),
    ("momentum", 2),
    ("momentum", -0.1),
    ("nesterovs_momentum", "no"),
    ("early_stopping", "x"),
    ("validation_fraction", 1.0),
    ("validation_fraction", 0.0),
    ("beta_1", 1),
    ("beta_2", 1.5),
    ("epsilon", 0),
    ("n_iter_no_change", 0),
    ("max_fun", 0),
    ("class_weight", "foo"),
    ("class_weight", 3),
    ("callback", 3),
]


def _param_action(name, value):
    return lambda X, y: _clf(**{name: value}).fit(X, y)


def _param_pattern(name, value):
    return rf"'{name}' parameter.*Got {re.escape(repr(value))} instead"


CATALOGUE = [pytest.param(action, pattern, id=case_id) for case_id, action, pattern in DATA_CASES]
CATALOGUE += [
    pytest.param(_param_action(name, value), _param_pattern(name, value), id=f"{name}={value!r}")
    for name, value in PARAM_CASES
]


@pytest.fixture
def Xy():
    rng = np.random.RandomState(0)
    return rng.rand(20, 3), np.tile([0, 1], 10)


def test_catalogue_is_large_and_covers_every_hyper_parameter():
    assert len(CATALOGUE) >= 40
    assert {name for name, _ in PARAM_CASES} == set(ShallowNNClassifier().get_params())


@pytest.mark.parametrize(("action", "pattern"), CATALOGUE)
def test_bad_input_raises_a_clear_error(action, pattern, Xy):
    X, y = Xy
    with np.errstate(all="raise"), pytest.raises(BAD, match=pattern):
        action(X, y)


# ----------------------------------------------- failures leave the estimator


def _fitted_state(estimator):
    """Everything in ``vars(estimator)`` except the constructor's parameters."""
    params = estimator.get_params(deep=False)
    return {
        key: copy.deepcopy(value) for key, value in vars(estimator).items() if key not in params
    }


def _assert_same(a, b, path="state"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            _assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (u, v) in enumerate(zip(a, b, strict=True)):
            _assert_same(u, v, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, path
        assert_array_equal(a, b, err_msg=path, strict=True)
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), path
    else:
        assert a == b, path


class _Interrupt:
    """A callback that presses Ctrl-C after ``after`` epochs."""

    def __init__(self, after):
        self.after = after

    def __call__(self, estimator, record):
        if record["epoch"] >= self.after:
            raise KeyboardInterrupt


@pytest.fixture
def problem():
    return make_classification(n_samples=60, n_features=4, random_state=0)


def _fail_with_a_class_too_small_to_split(model, X, y):
    model.set_params(early_stopping=True)
    with pytest.raises(ValueError, match="at least 2 samples of each class"):
        model.fit(np.c_[X, X], np.r_[[7], y[1:]])


def _fail_with_nan(model, X, y):
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.fit(_with(X, 0, 0, np.nan), y)


def _fail_by_divergence(model, X, y):
    # Full-batch gradient descent with a huge learning rate on unscaled relu units:
    # the weights overflow within ~30 epochs.
    model.set_params(
        solver="gd", activation="relu", alpha=1e4, max_iter=60, tol=None, input_scaling=None
    )
    with pytest.raises(ValueError, match=r"diverged.*alpha=10000\.0"):
        model.fit(100 * X, y)


def _fail_by_interrupted_fit(model, X, y):
    model.set_params(callback=_Interrupt(after=2), max_iter=10)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)


def _fail_by_interrupted_warm_start(model, X, y):
    model.set_params(callback=_Interrupt(after=model.n_iter_ + 2), max_iter=10, warm_start=True)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)


def _fail_by_interrupted_partial_fit(model, X, y):
    model.set_params(callback=_Interrupt(after=0))
    with pytest.raises(KeyboardInterrupt):
        model.partial_fit(X, y)


def _fail_by_interrupted_lbfgs(model, X, y):
    model.set_params(solver="lbfgs", callback=_Interrupt(after=2), max_iter=10)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)


@pytest.mark.parametrize(
    "fail",
    [
        _fail_with_a_class_too_small_to_split,
        _fail_with_nan,
        _fail_by_divergence,
        _fail_by_interrupted_fit,
        _fail_by_interrupted_warm_start,
        _fail_by_interrupted_partial_fit,
        _fail_by_interrupted_lbfgs,
    ],
    ids=lambda f: f.__name__.removeprefix("_fail_"),
)
def test_failed_fit_leaves_a_fitted_estimator_as_it_was(fail, problem):
    X, y = problem
    model = ShallowNNClassifier(n1=5, max_iter=5, tol=None, random_state=0).fit(X, y)
    before, proba = _fitted_state(model), model.predict_proba(X)
    fail(model, X, y)
    _assert_same(_fitted_state(model), before)
    assert_array_equal(model.predict_proba(X), proba, strict=True)


# --------------------------------------------------------------- determinism


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
def test_same_random_state_gives_bit_identical_params(solver, problem):
    X, y = problem
    params = dict(n1=6, solver=solver, max_iter=15, batch_size=16, random_state=42, tol=None)
    first = ShallowNNClassifier(**params).fit(X, y).params_
    second = ShallowNNClassifier(**params).fit(X, y).params_
    assert first.keys() == second.keys()
    for name in first:
        assert_array_equal(first[name], second[name], strict=True)
    # A different seed must give different weights, or the comparison above is empty.
    other = ShallowNNClassifier(**{**params, "random_state": 43}).fit(X, y).params_
    assert not np.array_equal(first["W1"], other["W1"])


def test_concurrent_predict_proba_equals_serial(problem):
    X, y = problem
    model = ShallowNNClassifier(n1=8, max_iter=5, tol=None, random_state=0).fit(X, y)
    X_big = np.tile(X, (50, 1))
    serial = model.predict_proba(X_big)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: model.predict_proba(X_big), range(8)))
    for result in results:
        assert_array_equal(result, serial, strict=True)
