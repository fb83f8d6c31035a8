"""ShallowNNRegressor: fidelity to the course's loop, targets, weights, continued fits, R²."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import ShallowNNRegressor
from sklearn_shallow.network import backward, forward, initialize, update


def course_regression(X, Y, seed, n1, alpha, n_iter):
    """The course's loop with an identity output, written out independently (tanh hidden)."""
    n0, m = X.shape
    n2 = Y.shape[0]
    rng = np.random.RandomState(seed)
    W1 = rng.uniform(-np.sqrt(6 / (n0 + n1)), np.sqrt(6 / (n0 + n1)), size=(n1, n0))
    W2 = rng.uniform(-np.sqrt(6 / (n1 + n2)), np.sqrt(6 / (n1 + n2)), size=(n2, n1))
    b1, b2 = np.zeros((n1, 1)), np.zeros((n2, 1))
    for _ in range(n_iter):
        A1 = np.tanh(W1.dot(X) + b1)
        A2 = W2.dot(A1) + b2
        dZ2 = A2 - Y
        dW2 = 1 / m * dZ2.dot(A1.T)
        db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = np.dot(W2.T, dZ2) * (1 - A1**2)
        dW1 = 1 / m * dZ1.dot(X.T)
        db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
        W1, b1 = W1 - alpha * dW1, b1 - alpha * db1
        W2, b2 = W2 - alpha * dW2, b2 - alpha * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def gd_regressor(**kwargs):
    options = dict(
        solver="gd", activation="tanh", l2=0.0, tol=None, random_state=3, input_scaling=None
    )
    return ShallowNNRegressor(**{**options, **kwargs})


def standardized(y):
    return (y - y.mean(axis=0)) / y.std(axis=0)


@pytest.fixture
def friedman():
    X, y = make_friedman1(n_samples=300, noise=0.5, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("n_targets", [1, 2])
def test_gd_fit_equals_the_course_loop(n_targets):
    X, y = make_regression(n_samples=60, n_features=4, n_targets=n_targets, random_state=0)
    reg = gd_regressor(n1=5, alpha=0.1, max_iter=25).fit(X, y)
    Y = standardized(y.reshape(60, -1)).T
    expected = course_regression(X.T, Y, 3, 5, 0.1, 25)
    for name in expected:
        assert_allclose(reg.params_[name], expected[name], rtol=1e-10, atol=1e-12)
    assert reg.n_iter_ == 25 and reg.out_activation_ == "identity"


def test_poisson_gd_fit_equals_the_public_steps_with_exp_output(rng):
    X = rng.randn(50, 3)
    y = rng.poisson(np.exp(0.5 * X[:, 0] + 1.0))
    reg = gd_regressor(loss="poisson", activation="relu", n1=4, alpha=0.1, max_iter=10).fit(X, y)
    assert reg.out_activation_ == "exp"
    params = initialize([3, 4, 1], random_state=3)
    Y = (y / y.mean())[None, :]
    for _ in range(10):
        _, cache = forward(X.T, params, activation="relu", output="exp")
        grads = backward(X.T, Y, params, cache, activation="relu", output="exp")
        params = update(params, grads, 0.1)
    for name in params:
        assert_allclose(reg.params_[name], params[name], rtol=1e-10, atol=1e-14)


def test_predict_undoes_the_scaling_of_y(friedman):
    """Fitting a * y + b gives the same network: predictions are a * pred + b, R² the same."""
    X, y = friedman
    base = gd_regressor(n1=8, alpha=0.2, max_iter=50).fit(X, y)
    shifted = gd_regressor(n1=8, alpha=0.2, max_iter=50).fit(X, 1000.0 * y + 5e4)
    for name in base.params_:
        assert_allclose(shifted.params_[name], base.params_[name], rtol=1e-9, atol=1e-12)
    assert_allclose(shifted.predict(X), 1000.0 * base.predict(X) + 5e4, rtol=1e-9)
    assert_allclose(shifted.score(X, 1000.0 * y + 5e4), base.score(X, y), rtol=1e-9)


def test_defaults_reach_a_good_r2_on_friedman(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(random_state=0).fit(X[:200], y[:200])
    assert reg.score(X[200:], y[200:]) > 0.8


def test_defaults_match_ridge_on_small_noisy_data_and_beat_mlps_penalty():
    """The default l2 (benchmarks/scaling.py chose it): diabetes, 5-fold CV."""
    X, y = load_diabetes(return_X_y=True)
    folds = KFold(5, shuffle=True, random_state=0)

    def cv_r2(model):
        return cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=folds).mean()

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = cv_r2(ShallowNNRegressor(random_state=0))
        mlps_penalty = cv_r2(ShallowNNRegressor(l2=0.0001, random_state=0))
    assert ours >= cv_r2(RidgeCV()) - 0.01
    assert mlps_penalty < ours - 0.01


def test_r2_history_matches_r2_score_of_the_last_gd_epoch(friedman):
    """The training R² of an epoch is measured before its update, as the loss is."""
    X, y = friedman
    reg = gd_regressor(n1=6, alpha=0.1, max_iter=5).fit(X, y)
    before = gd_regressor(n1=6, alpha=0.1, max_iter=4).fit(X, y)
    assert_allclose(reg.history_["r2"][-1], r2_score(y, before.predict(X)), rtol=1e-10)
    assert set(reg.history_) == {"loss", "r2", "learning_rate", "time"}


def test_multi_output_predicts_every_target():
    X, Y = make_regression(n_samples=200, n_features=5, n_targets=3, noise=1, random_state=0)
    reg = make_pipeline(StandardScaler(), ShallowNNRegressor(random_state=0)).fit(X, Y)
    assert reg.predict(X).shape == (200, 3)
    assert reg[-1].n_outputs_ == 3 and reg[-1].params_["W2"].shape[0] == 3
    assert reg.score(X, Y) > 0.95


def test_one_dimensional_y_gives_one_dimensional_predictions(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=5, max_iter=5, tol=None, random_state=0).fit(X, y)
    assert reg.predict(X).shape == (300,)


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_weight_two_equals_the_row_repeated(friedman, solver):
    X, y = friedman[0][:40], friedman[1][:40]
    w = np.ones(40)
    w[:10] = 2
    options = dict(solver=solver, n1=5, max_iter=20, tol=None, random_state=0)
    weighted = ShallowNNRegressor(**options).fit(X, y, sample_weight=w)
    repeated = ShallowNNRegressor(**options).fit(
        np.vstack([X, X[:10]]), np.concatenate([y, y[:10]])
    )
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-7, atol=1e-9)


def test_r2_history_is_weighted(friedman):
    X, y = friedman
    w = np.random.RandomState(0).uniform(0.1, 3, size=len(y))
    reg = gd_regressor(n1=6, alpha=0.1, max_iter=3).fit(X, y, sample_weight=w)
    before = gd_regressor(n1=6, alpha=0.1, max_iter=2).fit(X, y, sample_weight=w)
    expected = r2_score(y, before.predict(X), sample_weight=w)
    assert_allclose(reg.history_["r2"][-1], expected, rtol=1e-10)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_poisson_rejects_negative_y(method):
    X = np.ones((4, 2))
    reg = ShallowNNRegressor(loss="poisson")
    with pytest.raises(ValueError, match="y must be non-negative for loss='poisson'"):
        getattr(reg, method)(X, [1.0, 0.0, -2.0, 3.0])
    assert not hasattr(reg, "params_")


def test_poisson_fits_counts(rng):
    X = rng.randn(500, 3)
    y = rng.poisson(np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1] + 1.0))
    reg = ShallowNNRegressor(loss="poisson", random_state=0).fit(X, y)
    assert (reg.predict(X) > 0).all()
    assert reg.score(X, y) > 0.5


def test_partial_fit_runs_one_epoch_per_call_and_keeps_the_scaling(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=10, random_state=0)
    reg.partial_fit(X[:150], y[:150])
    offset, scale = reg.y_offset_.copy(), reg.y_scale_.copy()
    for _ in range(20):
        reg.partial_fit(X, y)
    assert reg.n_iter_ == 1 and len(reg.loss_curve_) == 21
    assert_array_equal(reg.y_offset_, offset)
    assert_array_equal(reg.y_scale_, scale)
    assert reg.loss_curve_[-1] < reg.loss_curve_[0]
    assert reg.score(X, y) > 0.5


def test_partial_fit_is_not_available_for_lbfgs():
    assert not hasattr(ShallowNNRegressor(solver="lbfgs"), "partial_fit")


def test_warm_start_continues_from_the_fitted_network(friedman):
    X, y = friedman
    options = dict(n1=6, alpha=0.1, max_iter=10)
    reg = gd_regressor(warm_start=True, **options).fit(X, y).fit(X, y)
    once = gd_regressor(**{**options, "max_iter": 20}).fit(X, y)
    assert reg.n_iter_ == 10 and len(reg.loss_curve_) == 20
    for name in once.params_:
        assert_allclose(reg.params_[name], once.params_[name], rtol=1e-10, atol=1e-12)


def test_early_stopping_on_validation_r2(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(early_stopping=True, random_state=0).fit(X, y)
    assert set(reg.history_) == {"loss", "r2", "val_loss", "val_r2", "learning_rate", "time"}
    assert reg.validation_scores_ == reg.history_["val_r2"]
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_epoch_ == int(np.argmax(reg.validation_scores_)) + 1
    assert reg.best_loss_ is None


def test_explicit_validation_set_is_scored_in_r2(friedman):
    X, y = friedman
    options = dict(n1=6, alpha=0.1, max_iter=4)
    reg = gd_regressor(**options).fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    # The epoch's validation score is measured after its update.
    plain = gd_regressor(**options).fit(X[:200], y[:200])
    assert_allclose(reg.history_["val_r2"][-1], r2_score(y[200:], plain.predict(X[200:])))
    assert reg.validation_scores_ == reg.history_["val_r2"]


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix])
def test_sparse_input_gives_the_dense_fit(container):
    X, y = make_regression(n_samples=60, n_features=8, random_state=0)
    X[np.abs(X) < 0.7] = 0.0
    dense = gd_regressor(n1=4, alpha=0.1, max_iter=15).fit(X, y)
    sparse = gd_regressor(n1=4, alpha=0.1, max_iter=15).fit(container(X), y)
    for name in dense.params_:
        assert_allclose(sparse.params_[name], dense.params_[name], rtol=1e-10, atol=1e-12)
    assert_allclose(sparse.predict(container(X)), dense.predict(X), rtol=1e-10)


def test_callback_record_holds_r2(friedman):
    X, y = friedman
    records = []
    ShallowNNRegressor(
        n1=4, max_iter=3, tol=None, callback=lambda est, rec: records.append(rec)
    ).fit(X, y)
    assert {"loss", "r2", "val_loss", "val_r2"} <= set(records[0])


def test_max_iter_warning_names_the_validation_r2(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=4, max_iter=2, early_stopping=True, tol=0.0, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.fit(X, y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert any("validation R²" in message for message in messages)


def test_changed_number_of_outputs_is_refused_on_partial_fit(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=4).partial_fit(X, y)
    with pytest.raises(ValueError, match="2 outputs but the fitted network has 1"):
        reg.partial_fit(X, np.c_[y, y])


def test_pickle_round_trip_and_plain_fitted_state(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=5, max_iter=3, tol=None, random_state=0).fit(X, np.c_[y, 2 * y])
    assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), reg.predict(X))
    for name in ("y_offset_", "y_scale_"):
        assert type(getattr(reg, name)) is np.ndarray and getattr(reg, name).shape == (2,)
    assert isinstance(reg.history_["r2"][0], float)


def test_clone_and_refit_is_reproducible(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=5, max_iter=5, tol=None, random_state=0)
    first = clone(reg).fit(X, y).predict(X)
    assert_array_equal(clone(reg).fit(X, y).predict(X), first)


def test_poisson_fits_several_count_targets(rng):
    X = rng.randn(300, 2)
    Y = rng.poisson(np.exp(np.c_[X[:, 0], -X[:, 1]] + 1.0))
    reg = ShallowNNRegressor(loss="poisson", random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (300, 2) and (reg.predict(X) > 0).all()
    assert_allclose(reg.y_offset_, 0.0)
    assert_allclose(reg.y_scale_, Y.mean(axis=0))


# ------------------------------------------------------------ units of y


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
def test_a_fit_on_c_times_y_predicts_c_times_the_fit_on_y(friedman, loss, solver):
    X, y = friedman
    options = dict(n1=8, loss=loss, solver=solver, max_iter=20, tol=None, random_state=0)
    reference = ShallowNNRegressor(**options).fit(X, y).predict(X)
    for c in (1e-30, 1e-20, 1e-16, 1e20, 1e30):
        predicted = ShallowNNRegressor(**options).fit(X, c * y).predict(X)
        assert_allclose(predicted / c, reference, rtol=1e-6)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_targets_in_tiny_units_are_not_taken_for_a_constant(friedman, loss):
    X, y = friedman
    reg = ShallowNNRegressor(n1=8, loss=loss, max_iter=50, random_state=0).fit(X, 1e-20 * y)
    assert_allclose(reg.y_scale_, 1e-20 * (y.mean() if loss == "poisson" else y.std()))
    assert reg.score(X, 1e-20 * y) > 0.5


def test_huge_targets_do_not_overflow_the_scaling(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=8, max_iter=50, random_state=0).fit(X, 1e300 * y)
    assert_allclose(reg.y_scale_, 1e300 * y.std())
    assert_allclose(reg.y_offset_, 1e300 * y.mean())
    assert np.isfinite(reg.predict(X)).all()
    # A tenth of the rows at 1e300: the spread is finite, and so are the predictions.
    y_outliers = y.copy()
    y_outliers[::10] = 1e300
    reg = ShallowNNRegressor(n1=8, max_iter=5, random_state=0).fit(X, y_outliers)
    assert np.isfinite(reg.y_scale_).all() and np.isfinite(reg.predict(X)).all()


def test_a_constant_target_in_any_units_is_predicted_in_its_units(friedman):
    X, y = friedman
    reg = ShallowNNRegressor(n1=8, max_iter=50, random_state=0).fit(X, np.full_like(y, 3e-20))
    assert_allclose(reg.y_scale_, 3e-20)
    assert_allclose(reg.predict(X), 3e-20, rtol=0.5)


@pytest.mark.parametrize(
    "dtype, factor, message",
    [
        (np.float32, 1e300, "beyond the range of float32.*Pass X as float64"),
        (np.float32, 1e-40, "below the smallest normal float32"),
        (np.float64, 1e-320, "below the smallest normal float64.*Express y in smaller"),
    ],
)
def test_targets_the_dtype_cannot_hold_are_refused_before_training(
    friedman, dtype, factor, message
):
    X, y = friedman
    reg = ShallowNNRegressor(n1=4, callback=lambda est, rec: pytest.fail("trained"))
    with pytest.raises(ValueError, match=message):
        reg.fit(X.astype(dtype), factor * y)
    assert not hasattr(reg, "params_")


def test_continued_fit_refuses_targets_its_scaling_takes_out_of_range(friedman):
    X, y = friedman
    X = X.astype(np.float32)
    reg = ShallowNNRegressor(n1=4, max_iter=2, tol=None, warm_start=True).fit(X, y)
    params = {name: P.copy() for name, P in reg.params_.items()}
    with pytest.raises(ValueError, match="scaling of the fitted model.*beyond the range"):
        reg.fit(X, 1e38 * y)
    with pytest.raises(ValueError, match="scaling of the fitted model.*beyond the range"):
        reg.partial_fit(X, 1e38 * y)
    for name, P in params.items():
        assert_array_equal(reg.params_[name], P)


@pytest.mark.parametrize("continued", ["warm_start", "partial_fit"])
def test_a_changed_loss_is_refused_when_continuing(friedman, continued):
    X, y = friedman
    y = y - y.min()
    reg = ShallowNNRegressor(n1=4, max_iter=3, tol=None, warm_start=True, random_state=0)
    reg.fit(X, y).set_params(loss="poisson")
    before = reg.predict(X)
    fit = reg.fit if continued == "warm_start" else reg.partial_fit
    message = "loss='poisson' differs from the fitted network's loss='squared_error'"
    with pytest.raises(ValueError, match=message):
        fit(X, y)
    assert_array_equal(reg.predict(X), before)
    reg.set_params(warm_start=False).fit(X, y)  # a fresh fit takes the new loss
    assert reg.out_activation_ == "exp"


# ------------------------------------------------ behaviours pinned by a test


def test_a_constant_output_leaves_the_other_outputs_their_own_scale(friedman):
    X, y = friedman
    alone = ShallowNNRegressor(n1=4, max_iter=3, tol=None, random_state=0).fit(X, y)
    both = ShallowNNRegressor(n1=4, max_iter=3, tol=None, random_state=0)
    both.fit(X, np.c_[y, np.full_like(y, 7.0)])
    assert_allclose(both.y_scale_[0], alone.y_scale_[0], rtol=1e-12)
    assert_allclose(both.y_scale_[0], y.std(), rtol=1e-12)
    assert both.y_scale_[1] == 7.0 and both.y_offset_[1] == 7.0


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_warm_start_keeps_the_scaling_the_network_was_trained_in(friedman, solver):
    X, y = friedman
    reg = ShallowNNRegressor(n1=4, solver=solver, max_iter=3, tol=None, warm_start=True)
    reg.fit(X, y)
    offset, scale = reg.y_offset_.copy(), reg.y_scale_.copy()
    reg.fit(X, 3 * y + 100)  # another mean and spread
    assert_array_equal(reg.y_offset_, offset)
    assert_array_equal(reg.y_scale_, scale)
