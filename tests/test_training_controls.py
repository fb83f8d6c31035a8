"""Solvers, schedules, stopping, validation, weights, progress and callbacks."""

import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split
from threadpoolctl import ThreadpoolController

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor, _base, _engine
from sklearn_shallow._runners import Network, epoch_runner, evaluate
from sklearn_shallow._solvers import GradientDescent, Momentum, _scipy_blas_single_threaded
from sklearn_shallow._validation import validation_split
from sklearn_shallow.network import forward, initialize, loss


@pytest.fixture
def binary():
    return make_classification(n_samples=300, n_features=6, random_state=0)


def quiet_fit(clf, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(*args, **kwargs)


def test_invscaling_schedule_divides_the_rate_by_samples_seen(binary):
    X, y = binary
    clf = ShallowNNClassifier(
        solver="sgd", learning_rate="invscaling", alpha=0.1, power_t=0.5, max_iter=3, tol=None
    ).fit(X, y)
    expected = [0.1 / (t + 1) ** 0.5 for t in (0, 300, 600)]
    assert_allclose(clf.history_["learning_rate"], expected)


def test_adaptive_schedule_divides_the_rate_by_five_when_the_loss_stalls(binary):
    X, y = binary
    # A tol larger than any decrease makes every epoch count as stalled.
    clf = ShallowNNClassifier(
        solver="sgd", learning_rate="adaptive", alpha=0.1, tol=10.0, n_iter_no_change=2
    )
    clf.fit(X, y)
    rates = clf.history_["learning_rate"]
    # Epoch 1 improves on an infinite best loss; epochs 2-4 stall, and the third
    # stalled epoch (more than n_iter_no_change) divides the rate.
    assert rates[:4] == [0.1] * 4
    assert_allclose(rates[4:7], [0.02] * 3)
    assert_allclose(rates[7], 0.004)
    # As MLPClassifier: a rate above 1e-6 is divided once more (1.28e-6 -> 2.56e-7);
    # the next stall stops training.
    assert_allclose(rates[-1], 0.1 / 5**8)
    assert rates[-1] < 1e-6 < 5 * rates[-1] and clf.n_iter_ < 200


def test_constant_schedule_keeps_alpha(binary):
    X, y = binary
    clf = ShallowNNClassifier(alpha=0.003, max_iter=4, tol=None).fit(X, y)
    assert clf.history_["learning_rate"] == [0.003] * 4


def quadratic_descent(rule, n_steps, learning_rate):
    """Minimise 0.5 wᵀ diag(1, 100) w with an update rule; return the final ‖w‖."""
    curvature = np.array([[1.0, 100.0]])
    params = {"W1": np.array([[1.0, 1.0]]), "b1": np.zeros((1, 1))}
    state = rule.init_state(params)
    for _ in range(n_steps):
        grads = {"dW1": curvature * params["W1"], "db1": np.zeros((1, 1))}
        params, state = rule.step(params, grads, state, learning_rate)
    return np.linalg.norm(params["W1"])


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_accelerates_an_ill_conditioned_quadratic(nesterov):
    plain = quadratic_descent(GradientDescent(), 100, 0.01)
    heavy = quadratic_descent(Momentum(0.9, nesterov), 100, 0.01)
    assert heavy < plain / 100


def test_lbfgs_and_gd_reach_the_same_optimum_on_a_convex_case():
    # Identity hidden units make the network a (factored) logistic regression:
    # without penalty, both solvers must reach the unpenalised optimum.
    X, y = make_classification(n_samples=80, n_features=3, n_redundant=0, flip_y=0.2,
                               class_sep=0.5, random_state=0)  # fmt: skip
    options = dict(activation="identity", n1=1, l2=0.0, random_state=0)
    gd = quiet_fit(ShallowNNClassifier(solver="gd", alpha=1.0, max_iter=4000, tol=None,
                                       **options), X, y)  # fmt: skip
    lbfgs = quiet_fit(ShallowNNClassifier(solver="lbfgs", max_iter=1000, tol=1e-10, **options),
                      X, y)  # fmt: skip
    reference = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10000).fit(X, y)
    for clf in (gd, lbfgs):
        assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-4)


def test_class_weight_raises_minority_recall():
    X, y = make_classification(n_samples=1000, n_features=5, weights=[0.95, 0.05],
                               class_sep=0.6, random_state=3)  # fmt: skip
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    options = dict(random_state=0, alpha=0.01, n1=20)
    plain = quiet_fit(ShallowNNClassifier(**options), X_train, y_train)
    balanced = quiet_fit(ShallowNNClassifier(class_weight="balanced", **options),
                         X_train, y_train)  # fmt: skip
    recall_plain = recall_score(y_test, plain.predict(X_test))
    recall_balanced = recall_score(y_test, balanced.predict(X_test))
    assert recall_balanced > recall_plain + 0.2


def test_class_weight_multiplies_sample_weight(binary):
    X, y = binary
    options = dict(solver="gd", max_iter=5, tol=None, random_state=0)
    weights = np.linspace(0.5, 1.5, len(y))
    by_class = ShallowNNClassifier(class_weight={0: 3.0, 1: 1.0}, **options)
    by_class.fit(X, y, sample_weight=weights)
    by_sample = ShallowNNClassifier(**options)
    by_sample.fit(X, y, sample_weight=weights * np.where(y == 0, 3.0, 1.0))
    for name in by_class.params_:
        assert_allclose(by_class.params_[name], by_sample.params_[name], rtol=1e-12)


def test_integer_sample_weight_equals_repeated_rows_in_full_batch(binary):
    X, y = binary
    w = np.arange(len(y)) % 3
    options = dict(solver="gd", max_iter=20, tol=None, random_state=0, alpha=0.5)
    weighted = ShallowNNClassifier(**options).fit(X, y, sample_weight=w)
    repeated = ShallowNNClassifier(**options).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    for name in weighted.params_:
        assert_allclose(weighted.params_[name], repeated.params_[name], rtol=1e-10, atol=1e-13)


def test_explicit_validation_set_is_the_one_used(binary):
    X, y = binary
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
    clf = ShallowNNClassifier(random_state=0, max_iter=5, tol=None, input_scaling=None)
    clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    A_out, _ = forward(X_val.T, clf.params_, activation="relu", output="sigmoid")
    expected = loss(A_out, y_val[None, :].astype(float), params=clf.params_, l2=clf.l2)
    assert_allclose(clf.history_["val_loss"][-1], expected, rtol=1e-12)
    assert_allclose(clf.history_["val_accuracy"][-1], clf.score(X_val, y_val))


def test_early_stopping_restores_the_best_epoch(binary):
    X, y = binary
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.5, random_state=1)
    seen = {}

    def remember(estimator, record):
        seen[record["epoch"]] = {k: v.copy() for k, v in record["params"].items()}

    clf = ShallowNNClassifier(random_state=0, alpha=0.05, early_stopping=True,
                              n_iter_no_change=5, callback=remember)  # fmt: skip
    clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    scores = clf.validation_scores_
    assert clf.best_epoch_ == 1 + int(np.argmax(scores))
    assert clf.best_epoch_ < clf.n_iter_
    for name, P in clf.params_.items():
        assert_array_equal(P, seen[clf.best_epoch_][name])
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)
    assert clf.best_loss_ is None


def test_early_stopping_without_validation_data_holds_out_a_fraction(binary):
    X, y = binary
    clf = ShallowNNClassifier(random_state=0, early_stopping=True, validation_fraction=0.2)
    clf.fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    # 60 of 300 samples held out: the training loop saw 240 per epoch.
    assert clf.t_ == 240 * clf.n_iter_


def test_validation_data_routes_through_a_pipeline(binary):
    import sklearn
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    X, y = binary
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = ShallowNNClassifier(random_state=0, max_iter=5, tol=None)
        clf.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", MinMaxScaler()), ("nn", clf)], transform_input=["X_val"])
        pipe.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    fitted = pipe.named_steps["nn"]
    scaled_val = pipe.named_steps["scale"].transform(X_val)
    assert_allclose(fitted.history_["val_accuracy"][-1], fitted.score(scaled_val, y_val))


@pytest.mark.parametrize("solver", ["sgd", "adam", "gd"])
def test_partial_fit_over_chunks_matches_fit(binary, solver):
    X, y = binary
    # The first chunk alone would set the scaling of the inputs: none is asked for.
    options = dict(
        solver=solver,
        batch_size=100,
        shuffle=False,
        random_state=0,
        alpha=0.01,
        input_scaling=None,
    )
    fitted = ShallowNNClassifier(max_iter=3, tol=None, **options).fit(X, y)
    incremental = ShallowNNClassifier(**options)
    for _ in range(3):
        if solver == "gd":
            incremental.partial_fit(X, y, classes=[0, 1])
        else:
            # Chunks aligned on the batches: one epoch of fit is these three calls.
            for start in range(0, 300, 100):
                incremental.partial_fit(X[start : start + 100], y[start : start + 100],
                                        classes=[0, 1])  # fmt: skip
    for name in fitted.params_:
        assert_allclose(incremental.params_[name], fitted.params_[name], rtol=1e-12)


def test_partial_fit_needs_classes_first_and_rejects_unseen_labels(binary):
    X, y = binary
    clf = ShallowNNClassifier()
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"not in classes_.*\[7\]"):
        clf.partial_fit(X[:3], [0, 1, 7])


def test_partial_fit_is_unavailable_for_lbfgs():
    assert not hasattr(ShallowNNClassifier(solver="lbfgs"), "partial_fit")


def test_warm_start_continues_the_previous_fit(binary):
    X, y = binary
    options = dict(solver="gd", tol=None, random_state=0, alpha=0.3)
    once = ShallowNNClassifier(max_iter=10, **options).fit(X, y)
    twice = ShallowNNClassifier(max_iter=5, warm_start=True, **options).fit(X, y).fit(X, y)
    for name in once.params_:
        assert_allclose(twice.params_[name], once.params_[name], rtol=1e-12)
    assert twice.n_iter_ == 5 and len(twice.loss_curve_) == 10


def test_batch_size_sets_the_number_of_updates_per_epoch(binary):
    X, y = binary
    auto = ShallowNNClassifier(max_iter=2, tol=None).fit(X, y)
    small = ShallowNNClassifier(max_iter=2, tol=None, batch_size=50).fit(X, y)
    assert auto._optimizer_state["t"] == 2 * 2  # min(200, 300) -> 2 batches per epoch
    assert small._optimizer_state["t"] == 2 * 6


def test_l2_shrinks_the_weights(binary):
    X, y = binary
    norms = [
        np.linalg.norm(
            ShallowNNClassifier(l2=l2, random_state=0, max_iter=50, tol=None)
            .fit(X, y)
            .params_["W1"]
        )  # fmt: skip
        for l2 in (0.0, 10.0)
    ]
    assert norms[1] < 0.8 * norms[0]


def test_convergence_warning_when_max_iter_is_reached_unless_tol_is_none(binary):
    X, y = binary
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        ShallowNNClassifier(max_iter=3).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ShallowNNClassifier(max_iter=3, tol=None).fit(X, y)


def test_lbfgs_respects_max_fun(binary):
    X, y = binary
    with pytest.warns(ConvergenceWarning, match="max_fun=5"):
        clf = ShallowNNClassifier(solver="lbfgs", max_fun=5).fit(X, y)
    assert clf.n_iter_ <= 5


def test_history_records_every_epoch(binary):
    X, y = binary
    clf = ShallowNNClassifier(max_iter=4, tol=None).fit(X, y)
    assert set(clf.history_) == {"loss", "accuracy", "learning_rate", "time"}
    assert all(len(values) == 4 for values in clf.history_.values())
    assert clf.loss_curve_ == clf.history_["loss"]
    assert clf.loss_ == clf.loss_curve_[-1] and clf.best_loss_ == min(clf.loss_curve_)
    assert all(0.0 <= a <= 1.0 for a in clf.history_["accuracy"])


def test_callback_returning_true_stops_training_cleanly(binary):
    X, y = binary
    clf = ShallowNNClassifier(max_iter=50, callback=lambda est, rec: rec["epoch"] == 3)
    clf.fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    assert clf.predict(X).shape == (300,)


def test_divergence_raises_and_leaves_the_previous_model_intact(binary):
    X, y = binary
    X = X * 100  # unscaled inputs (input_scaling=None) make a large rate diverge
    clf = ShallowNNClassifier(
        solver="gd", random_state=0, max_iter=5, tol=None, input_scaling=None
    )
    clf.fit(X, y)
    params = {k: v.copy() for k, v in clf.params_.items()}
    predictions = clf.predict_proba(X)
    clf.set_params(alpha=1e3, max_iter=200)
    with pytest.raises(ValueError, match=r"alpha=1000\.0 is too large"):
        with np.errstate(over="ignore", invalid="ignore"):
            clf.fit(X, y)
    for name in params:
        assert_array_equal(clf.params_[name], params[name])
    assert_array_equal(clf.predict_proba(X), predictions)


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_verbose_shows_progress_only_when_asked(binary, capsys, verbose):
    X, y = binary
    ShallowNNClassifier(max_iter=3, tol=None, verbose=verbose).fit(X, y)
    out, err = capsys.readouterr()
    if verbose == 0:
        assert out == err == ""
    elif verbose == 1:
        assert out == ""
        assert "ShallowNNClassifier" in err and "epoch" in err  # the tqdm bar
    else:
        assert err == ""
        lines = out.splitlines()
        assert [line.split(",")[0] for line in lines] == [f"Iteration {i}" for i in (1, 2, 3)]


@pytest.mark.parametrize("weighted", [False, True])
def test_lbfgs_history_holds_each_iterates_own_loss_and_accuracy(iris, weighted):
    """The loss and accuracy recorded per iteration are those of that iteration's weights.

    They are taken from the objective's latest evaluation when L-BFGS-B's iterate is
    that point; a fresh evaluation of each recorded iterate must give the same numbers
    (up to rounding: the objective runs through the fast path, which sums in another
    order; a stale record would differ in the first digits).
    """
    X, y = iris
    sample_weight = np.random.RandomState(0).rand(len(y)) if weighted else None
    seen = []
    model = ShallowNNClassifier(
        6,
        solver="lbfgs",
        max_iter=15,
        random_state=0,
        callback=lambda m, record: seen.append(record),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, sample_weight=sample_weight)
    Y = np.eye(3)[y]
    config = Network("relu", "softmax", model.l2)
    assert len(seen) == model.n_iter_ > 5
    for record in seen:
        J, accuracy = evaluate(X, Y, sample_weight, record["params"], config)
        assert_allclose(record["loss"], J, rtol=1e-12)
        assert_allclose(record["accuracy"], accuracy, rtol=1e-12)


def test_lbfgs_runs_scipys_own_blas_on_one_thread():
    """During L-BFGS-B a BLAS brought by scipy's wheel has one thread; numpy's keeps its own."""
    scipy_dir = Path(scipy.__file__).resolve().parent
    homes = (scipy_dir, scipy_dir.parent / "scipy.libs")

    def threads():
        return {
            lib["filepath"]: lib["num_threads"]
            for lib in ThreadpoolController().info()
            if lib["user_api"] == "blas"
        }

    def is_scipys(path):
        return any(home in Path(path).resolve().parents for home in homes)

    before = threads()
    with _scipy_blas_single_threaded():
        during = threads()
    assert threads() == before
    for path, n in during.items():
        assert n == (1 if is_scipys(path) else before[path]), path


# Found by planting bugs in the engine (each of these went through the suite before).

#: Every epoch stalls (tol is larger than any decrease): the adaptive rate is divided
#: after the third stalled epoch in a row.
STALLING_ADAPTIVE_SGD = dict(
    solver="sgd", learning_rate="adaptive", alpha=0.1, tol=10.0, n_iter_no_change=2
)


def test_early_stopping_stops_rather_than_dividing_an_adaptive_rate(binary):
    X, y = binary
    clf = ShallowNNClassifier(**STALLING_ADAPTIVE_SGD, early_stopping=True, random_state=0)
    clf.fit(X, y)
    assert clf.n_iter_ == 4 and clf.history_["learning_rate"] == [0.1] * 4


def test_validation_data_without_early_stopping_only_scores(binary):
    X, y = binary
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
    options = dict(random_state=0, tol=1e-2, n_iter_no_change=3)
    plain = ShallowNNClassifier(**options).fit(X_train, y_train)
    scored = ShallowNNClassifier(**options).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert scored.n_iter_ == plain.n_iter_ < 300
    for name, P in plain.params_.items():
        assert_array_equal(scored.params_[name], P)


def test_partial_fit_continues_the_adaptive_rate_of_the_fit(binary):
    X, y = binary
    clf = ShallowNNClassifier(**STALLING_ADAPTIVE_SGD, max_iter=6, random_state=0)
    quiet_fit(clf, X, y)
    assert clf.history_["learning_rate"][-1] == pytest.approx(0.02)
    clf.partial_fit(X, y)
    assert clf.history_["learning_rate"][-1] == pytest.approx(0.02)


@pytest.mark.parametrize("seed", range(5))
def test_validation_split_is_stratified(seed):
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    train, val = validation_split(100, y, 0.2, np.random.RandomState(seed))
    assert np.bincount(y[val]).tolist() == [18, 2]
    assert np.bincount(y[train]).tolist() == [72, 8]


def test_successive_partial_fits_do_not_replay_the_same_shuffle(binary, monkeypatch):
    orders, epoch_batches = [], _engine.epoch_batches

    def recorded(*args):
        batches = epoch_batches(*args)
        orders.append(np.concatenate(batches))
        return batches

    monkeypatch.setattr(_engine, "epoch_batches", recorded)
    clf = ShallowNNClassifier(solver="sgd", batch_size=50, random_state=0)
    for _ in range(3):
        clf.partial_fit(*binary, classes=[0, 1])
    assert not np.array_equal(orders[1], orders[2])


def test_lbfgs_t_counts_the_samples_of_every_iteration(binary):
    X, y = binary
    clf = quiet_fit(ShallowNNClassifier(solver="lbfgs", max_iter=5, random_state=0), X, y)
    assert clf.n_iter_ == 5 and clf.t_ == 5 * X.shape[0]


def test_lbfgs_record_of_an_iterate_that_was_not_the_last_evaluation(iris):
    """The objective's last scores serve only the point they were computed at."""
    X, y = iris
    Y = np.eye(3)[y]
    network = Network("relu", "softmax", 1e-4)
    a, b = initialize([4, 5, 3], random_state=0), initialize([4, 5, 3], random_state=1)
    state = _engine.FitState(params=a)
    runner = epoch_runner(X, Y, None, a, None, rule=GradientDescent(), network=network)
    settings = _engine.Settings(solver="lbfgs", alpha=0.01)
    with _engine.EpochEnd(settings, 1, None, network) as end:
        iterations = _engine.LbfgsIterations(runner, _engine.Data(X, Y), state, end, network)
        iterations.objective(a)
        iterations(b)
    J, accuracy = evaluate(X, Y, None, b, network)
    assert_allclose(state.history["loss"][-1], J, rtol=1e-12)
    assert_allclose(state.history["accuracy"][-1], accuracy, rtol=1e-12)


def test_warm_start_fit_counts_stalled_epochs_afresh(binary):
    """Each warm-start fit starts its stopping counters afresh (with a fresh optimiser)."""
    X, y = binary
    clf = ShallowNNClassifier(
        solver="sgd", alpha=0.1, tol=10.0, n_iter_no_change=2, warm_start=True, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ == 4
    clf.fit(X, y)
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 8


def test_lbfgs_with_tol_none_runs_max_iter_iterations(iris):
    clf = ShallowNNClassifier(6, solver="lbfgs", tol=None, max_iter=300, random_state=0)
    assert clf.fit(*iris).n_iter_ == 300


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_auto_early_stopping_switches_on_above_the_sample_threshold(iris, Estimator, monkeypatch):
    """'auto' (the default) stops on a validation split for large data only."""
    X, y = iris
    monkeypatch.setattr(_base, "AUTO_EARLY_STOPPING_SAMPLES", 120)
    options = dict(n1=5, max_iter=40, random_state=0)
    assert Estimator().early_stopping == "auto"
    rows = np.random.RandomState(0).permutation(150)
    small = Estimator(**options).fit(X[rows[:120]], y[rows[:120]])
    large = Estimator(**options).fit(X[rows], y[rows])
    assert small.validation_scores_ is None and small.best_loss_ is not None
    assert len(large.validation_scores_) == large.n_iter_ and large.best_loss_ is None
    explicit = Estimator(**options, early_stopping=True).fit(X[rows], y[rows])
    assert_allclose(large.validation_scores_, explicit.validation_scores_)
    for name, P in explicit.params_.items():
        assert_array_equal(large.params_[name], P)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_auto_early_stopping_is_off_for_lbfgs_and_partial_fit(iris, solver, monkeypatch):
    X, y = iris
    monkeypatch.setattr(_base, "AUTO_EARLY_STOPPING_SAMPLES", 10)
    model = ShallowNNClassifier(n1=5, solver=solver, max_iter=5, random_state=0)
    if solver == "adam":
        model.partial_fit(X, y, classes=[0, 1, 2])  # no error: 'auto' is not True
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
    assert model.validation_scores_ is None


def test_auto_early_stopping_uses_an_explicit_validation_set(iris, monkeypatch):
    X, y = iris
    monkeypatch.setattr(_base, "AUTO_EARLY_STOPPING_SAMPLES", 100)
    model = ShallowNNClassifier(n1=5, max_iter=200, random_state=0)
    model.fit(X[:120], y[:120] % 2, X_val=X[120:], y_val=y[120:] % 2)
    assert model.best_loss_ is None  # stopped on the validation accuracy
    assert model.best_epoch_ == 1 + int(np.argmax(model.validation_scores_))


def _wide_data():
    X, y = make_classification(n_samples=200, n_features=500, n_informative=20, random_state=0)
    return (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)), y


def test_auto_alpha_bounds_adams_first_steps_by_the_rows_l1_norm(iris):
    X, y = _wide_data()
    model = ShallowNNClassifier(n1=20, max_iter=3, tol=None, random_state=0).fit(X, y)
    assert model.alpha == "auto"
    expected = 0.1 / np.abs(X).sum(axis=1).mean()
    assert model.alpha_ == pytest.approx(expected, rel=1e-12) and expected < 0.001
    assert model.history_["learning_rate"] == [model.alpha_] * 3
    # Narrow data, or another solver: 0.01.
    X_iris, y_iris = iris
    assert ShallowNNClassifier(max_iter=2, tol=None).fit(X_iris, y_iris).alpha_ == 0.01
    for solver in ("sgd", "gd"):
        sgd = ShallowNNClassifier(solver=solver, max_iter=2, tol=None).fit(X, y)
        assert sgd.alpha_ == 0.01
    assert ShallowNNClassifier(alpha=0.5, max_iter=2, tol=None).fit(X, y).alpha_ == 0.5
    zeros = ShallowNNClassifier(max_iter=2, tol=None).fit(np.zeros((10, 3)), [0, 1] * 5)
    assert zeros.alpha_ == 0.01


def test_auto_alpha_keeps_relu_units_alive_on_wide_inputs():
    """200 x 500 in [0, 1]: Adam at 0.01 kills every relu unit and predicts one class."""
    X, y = _wide_data()
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    auto = ShallowNNClassifier(random_state=0).fit(X_train, y_train)
    # The setting where the collapse was measured: the inputs as given, MLP's l2.
    fixed = ShallowNNClassifier(alpha=0.01, random_state=0, input_scaling=None, l2=1e-4)
    fixed.fit(X_train, y_train)

    def alive(model):
        return np.mean(np.any(model.params_["W1"] @ X_train.T + model.params_["b1"] > 0, axis=1))

    assert alive(fixed) < 0.05 and len(np.unique(fixed.predict(X_test))) == 1
    assert alive(auto) > 0.5 and len(np.unique(auto.predict(X_test))) == 2


def test_auto_alpha_is_chosen_once_and_kept_by_continued_fits():
    X, y = _wide_data()
    model = ShallowNNClassifier(n1=10, random_state=0).partial_fit(X[:50], y[:50], classes=[0, 1])
    first = model.alpha_
    model.partial_fit(10 * X[50:], y[50:])  # other data would give another rate
    assert model.alpha_ == first
    model.set_params(warm_start=True, max_iter=2, tol=None).fit(10 * X, y)
    assert model.alpha_ == first
    model.set_params(alpha=0.02).fit(X, y)
    assert model.alpha_ == 0.02


def test_auto_alpha_is_the_same_for_sparse_input():
    X, y = _wide_data()
    X[X < 0.5] = 0
    dense = ShallowNNClassifier(max_iter=1, tol=None).fit(X, y)
    sparse = ShallowNNClassifier(max_iter=1, tol=None).fit(scipy.sparse.csr_matrix(X), y)
    assert sparse.alpha_ == pytest.approx(dense.alpha_, rel=1e-12)


def test_auto_alpha_weighs_rows_as_repeats():
    X, y = _wide_data()
    w = np.r_[np.full(100, 2), np.ones(100)]
    weighted = ShallowNNClassifier(max_iter=1, tol=None).fit(X, y, sample_weight=w)
    repeated = ShallowNNClassifier(max_iter=1, tol=None).fit(np.r_[X[:100], X], np.r_[y[:100], y])
    assert weighted.alpha_ == pytest.approx(repeated.alpha_, rel=1e-12)
    assert weighted.alpha_ != pytest.approx(ShallowNNClassifier(max_iter=1).fit(X, y).alpha_)


def test_a_fresh_refit_with_auto_alpha_derives_it_from_the_new_data(binary):
    X, y = binary
    options = dict(max_iter=1, tol=None, input_scaling=None)  # 'auto' sees the rows as given
    model = ShallowNNClassifier(**options).fit(X, y)
    first = model.alpha_
    model.fit(50 * X, y)  # not warm: the rate is chosen again, on the new data
    assert model.alpha_ == ShallowNNClassifier(**options).fit(50 * X, y).alpha_
    assert model.alpha_ < first


@pytest.mark.parametrize("n_classes", [2, 3])
def test_a_stratified_split_may_hold_exactly_one_sample_of_each_class(n_classes):
    per_class = 10
    y = np.repeat(np.arange(n_classes), per_class)
    # ceil(0.1 * n) = n_classes: the validation part can hold one sample of each class.
    train, val = validation_split(len(y), y, 0.1, np.random.RandomState(0))
    assert sorted(y[val]) == list(range(n_classes))
    X = np.random.RandomState(0).rand(len(y), 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no fall-back to a random split
        model = ShallowNNClassifier(4, early_stopping=True, max_iter=3, tol=None)
        model.fit(X, y)
    assert len(model.validation_scores_) == 3
