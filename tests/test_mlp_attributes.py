"""MLP's names for the fitted weights: ``coefs_``, ``intercepts_``, ``n_layers_``.

Code written for ``MLPClassifier``/``MLPRegressor`` reads them (scikit-learn's
gallery example "Visualization of MLP weights on MNIST" does ``mlp.coefs_[0]``);
ours are read-only views of ``params_`` in MLP's layout.
"""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor

matplotlib.use("Agg")


@pytest.fixture
def digits():
    X, y = load_digits(return_X_y=True)
    return MinMaxScaler().fit_transform(X), y


def _fitted(Estimator, digits):
    X, y = digits
    if Estimator is ShallowNNRegressor:
        X, y = make_regression(n_samples=100, n_features=64, n_targets=2, random_state=0)
    return Estimator(n1=16, max_iter=5, tol=None, random_state=0).fit(X, y), X, y


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_coefs_and_intercepts_are_the_parameters_in_mlps_layout(digits, Estimator):
    model, _, _ = _fitted(Estimator, digits)
    params = model.params_
    assert isinstance(model.coefs_, list) and isinstance(model.intercepts_, list)
    assert_array_equal(model.coefs_[0], params["W1"].T)
    assert_array_equal(model.coefs_[1], params["W2"].T)
    assert_array_equal(model.intercepts_[0], params["b1"][:, 0])
    assert_array_equal(model.intercepts_[1], params["b2"][:, 0])
    assert [c.shape for c in model.coefs_] == [(64, 16), (16, model.n_outputs_)]
    assert [b.shape for b in model.intercepts_] == [(16,), (model.n_outputs_,)]
    assert model.n_layers_ == 3


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_coefs_are_read_only_views_that_follow_every_fit(digits, Estimator):
    model, X, y = _fitted(Estimator, digits)
    views = model.coefs_ + model.intercepts_
    for view, name in zip(views, ["W1", "W2", "b1", "b2"], strict=True):
        assert np.shares_memory(view, model.params_[name])
        with pytest.raises(ValueError, match="read-only"):
            view[0] = 0.0
    with pytest.raises(AttributeError):
        model.coefs_ = []
    model.partial_fit(X, y)
    assert_array_equal(model.coefs_[0], model.params_["W1"].T)
    model.set_params(n1=3).fit(X, y)
    assert model.coefs_[0].shape == (64, 3) and model.intercepts_[0].shape == (3,)


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_an_unfitted_model_has_no_coefs(Estimator):
    model = Estimator()
    for name in ("coefs_", "intercepts_", "n_layers_"):
        assert not hasattr(model, name)
        with pytest.raises(NotFittedError):
            getattr(model, name)


def test_sklearns_recipe_that_draws_the_first_layers_weights_runs_on_ours(digits):
    """The loop of scikit-learn's ``plot_mnist_filters.py``, on 8 x 8 digits."""
    import matplotlib.pyplot as plt

    X, y = digits
    mlp = ShallowNNClassifier(n1=16, max_iter=20, random_state=1).fit(X, y)
    fig, axes = plt.subplots(4, 4)
    vmin, vmax = mlp.coefs_[0].min(), mlp.coefs_[0].max()
    for coef, ax in zip(mlp.coefs_[0].T, axes.ravel(), strict=True):
        ax.matshow(coef.reshape(8, 8), cmap=plt.cm.gray, vmin=0.5 * vmin, vmax=0.5 * vmax)
        ax.set_xticks(())
        ax.set_yticks(())
    drawn = [ax.images[0].get_array() for ax in axes.ravel()]
    plt.close(fig)
    # Each panel shows one hidden unit's weights over the 8 x 8 pixels.
    assert len(drawn) == 16
    for unit, image in enumerate(drawn):
        assert_array_equal(np.asarray(image), mlp.params_["W1"][unit].reshape(8, 8))
