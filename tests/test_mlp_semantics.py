"""Where MLPClassifier and MLPRegressor define a behaviour, both estimators keep it.

Each test names one of the differences a user switching from MLP met before
(issue 14): ``n_iter_`` per call, ``n_iter_no_change=np.inf``, ``partial_fit``
with ``early_stopping``, a ``y`` of one class, the verbose lines. scikit-learn's
own MLP tests run against both estimators in ``test_mlp_contract.py``.
"""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor

ESTIMATORS = [ShallowNNClassifier, ShallowNNRegressor]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_n_iter_counts_the_epochs_of_the_last_warm_started_fit(iris, Estimator, solver):
    X, y = iris
    model = Estimator(
        5, solver=solver, warm_start=True, max_iter=10, n_iter_no_change=np.inf, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert model.n_iter_ == 10
    with pytest.warns(ConvergenceWarning):
        model.set_params(max_iter=20).fit(X, y)
    assert model.n_iter_ == 20
    # Every epoch since the network was initialised stays in the history.
    assert len(model.loss_curve_) == len(model.history_["loss"]) == 30


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_n_iter_of_partial_fit_is_its_one_epoch(iris, Estimator):
    X, y = iris
    model = Estimator(5, random_state=0)
    kwargs = {"classes": [0, 1, 2]} if Estimator is ShallowNNClassifier else {}
    for _ in range(3):
        model.partial_fit(X, y, **kwargs)
        assert model.n_iter_ == 1
    assert len(model.loss_curve_) == 3
    assert model.t_ == 3 * len(X)


def test_n_iter_matches_mlp_over_warm_starts(iris):
    X, y = iris
    ours = ShallowNNClassifier(5, solver="sgd", warm_start=True, max_iter=4, tol=None)
    mlp = MLPClassifier((5,), solver="sgd", warm_start=True, max_iter=4)
    with pytest.warns(ConvergenceWarning):
        mlp.fit(X, y).fit(X, y)
    ours.fit(X, y).fit(X, y)
    assert ours.n_iter_ == mlp.n_iter_ == 4


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_infinite_n_iter_no_change_never_stops_early(iris, Estimator):
    X, y = iris
    model = Estimator(5, solver="sgd", tol=1e9, max_iter=25, n_iter_no_change=np.inf)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert model.n_iter_ == 25
    finite = Estimator(5, solver="sgd", tol=1e9, max_iter=25, n_iter_no_change=3).fit(X, y)
    MLPEstimator = MLPClassifier if Estimator is ShallowNNClassifier else MLPRegressor
    mlp = MLPEstimator(
        hidden_layer_sizes=(5,), solver="sgd", tol=1e9, max_iter=25, n_iter_no_change=3
    ).fit(X, y)
    assert finite.n_iter_ == mlp.n_iter_ == 5  # the first epoch improves on an infinite loss


@pytest.mark.parametrize("value", [0, -np.inf, 2.5, np.nan])
def test_n_iter_no_change_accepts_positive_integers_and_inf_only(iris, value):
    X, y = iris
    with pytest.raises(ValueError, match="n_iter_no_change"):
        ShallowNNClassifier(5, n_iter_no_change=value).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_refuses_early_stopping_and_keeps_the_model(iris, Estimator):
    X, y = iris
    kwargs = {"classes": [0, 1, 2]} if Estimator is ShallowNNClassifier else {}
    model = Estimator(5, random_state=0).partial_fit(X, y, **kwargs)
    before = {name: P.copy() for name, P in model.params_.items()}
    model.set_params(early_stopping=True)
    for estimator in (model, Estimator(5, early_stopping=True)):
        with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
            estimator.partial_fit(X, y, **kwargs)
    for name, P in before.items():
        assert_array_equal(model.params_[name], P)
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 1
    MLPEstimator = MLPClassifier if Estimator is ShallowNNClassifier else MLPRegressor
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        MLPEstimator(early_stopping=True).partial_fit(X, y, **kwargs)


@pytest.mark.parametrize("labels", [np.zeros(150, int), np.array(["spam"] * 150)])
def test_one_class_is_fitted_and_always_predicted(iris, labels):
    X, _ = iris
    model = ShallowNNClassifier(5, random_state=0).fit(X, labels)
    assert_array_equal(model.classes_, labels[:1])
    assert_array_equal(model.predict(X), labels)
    assert_array_equal(model.predict_proba(X), np.ones((150, 1)))
    assert_array_equal(model.predict_log_proba(X), np.zeros((150, 1)))
    assert model.score(X, labels) == 1.0
    # MLPClassifier fits it too, and predicts the one class.
    assert_array_equal(MLPClassifier((5,), max_iter=5).fit(X, labels).predict(X), labels)


def test_one_class_continues_with_partial_fit(iris):
    X, _ = iris
    model = ShallowNNClassifier(5, random_state=0)
    model.partial_fit(X, np.ones(150, int), classes=[1])
    model.partial_fit(X[:10], np.ones(10, int))
    assert_array_equal(model.predict(X), np.ones(150, int))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_verbose_prints_mlps_iteration_lines_then_the_scores(iris, Estimator, solver, capsys):
    X, y = iris
    Estimator(5, solver=solver, max_iter=3, tol=None, verbose=2, random_state=0).fit(X, y)
    out, err = capsys.readouterr()
    score = "accuracy" if Estimator is ShallowNNClassifier else "r2"
    pattern = rf"Iteration (\d+), loss = \d+\.\d{{8}}, {score} = -?\d+\.\d{{4}}"
    numbers = [int(re.fullmatch(pattern, line).group(1)) for line in out.splitlines()]
    assert numbers == [1, 2, 3]
    assert err == ""


def test_warm_started_fit_restarts_the_invscaling_schedule_at_alpha(iris):
    """As MLP's fresh optimiser at each fit: epoch 1 at alpha, then alpha / (t_ + 1) ** power_t."""
    X, y = iris
    model = ShallowNNClassifier(
        5, solver="sgd", learning_rate="invscaling", alpha=0.1, max_iter=3, tol=None
    )
    model.set_params(warm_start=True).fit(X, y).fit(X, y)
    first = [0.1 / (t + 1) ** 0.5 for t in (0, 150, 300)]
    second = [0.1] + [0.1 / (t + 1) ** 0.5 for t in (600, 750)]
    assert_allclose(model.history_["learning_rate"], first + second, rtol=1e-15)


def test_a_split_too_small_for_every_class_warns_and_is_random(iris):
    X, y = iris
    model = ShallowNNClassifier(5, early_stopping=True, validation_fraction=0.01, max_iter=3)
    with pytest.warns(UserWarning, match="cannot hold all 3 classes on both sides"):
        model.fit(X, y)


def _huge_input():
    rng = np.random.RandomState(0)
    return np.finfo(np.float64).max * rng.uniform(size=(10, 2)), rng.standard_normal(10)


def _warm_start_on_fewer_classes(Estimator, iris):
    X, y = iris
    model = Estimator(hidden_layer_sizes=(5,), warm_start=True, max_iter=3)
    model.fit(X, y)
    return model, X[y < 2], y[y < 2]


@pytest.mark.parametrize("case", ["huge_input", "warm_start_classes", "class_of_one"])
def test_where_mlp_raises_ours_raises_a_value_error_in_its_own_words(iris, case):
    """The three tests of MLP's suite that match MLP's message (test_mlp_contract.py)."""
    if case == "huge_input":
        X, y = _huge_input()
        # Trained on the inputs as given; by default ours scales them and fits.
        calls = [(MLPRegressor(), X, y), (ShallowNNRegressor(input_scaling=None), X, y)]
        message = "diverged at epoch 1.*input is not scaled"
    elif case == "warm_start_classes":
        with pytest.warns(ConvergenceWarning):
            mlp, X, y = _warm_start_on_fewer_classes(MLPClassifier, iris)
        ours = ShallowNNClassifier(5, warm_start=True, max_iter=3).fit(*iris)
        calls = [(mlp, X, y), (ours, X, y)]
        message = r"same classes as the previous call to fit: previously \[0, 1, 2\], now \[0, 1\]"
    else:
        X, y = np.array([[1, 2], [2, 3], [3, 4], [4, 5]]), np.array([0, 0, 0, 1])
        calls = [(MLPClassifier(early_stopping=True), X, y)]
        calls.append((ShallowNNClassifier(early_stopping=True), X, y))
        message = "at least 2 samples of each class; class 1 has 1"
    (mlp, X_mlp, y_mlp), (ours, X_ours, y_ours) = calls
    with pytest.raises(ValueError), np.errstate(all="ignore"):
        mlp.fit(X_mlp, y_mlp)
    with pytest.raises(ValueError, match=message):
        ours.fit(X_ours, y_ours)


def test_inputs_near_the_largest_float_are_fitted_where_mlp_raises():
    X, y = _huge_input()
    with pytest.raises(ValueError), np.errstate(all="ignore"):
        MLPRegressor().fit(X, y)
    ours = ShallowNNRegressor(max_iter=20, tol=None).fit(X, y)  # input_scaling='minmax'
    assert np.isfinite(ours.predict(X)).all()
    assert_allclose(ours.predict(X[:3]), ours.predict(X)[:3])
