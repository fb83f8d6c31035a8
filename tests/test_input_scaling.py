"""``input_scaling``: the model scales its inputs, so that the scaler in front does not matter."""

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_wine, make_friedman1
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor, _base
from sklearn_shallow._input_scaling import densifies, fit_input_scaling, scaled


@pytest.fixture
def wine():
    return load_wine(return_X_y=True)


@pytest.fixture
def friedman():
    return make_friedman1(n_samples=200, noise=0.5, random_state=0)


def _model(Estimator, **options):
    return Estimator(n1=8, max_iter=10, tol=None, random_state=0, **options)


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
@pytest.mark.parametrize("input_scaling", ["minmax", "mean", "standard"])
def test_the_scaler_in_front_does_not_change_the_network(wine, Estimator, input_scaling):
    X, y = wine
    reference = _model(Estimator, input_scaling=input_scaling).fit(X, y)
    for scaler in (MinMaxScaler(), StandardScaler()):
        Xs = scaler.fit_transform(X)
        model = _model(Estimator, input_scaling=input_scaling).fit(Xs, y)
        for name, P in reference.params_.items():
            assert_allclose(model.params_[name], P, rtol=1e-8, atol=1e-10)


def test_minmax_maps_each_feature_to_the_unit_interval(wine):
    X, y = wine
    model = _model(ShallowNNClassifier).fit(X, y)
    assert_allclose(model.X_offset_, X.min(axis=0))
    assert_allclose(model.X_scale_, X.max(axis=0) - X.min(axis=0))
    inputs = scaled(X, model.X_offset_, model.X_scale_)
    assert_allclose(inputs.min(axis=0), 0.0, atol=1e-15)
    assert_allclose(inputs.max(axis=0), 1.0)


@pytest.fixture
def weighted_wine(wine):
    """Wine with a constant feature added, integer weights (0 to 3), and its rows repeated so."""
    X = np.c_[wine[0], np.full(len(wine[0]), 5.0)]
    w = np.random.RandomState(0).randint(0, 4, size=len(X)).astype(float)
    return X, w, np.repeat(X, w.astype(int), axis=0)


def test_standard_weighs_the_samples_and_a_constant_feature_keeps_scale_one(weighted_wine):
    X, w, repeated = weighted_wine
    offset, scale = fit_input_scaling(X, "standard", w)
    assert_allclose(offset, repeated.mean(axis=0), rtol=1e-12)
    assert_allclose(scale[:-1], repeated.std(axis=0)[:-1], rtol=1e-12)
    assert scale[-1] == 1.0


def test_mean_centres_each_feature_and_divides_it_by_its_range(weighted_wine):
    X, w, repeated = weighted_wine
    offset, scale = fit_input_scaling(X, "mean", w)
    assert_allclose(offset, repeated.mean(axis=0), rtol=1e-12)
    assert_array_equal(scale[:-1], np.ptp(repeated, axis=0)[:-1])
    assert scale[-1] == 1.0
    inputs = scaled(repeated, offset, scale)
    assert_allclose(inputs.mean(axis=0), 0.0, atol=1e-14)
    assert_allclose(np.ptp(inputs, axis=0)[:-1], 1.0)


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_auto_centres_the_inputs_above_the_sample_threshold_only(wine, Estimator, monkeypatch):
    """'auto' (the classifier's default) is 'mean' on large data, 'minmax' on the rest."""
    X, y = wine
    monkeypatch.setattr(_base, "AUTO_INPUT_SCALING_SAMPLES", 150)
    options = dict(early_stopping=False)
    small = _model(Estimator, input_scaling="auto", **options).fit(X[:150], y[:150])
    minmax = _model(Estimator, input_scaling="minmax", **options).fit(X[:150], y[:150])
    for name, P in minmax.params_.items():
        assert_array_equal(small.params_[name], P)
    large = _model(Estimator, input_scaling="auto", **options).fit(X, y)
    assert_allclose(large.X_offset_, X.mean(axis=0), rtol=1e-12)
    assert_array_equal(large.X_scale_, np.ptp(X, axis=0))
    course = _model(Estimator, input_scaling="auto", solver="gd", **options).fit(X, y)
    assert_array_equal(course.X_offset_, X.min(axis=0))  # the course's loop is left as it was
    assert ShallowNNClassifier().input_scaling == "auto"


@pytest.mark.parametrize("continued", ["warm_start", "partial_fit"])
def test_auto_scaling_is_decided_by_the_first_fit_and_kept(wine, continued, monkeypatch):
    X, y = wine
    monkeypatch.setattr(_base, "AUTO_INPUT_SCALING_SAMPLES", 150)
    model = _model(ShallowNNClassifier, input_scaling="auto", warm_start=True).fit(X, y)
    offset = model.X_offset_.copy()
    fit = model.fit if continued == "warm_start" else model.partial_fit
    fit(X[::2], y[::2])  # fewer samples than the threshold: the centring stays
    assert_array_equal(model.X_offset_, offset)


def test_minmax_of_weighted_rows_is_that_of_the_repeated_rows_exactly(wine):
    X, _ = wine
    w = np.zeros(len(X))
    w[::3] = 2.0  # the other rows have weight 0: left out
    weighted = fit_input_scaling(X, "minmax", w)
    repeated = fit_input_scaling(np.repeat(X[::3], 2, axis=0), "minmax")
    for a, b in zip(weighted, repeated, strict=True):
        assert_array_equal(a, b)


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_predict_and_continued_fits_apply_the_fitted_scaling(friedman, Estimator):
    X, y = friedman
    if Estimator is ShallowNNClassifier:
        y = (y > np.median(y)).astype(int)
    model = _model(Estimator, warm_start=True).fit(X, y)
    offset, scale = model.X_offset_.copy(), model.X_scale_.copy()
    unscaled = _model(Estimator, input_scaling=None)
    unscaled.fit(scaled(X, offset, scale), y)
    assert_allclose(model.predict(X), unscaled.predict(scaled(X, offset, scale)))
    model.fit(10 * X + 3, y)  # warm start: the network keeps its inputs' scaling
    model.partial_fit(X[:50], y[:50])
    assert_array_equal(model.X_offset_, offset)
    assert_array_equal(model.X_scale_, scale)


@pytest.mark.parametrize("continued", ["warm_start", "partial_fit"])
def test_a_changed_input_scaling_is_refused_when_continuing(wine, continued):
    X, y = wine
    model = _model(ShallowNNClassifier, warm_start=True).fit(X, y)
    model.set_params(input_scaling="standard")
    before = model.predict_proba(X)
    fit = model.fit if continued == "warm_start" else model.partial_fit
    with pytest.raises(ValueError, match="input_scaling='standard' differs from the fitted"):
        fit(X, y)
    assert_array_equal(model.predict_proba(X), before)


def test_none_trains_on_the_data_as_given(wine):
    X, y = wine
    model = _model(ShallowNNClassifier, input_scaling=None).fit(X, y)
    assert model.X_offset_ is None and model.X_scale_ is None
    assert model.params_["W1"].shape == (8, X.shape[1])


@pytest.mark.parametrize("input_scaling", ["minmax", "mean", "standard"])
def test_small_sparse_input_is_trained_as_the_dense_data(wine, input_scaling):
    X, y = wine
    dense = _model(ShallowNNClassifier, input_scaling=input_scaling).fit(X, y)
    sparse = _model(ShallowNNClassifier, input_scaling=input_scaling).fit(sp.csr_matrix(X), y)
    assert densifies(sp.csr_matrix(X))
    for name, P in dense.params_.items():
        assert_allclose(sparse.params_[name], P, rtol=1e-10, atol=1e-12)
    assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-10)


@pytest.mark.parametrize("input_scaling", ["minmax", "mean", "standard"])
def test_large_sparse_input_stays_sparse_and_is_only_divided(wine, input_scaling):
    X, y = wine
    X_sparse = sp.csr_matrix(MaxAbsScaler().fit_transform(X) * np.logspace(0, 2, X.shape[1]))
    with sklearn.config_context(working_memory=1e-6):  # no dense copy fits
        assert not densifies(X_sparse)
        model = _model(ShallowNNClassifier, input_scaling=input_scaling).fit(X_sparse, y)
        assert_array_equal(model.X_offset_, 0.0)
        assert_allclose(model.X_scale_, abs(X_sparse).max(axis=0).toarray().ravel())
        predicted = model.predict_proba(X_sparse)
    assert_allclose(model.predict_proba(X_sparse.toarray()), predicted, rtol=1e-10)


def test_features_near_the_largest_float_are_scaled_without_overflow():
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(30, 2))
    for kind in ("minmax", "mean", "standard"):
        offset, scale = fit_input_scaling(X, kind)
        assert np.isfinite(offset).all() and np.isfinite(scale).all()
        assert np.isfinite(scaled(X, offset, scale)).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_dtype_is_kept(wine, dtype):
    X, y = wine
    model = _model(ShallowNNClassifier).fit(X.astype(dtype), y)
    assert model.params_["W1"].dtype == dtype
    assert model.predict_proba(X.astype(dtype)).dtype == dtype
