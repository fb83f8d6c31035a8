"""ShallowNNClassifierCV and ShallowNNRegressorCV: GridSearchCV's scores, pruning, refit."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_wine, make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, train_test_split

from sklearn_shallow import (
    ShallowNNClassifier,
    ShallowNNClassifierCV,
    ShallowNNRegressor,
    ShallowNNRegressorCV,
)

GRID = {"n1": [5, 20], "alpha": [0.003, 0.03], "l2": [0.0001, 0.01]}


@pytest.fixture
def wine():
    return load_wine(return_X_y=True)


@pytest.fixture
def friedman():
    return make_friedman1(n_samples=200, noise=0.5, random_state=0)


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _problem(task, wine, friedman):
    if task == "classifier":
        return ShallowNNClassifier, ShallowNNClassifierCV, *wine, StratifiedKFold
    return ShallowNNRegressor, ShallowNNRegressorCV, *friedman, KFold


@pytest.mark.parametrize("task", ["classifier", "regressor"])
@pytest.mark.parametrize("scoring", [None, "explained_variance_or_log_loss"])
def test_grid_search_gives_gridsearchcvs_scores(wine, friedman, task, scoring):
    Single, Search, X, y, Folds = _problem(task, wine, friedman)
    if scoring is not None:
        scoring = "neg_log_loss" if task == "classifier" else "explained_variance"
    folds = Folds(3, shuffle=True, random_state=0)
    options = dict(max_iter=30, random_state=0)
    reference = GridSearchCV(Single(**options), GRID, cv=folds, scoring=scoring).fit(X, y)
    search = Search(**options, param_grid=GRID, cv=folds, scoring=scoring, search="grid")
    search.fit(X, y)
    ours, theirs = search.cv_results_, reference.cv_results_
    assert [p for p in ours["params"]] == [p for p in theirs["params"]]
    for key in ("mean_test_score", "std_test_score", "split0_test_score", "split2_test_score"):
        assert_allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12)
    assert_array_equal(ours["rank_test_score"], theirs["rank_test_score"])
    assert search.best_params_ == reference.best_params_
    assert search.best_score_ == pytest.approx(reference.best_score_, rel=1e-9)


def test_cv_results_has_gridsearchcvs_keys_and_makes_a_data_frame(wine):
    X, y = wine
    reference = GridSearchCV(ShallowNNClassifier(max_iter=5), GRID, cv=3).fit(X, y)
    search = ShallowNNClassifierCV(param_grid=GRID, cv=3, max_iter=5).fit(X, y)
    assert set(reference.cv_results_) <= set(search.cv_results_)
    frame = pd.DataFrame(search.cv_results_)
    assert len(frame) == 8 and {"n_epochs", "round", "param_n1"} <= set(frame.columns)
    assert search.n_splits_ == 3


def test_halving_keeps_the_better_third_and_continues_it(wine):
    X, y = wine
    grid = {"n1": [5, 10, 20], "alpha": [0.001, 0.003, 0.01, 0.03], "l2": [0.0001]}
    search = ShallowNNClassifierCV(param_grid=grid, cv=3, random_state=0).fit(X, y)
    results = search.cv_results_
    rounds = results["round"]
    # 12 candidates -> 4 after the first round (10 epochs) -> 1 (with 30 more) -> its end.
    assert np.bincount(rounds).tolist() == [8, 3, 1]
    assert_allclose(results["n_epochs"][rounds == 0], 10)
    assert_allclose(results["n_epochs"][rounds == 1], 40)
    assert (results["n_epochs"][rounds == 2] > 40).all()
    best = search.best_index_
    assert rounds[best] == 2 and results["rank_test_score"][best] == 1
    # Each round kept the candidates with the best mean test score of the round before.
    first = results["mean_test_score"][rounds == 0]
    assert first.max() <= np.sort(results["mean_test_score"][rounds >= 1])[-1] + 0.2


def test_a_candidate_trained_in_rounds_is_the_one_trained_without_pausing(wine):
    """Continuing from where it was: the same state as an uninterrupted fit."""
    X, y = wine
    grid = {"n1": [5, 10, 20, 40], "alpha": [0.01]}
    options = dict(cv=KFold(3), random_state=0, tol=None, max_iter=40)
    halving = ShallowNNClassifierCV(param_grid=grid, **options).fit(X, y)
    grid_search = ShallowNNClassifierCV(param_grid=grid, **options, search="grid").fit(X, y)
    kept = halving.cv_results_["round"] == 1
    assert_allclose(
        halving.cv_results_["mean_test_score"][kept],
        grid_search.cv_results_["mean_test_score"][kept],
        rtol=1e-12,
    )


@pytest.mark.parametrize("task", ["classifier", "regressor"])
def test_refit_is_the_single_estimators_fit_with_the_best_parameters(wine, friedman, task):
    Single, Search, X, y, _ = _problem(task, wine, friedman)
    search = Search(param_grid={"n1": [5, 20]}, cv=3, max_iter=20, random_state=0).fit(X, y)
    single = Single(max_iter=20, random_state=0, **search.best_params_).fit(X, y)
    for name, P in single.params_.items():
        assert_array_equal(search.params_[name], P)
    assert_array_equal(search.predict(X), single.predict(X))
    assert search.loss_curve_ == single.loss_curve_
    assert search.n_features_in_ == X.shape[1]
    assert search.best_estimator_.n1 == search.best_params_["n1"]


def test_partial_fit_continues_the_refitted_best_candidate(wine):
    X, y = wine
    search = ShallowNNClassifierCV(param_grid={"n1": [5, 20]}, cv=3, max_iter=10).fit(X, y)
    epochs = len(search.loss_curve_)
    search.partial_fit(X, y)
    assert len(search.loss_curve_) == epochs + 1
    assert search.best_estimator_.params_ is search.params_


def test_parallel_folds_give_the_same_results(wine):
    X, y = wine
    options = dict(param_grid=GRID, cv=3, max_iter=20, random_state=0)
    alone = ShallowNNClassifierCV(**options).fit(X, y).cv_results_
    parallel = ShallowNNClassifierCV(**options, n_jobs=2).fit(X, y).cv_results_
    assert_array_equal(alone["mean_test_score"], parallel["mean_test_score"])
    assert_array_equal(alone["round"], parallel["round"])


def test_sample_weight_reaches_each_fold_as_in_gridsearchcv(wine):
    X, y = wine
    w = np.random.RandomState(0).randint(1, 4, size=len(y)).astype(float)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    options = dict(max_iter=15, random_state=0)
    reference = GridSearchCV(ShallowNNClassifier(**options), GRID, cv=folds)
    reference.fit(X, y, sample_weight=w)
    search = ShallowNNClassifierCV(**options, param_grid=GRID, cv=folds, search="grid")
    search.fit(X, y, sample_weight=w)
    assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize(
    "grid, message",
    [
        ({"n_hidden": [5]}, r"param_grid has keys \['n_hidden'\] that are not parameters"),
        ({"n1": [0]}, "The 'n1' parameter of ShallowNNClassifier must be"),
        ({"solver": ["newton"]}, "The 'solver' parameter"),
    ],
)
def test_a_bad_grid_is_refused_before_any_work_and_leaves_the_search_as_it_was(
    wine, grid, message
):
    X, y = wine
    search = ShallowNNClassifierCV(param_grid={"n1": [5]}, cv=3, max_iter=5).fit(X, y)
    before = dict(vars(search))
    search.set_params(param_grid=grid)
    with pytest.raises(ValueError, match=message):
        search.fit(X, y)
    assert {k: v for k, v in vars(search).items() if k != "param_grid"} == {
        k: v for k, v in before.items() if k != "param_grid"
    }


def test_a_failing_candidate_scores_nan_with_a_warning(wine):
    X, y = wine
    grid = {"solver": ["gd"], "n1": [5], "alpha": [0.1, 1e300], "input_scaling": [None]}
    search = ShallowNNClassifierCV(param_grid=grid, cv=3, search="grid", max_iter=20)
    with pytest.warns(FitFailedWarning, match="3 of the 6 fits of the search failed"):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[1]) and np.isfinite(scores[0])
    assert search.best_params_["alpha"] == 0.1


def test_the_default_grid_holds_the_defaults():
    for Search, Single in [
        (ShallowNNClassifierCV, ShallowNNClassifier),
        (ShallowNNRegressorCV, ShallowNNRegressor),
    ]:
        grid = Search()._default_grid()
        grids = [grid] if isinstance(grid, dict) else grid
        assert Single().l2 in grids[0]["l2"] and "minmax" in grids[0]["input_scaling"]


@pytest.mark.parametrize(
    "Search, Single",
    [(ShallowNNClassifierCV, ShallowNNClassifier), (ShallowNNRegressorCV, ShallowNNRegressor)],
)
def test_a_search_defaults_every_parameter_of_the_single_estimator_to_its_default(Search, Single):
    single = Single().get_params()
    searched = Search().get_params()
    assert {name: searched[name] for name in single} == single


def test_the_default_regressor_search_fits_a_linear_target_as_ridge_does():
    X, y = make_regression(n_samples=300, n_features=8, noise=5, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    search = ShallowNNRegressorCV(cv=3, random_state=0).fit(X_train, y_train)
    ridge = RidgeCV().fit(X_train, y_train)
    assert search.best_params_["activation"] == "identity"
    assert search.score(X_test, y_test) >= ridge.score(X_test, y_test) - 1e-5


def test_unconverged_candidates_make_one_warning(wine):
    X, y = wine
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ShallowNNClassifierCV(param_grid={"n1": [5, 10]}, cv=3, max_iter=3).fit(X, y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    # The search's summary, then the refit's own warning.
    assert len(messages) == 2
    assert messages[0].startswith("6 of the 6 candidate fits of the search ended at max_iter=3")
