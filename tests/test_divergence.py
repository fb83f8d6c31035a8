"""A diverging loss: the best validated epoch is kept where there is one, else a ValueError.

scikit-learn's issue 29504 (``test_mlp_diverging_loss``, run through the adaptor
in ``test_mlp_contract.py``): with validation data, a fit whose loss later
becomes inf or NaN keeps its best validated epoch and warns; without it the fit
is refused and the estimator left as it was (``test_training_controls.py``).
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor, _engine

#: Identity hidden units and a learning rate far too large: the weights grow
#: geometrically and overflow after a few epochs, the first of which is finite.
DIVERGING = {
    ShallowNNClassifier: dict(n1=20, activation="identity", alpha=1e3),
    ShallowNNRegressor: dict(n1=20, activation="identity", alpha=1.0),
}


@pytest.fixture
def iris_raw():
    return load_iris(return_X_y=True)


def _fit_diverging(model, X, y, **fit_params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y, **fit_params)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    return [message for message in messages if "diverged" in message]


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
@pytest.mark.parametrize("solver", ["gd", "sgd"])
@pytest.mark.parametrize("validation", ["early_stopping", "X_val"])
def test_divergence_with_validation_keeps_the_best_validated_epoch(
    iris_raw, Estimator, solver, validation
):
    X, y = iris_raw
    options = dict(**DIVERGING[Estimator], solver=solver, max_iter=100, tol=None, random_state=0)
    if validation == "early_stopping":
        options["early_stopping"] = True
        fit_params = {}
    else:
        fit_params = dict(X_val=X[::3], y_val=y[::3])
    model = Estimator(**options)
    warned = _fit_diverging(model, X, y, **fit_params)
    assert len(warned) == 1 and f"alpha={options['alpha']!r}" in warned[0]
    # The diverged epoch is recorded (NaN scores, as MLP records them), then training ends.
    assert model.n_iter_ < 100 and math.isnan(model.validation_scores_[-1])
    assert not math.isfinite(model.loss_curve_[-1])
    assert model.best_epoch_ < model.n_iter_
    assert model.best_validation_score_ == np.nanmax(model.validation_scores_)
    # params_ is the network of the best validated epoch: the same fit stopped there.
    stopped = Estimator(**{**options, "max_iter": model.best_epoch_}).fit(X, y, **fit_params)
    for name, P in stopped.params_.items():
        assert_allclose(model.params_[name], P, rtol=1e-12)
    if validation == "X_val":
        with np.errstate(over="ignore", invalid="ignore"):
            score = model.score(fit_params["X_val"], fit_params["y_val"])
        assert score == pytest.approx(model.best_validation_score_, rel=1e-9)


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_a_restored_model_continues_with_a_fresh_optimiser(iris_raw, Estimator):
    X, y = iris_raw
    options = dict(**DIVERGING[Estimator], solver="sgd", early_stopping=True, random_state=0)
    model = Estimator(**options, max_iter=100, tol=None)
    assert _fit_diverging(model, X, y)
    # The diverged epoch's momentum (NaN) is not kept: a later epoch stays finite.
    model.set_params(alpha=1e-9, early_stopping=False).partial_fit(X, y)
    assert all(np.isfinite(P).all() for P in model.params_.values())


class _PoisonedRunner:
    """An epoch runner whose epoch ``at`` returns NaN parameters (a stand-in divergence)."""

    def __init__(self, runner, at):
        self.runner, self.at, self.epochs = runner, at, 0

    def load(self, params, opt_state):
        return self.runner.load(params, opt_state)

    def __call__(self, params, opt_state, **kwargs):
        params, opt_state, J, score = self.runner(params, opt_state, **kwargs)
        self.epochs += 1
        if self.epochs == self.at:
            params = {name: P * np.nan for name, P in params.items()}
            J = math.nan
        return params, opt_state, J, score


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_every_iterative_solver_restores_the_best_epoch_when_the_loss_turns_nan(
    iris_raw, monkeypatch, Estimator, solver
):
    X, y = iris_raw
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    real_runner = _engine.epoch_runner
    monkeypatch.setattr(
        _engine, "epoch_runner", lambda *args, **kw: _PoisonedRunner(real_runner(*args, **kw), 6)
    )
    options = dict(n1=8, solver=solver, alpha=0.01, max_iter=20, tol=None, random_state=0)
    model = Estimator(**options, early_stopping=True)
    assert len(_fit_diverging(model, X, y)) == 1
    assert model.n_iter_ == 6 and model.best_epoch_ <= 5
    assert model.best_epoch_ == 1 + int(np.nanargmax(model.validation_scores_))
    monkeypatch.undo()
    stopped = Estimator(**options, early_stopping=True)
    stopped.set_params(max_iter=model.best_epoch_).fit(X, y)
    for name, P in stopped.params_.items():
        assert_array_equal(model.params_[name], P)


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_divergence_without_validation_still_refuses_the_fit(iris_raw, Estimator):
    X, y = iris_raw
    model = Estimator(**DIVERGING[Estimator], solver="gd", max_iter=60, tol=None, random_state=0)
    with pytest.raises(ValueError, match="diverged at epoch .* alpha="):
        model.fit(X, y)
    assert not hasattr(model, "params_")


def test_divergence_before_any_finite_validation_score_refuses_the_fit(iris_raw):
    X, y = iris_raw
    # The first update already overflows the validation R² (NaN): no epoch to keep.
    options = dict(n1=20, activation="identity", solver="gd", alpha=1e300, max_iter=5)
    model = ShallowNNRegressor(**options, early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match="diverged at epoch 2.*alpha=1e"):
        model.fit(X, y)
    assert not hasattr(model, "params_")
