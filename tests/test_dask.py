"""sklearn_shallow.dask: streaming training, lazy prediction, and a search on a cluster."""

import importlib
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor

dask = pytest.importorskip("dask", reason="sklearn_shallow.dask needs the [dask] extra")
da = pytest.importorskip("dask.array", reason="sklearn_shallow.dask needs the [dask] extra")
distributed = pytest.importorskip(
    "distributed", reason="the cluster tests need dask.distributed (the [dask] extra)"
)
joblib = pytest.importorskip("joblib")

from sklearn_shallow.dask import fit_incremental, predict, predict_proba  # noqa: E402

CHUNK = 50


@pytest.fixture(scope="module")
def cluster_client():
    """Two single-threaded worker processes, started and closed by this module."""
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def blobs(rng):
    """Three well-separated classes in 4-D, 200 rows."""
    centers = 3 * rng.randn(3, 4)
    y = rng.randint(3, size=200)
    return centers[y] + rng.randn(200, 4), y


@pytest.fixture(params=[1, 2], ids=["one_output", "two_outputs"])
def regression(request, rng):
    """A smooth target of 4-D data, 200 rows: ``y`` is 1-D for one output, 2-D for two."""
    X = rng.uniform(-1, 1, size=(200, 4))
    Y = np.tanh(X @ rng.randn(4, request.param)) + 0.05 * rng.randn(200, request.param)
    return X, Y[:, 0] if request.param == 1 else Y


def numpy_blocks(array, size=CHUNK):
    return [array[start : start + size] for start in range(0, len(array), size)]


def test_importing_without_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.array", None)
    monkeypatch.delitem(sys.modules, "sklearn_shallow.dask")
    with pytest.raises(ImportError, match=r'pip install "sklearn-shallow\[dask\]"'):
        importlib.import_module("sklearn_shallow.dask")


@pytest.mark.parametrize("solver", ["adam", "sgd", "gd"])
def test_fit_incremental_equals_partial_fit_on_the_numpy_blocks(blobs, solver):
    X, y = blobs
    w = np.linspace(0.5, 2.0, len(y))
    model = ShallowNNClassifier(n1=5, solver=solver, alpha=0.01, random_state=0)
    expected = clone(model)
    for _ in range(3):
        for Xb, yb, wb in zip(numpy_blocks(X), numpy_blocks(y), numpy_blocks(w), strict=True):
            expected.partial_fit(Xb, yb, classes=[0, 1, 2], sample_weight=wb)

    fit_incremental(
        model,
        da.from_array(X, chunks=(CHUNK, 4)),
        da.from_array(y, chunks=CHUNK),
        classes=[0, 1, 2],
        epochs=3,
        shuffle_blocks=False,
        sample_weight=w,
    )
    assert len(model.loss_curve_) == len(expected.loss_curve_) == 12
    assert model.n_iter_ == expected.n_iter_ == 1  # the last partial_fit's epoch
    for name, W in expected.params_.items():
        assert_array_equal(model.params_[name], W, err_msg=name)
    assert_array_equal(model.loss_curve_, expected.loss_curve_)


@pytest.mark.parametrize("solver", ["adam", "gd"])
def test_fit_incremental_trains_a_regressor_as_partial_fit_on_the_numpy_blocks(regression, solver):
    X, y = regression
    w = np.linspace(0.5, 2.0, len(y))
    model = ShallowNNRegressor(n1=5, solver=solver, random_state=0)
    expected = clone(model)
    for _ in range(2):
        for Xb, yb, wb in zip(numpy_blocks(X), numpy_blocks(y), numpy_blocks(w), strict=True):
            expected.partial_fit(Xb, yb, sample_weight=wb)

    chunks = (CHUNK,) if y.ndim == 1 else (CHUNK, y.shape[1])
    fit_incremental(
        model,
        da.from_array(X, chunks=(CHUNK, 4)),
        da.from_array(y, chunks=chunks),
        epochs=2,
        shuffle_blocks=False,
        sample_weight=da.from_array(w, chunks=CHUNK),
    )
    assert model.n_outputs_ == expected.n_outputs_ == (1 if y.ndim == 1 else y.shape[1])
    assert len(model.loss_curve_) == 8
    for name, W in expected.params_.items():
        assert_allclose(model.params_[name], W, rtol=0, atol=1e-12, err_msg=name)
    assert_allclose(model.y_offset_, expected.y_offset_, rtol=0, atol=1e-12)
    assert_allclose(model.y_scale_, expected.y_scale_, rtol=0, atol=1e-12)


def test_fit_incremental_computes_the_targets_of_a_regressor_once_per_epoch(regression):
    """No extra pass over ``y`` to find classes: a regressor has none."""
    X, y = regression
    computed = []

    def count(block):
        computed.append(len(block))
        return block

    dy = da.from_array(y, chunks=(CHUNK,) + y.shape[1:]).map_blocks(count, meta=y[:0])
    with dask.config.set(scheduler="sync"):  # the counter lives in this process
        fit_incremental(
            ShallowNNRegressor(n1=5, random_state=0), da.from_array(X, chunks=(CHUNK, 4)), dy
        )
    assert computed == [CHUNK] * 4


def test_fit_incremental_keeps_the_classes_of_a_fitted_classifier(blobs):
    """Blocks holding only some of the classes continue a fitted classifier, all classes kept."""
    X, y = blobs
    model = ShallowNNClassifier(n1=5, max_iter=5, tol=None, random_state=0).fit(X, y)
    expected = clone(model).fit(X, y)
    X_seen, y_seen = X[y < 2], y[y < 2]  # blocks holding classes 0 and 1 only
    for Xb, yb in zip(numpy_blocks(X_seen), numpy_blocks(y_seen), strict=True):
        expected.partial_fit(Xb, yb)

    fit_incremental(
        model,
        da.from_array(X_seen, chunks=(CHUNK, 4)),
        da.from_array(y_seen, chunks=CHUNK),
        shuffle_blocks=False,
    )
    assert_array_equal(model.classes_, [0, 1, 2])
    for name, W in expected.params_.items():
        assert_allclose(model.params_[name], W, rtol=0, atol=1e-12, err_msg=name)
    assert predict_proba(model, da.from_array(X, chunks=(CHUNK, 4))).shape == (200, 3)


def test_fit_incremental_refuses_classes_for_a_regressor(regression):
    X, y = regression
    model = ShallowNNRegressor(n1=5)
    with pytest.raises(TypeError, match=r"classes applies to classifiers only; ShallowNNReg"):
        fit_incremental(model, da.from_array(X, chunks=(CHUNK, 4)), y, classes=[0, 1])
    assert not hasattr(model, "params_")


def test_shuffled_blocks_follow_the_documented_order(blobs):
    X, y = blobs
    model = ShallowNNClassifier(n1=5, random_state=0)
    expected = clone(model)
    rng = np.random.RandomState(7)
    Xs, ys = numpy_blocks(X), numpy_blocks(y)
    for _ in range(2):
        for i in rng.permutation(len(Xs)):
            expected.partial_fit(Xs[i], ys[i], classes=[0, 1, 2])

    fit_incremental(
        model, da.from_array(X, chunks=(CHUNK, 4)), y, epochs=2, random_state=7
    )  # in-memory y, sliced along X's blocks; classes found from y
    assert_array_equal(model.classes_, [0, 1, 2])
    for name, W in expected.params_.items():
        assert_array_equal(model.params_[name], W, err_msg=name)


def test_fit_incremental_rechunks_y_to_the_blocks_of_X(blobs):
    X, y = blobs
    model = ShallowNNClassifier(n1=5, random_state=0)
    expected = clone(model)
    for Xb, yb in zip(numpy_blocks(X), numpy_blocks(y), strict=True):
        expected.partial_fit(Xb, yb, classes=[0, 1, 2])

    dX = da.from_array(X, chunks=(CHUNK, 2))  # column blocks too
    dy = da.from_array(y, chunks=30)
    fit_incremental(model, dX, dy, classes=[0, 1, 2], shuffle_blocks=False)
    assert_allclose(model.params_["W1"], expected.params_["W1"], rtol=0, atol=1e-12)


def test_fit_incremental_learns_a_lazy_nonlinear_problem():
    X = da.random.default_rng(0).uniform(-1, 1, size=(4000, 2), chunks=(500, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR quadrants, computed with each block
    model = ShallowNNClassifier(n1=16, alpha=0.01, random_state=0)
    fit_incremental(model, X, y, classes=[0, 1], epochs=10, random_state=0)

    X_test = np.random.RandomState(1).uniform(-1, 1, size=(1000, 2))
    y_test = (X_test[:, 0] * X_test[:, 1] > 0).astype(int)
    assert model.score(X_test, y_test) > 0.9


def test_predict_is_lazy_and_equals_numpy_predict(blobs):
    X, y = blobs
    model = ShallowNNClassifier(n1=5, solver="lbfgs", random_state=0).fit(X, y)
    dX = da.from_array(X, chunks=(CHUNK, 2))

    y_pred = predict(model, dX)
    proba = predict_proba(model, dX)
    assert isinstance(y_pred, da.Array) and isinstance(proba, da.Array)
    assert y_pred.chunks == ((CHUNK,) * 4,)
    assert proba.chunks == ((CHUNK,) * 4, (3,))
    assert y_pred.dtype == model.predict(X).dtype
    assert_array_equal(y_pred.compute(), model.predict(X))
    assert_allclose(proba.compute(), model.predict_proba(X), rtol=1e-12)


def test_predict_keeps_string_labels_and_computes_nothing(blobs):
    X, y = blobs
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = ShallowNNClassifier(n1=5, solver="lbfgs", random_state=0).fit(X, labels)

    def fail(block):
        raise AssertionError("predict computed its input")

    dX = da.from_array(X, chunks=(CHUNK, 4)).map_blocks(fail, dtype=X.dtype)
    y_pred = predict(model, dX)
    assert y_pred.dtype == labels.dtype
    with pytest.raises(AssertionError, match="computed its input"):
        y_pred.compute()


def test_fit_incremental_on_dask_dataframes_keeps_feature_names(blobs):
    dd = pytest.importorskip("dask.dataframe", reason="dask DataFrames need pyarrow")
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), npartitions=4)
    target = dd.from_pandas(pd.Series(y), npartitions=4)
    model = fit_incremental(ShallowNNClassifier(n1=5, random_state=0), frame, target)

    assert_array_equal(model.feature_names_in_, list("abcd"))
    assert len(model.loss_curve_) == 4
    assert_array_equal(predict(model, frame).compute(), model.predict(frame.compute()))


def test_predict_of_a_regressor_is_lazy_and_equals_numpy_predict(regression):
    X, y = regression
    model = ShallowNNRegressor(n1=5, solver="lbfgs", random_state=0).fit(X, y)
    dX = da.from_array(X, chunks=(CHUNK, 2))

    y_pred = predict(model, dX)
    assert isinstance(y_pred, da.Array)
    assert y_pred.shape == y.shape
    assert y_pred.chunks == ((CHUNK,) * 4,) + tuple((n,) for n in y.shape[1:])
    assert y_pred.dtype == model.predict(X).dtype
    assert_allclose(y_pred.compute(), model.predict(X), rtol=1e-12, atol=1e-12)


def test_predict_proba_refuses_a_regressor(regression):
    X, y = regression
    model = ShallowNNRegressor(n1=5, solver="lbfgs", random_state=0).fit(X, y)
    with pytest.raises(
        TypeError,
        match=r"predict_proba needs an estimator with a predict_proba method; ShallowNNRegressor",
    ):
        predict_proba(model, da.from_array(X, chunks=(CHUNK, 4)))


def test_fit_incremental_on_dask_dataframes_trains_a_regressor(rng):
    dd = pytest.importorskip("dask.dataframe", reason="dask DataFrames need pyarrow")
    pd = pytest.importorskip("pandas")
    X = rng.uniform(-1, 1, size=(200, 4))
    Y = np.c_[X[:, 0] * X[:, 1], np.sin(X[:, 2])]
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), npartitions=4)
    targets = dd.from_pandas(pd.DataFrame(Y, columns=["product", "sine"]), npartitions=4)
    model = ShallowNNRegressor(n1=5, random_state=0)
    expected = clone(model)
    for i in range(4):
        expected.partial_fit(frame.partitions[i].compute(), targets.partitions[i].compute())

    fit_incremental(model, frame, targets, shuffle_blocks=False)
    assert_array_equal(model.feature_names_in_, list("abcd"))
    assert_allclose(model.params_["W2"], expected.params_["W2"], rtol=0, atol=1e-12)
    y_pred = predict(model, frame)
    assert y_pred.ndim == 2
    assert_allclose(y_pred.compute(), model.predict(frame.compute()), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "epochs must be at least 1; got epochs=0"),
        ({"epochs": 2.5}, TypeError, "epochs must be an int; got 2.5"),
        ({"epochs": True}, TypeError, "epochs must be an int; got True"),
        ({"shuffle_blocks": "yes"}, TypeError, "shuffle_blocks must be a bool; got 'yes'"),
        ({"random_state": "seed"}, ValueError, "'seed' cannot be used to seed"),
        ({"sample_weight": np.ones(7)}, ValueError, "sample_weight has 7 rows but X has 200"),
    ],
)
def test_fit_incremental_rejects_bad_arguments(blobs, kwargs, error, match):
    X, y = blobs
    with pytest.raises(error, match=match):
        fit_incremental(ShallowNNClassifier(), da.from_array(X, chunks=CHUNK), y, **kwargs)


def test_fit_incremental_rejects_bad_data(blobs):
    X, y = blobs
    model = ShallowNNClassifier()
    dX = da.from_array(X, chunks=(CHUNK, 4))
    with pytest.raises(TypeError, match="X must be a dask array or a dask DataFrame; got numpy"):
        fit_incremental(model, X, y)
    with pytest.raises(ValueError, match=r"X must be 2-D .* got shape \(200,\)"):
        fit_incremental(model, dX[:, 0], y)
    with pytest.raises(ValueError, match="y has 150 rows but X has 200"):
        fit_incremental(model, dX, da.from_array(y[:150], chunks=CHUNK))
    with pytest.raises(TypeError, match="must have a partial_fit method"):
        fit_incremental(ShallowNNClassifier(solver="lbfgs"), dX, y)
    assert not hasattr(model, "params_")


def test_predict_rejects_bad_input(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="not fitted"):
        predict(ShallowNNClassifier(), da.from_array(X))
    model = ShallowNNClassifier(n1=3, solver="lbfgs", random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="X must be a dask array or a dask DataFrame; got numpy"):
        predict_proba(model, X)


def _searched_locally_and_on_the_cluster(search, X, y, cluster_client):
    """The search fitted here and through joblib's dask backend; both workers must take part."""
    local = clone(search).fit(X, y)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(cluster_client) as tasks:
        distant = clone(search).fit(X, y)

    workers = {task["worker"] for task in tasks.data}
    assert len(workers) == 2, "the fits did not run on both workers of the cluster"
    assert distant.best_params_ == local.best_params_
    assert_allclose(
        distant.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-12
    )
    return local, distant


def test_grid_search_on_a_cluster_matches_the_local_search(blobs, cluster_client):
    X, y = blobs
    grid = {"n1": [2, 8], "alpha": [0.001, 0.05]}
    search = GridSearchCV(
        ShallowNNClassifier(solver="gd", max_iter=50, tol=None, random_state=0),
        grid,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=-1,
    )
    _searched_locally_and_on_the_cluster(search, X, y, cluster_client)


def test_grid_search_of_a_regressor_on_a_cluster_matches_the_local_search(cluster_client, rng):
    X = rng.uniform(-1, 1, size=(150, 4))
    y = np.tanh(X @ rng.randn(4)) + 0.05 * rng.randn(150)
    grid = {"n1": [2, 8], "l2": [0.0, 1.0]}
    search = GridSearchCV(
        ShallowNNRegressor(solver="gd", max_iter=50, tol=None, random_state=0),
        grid,
        cv=KFold(3, shuffle=True, random_state=0),
        n_jobs=-1,
    )
    local, distant = _searched_locally_and_on_the_cluster(search, X, y, cluster_client)
    assert_allclose(distant.predict(X), local.predict(X), rtol=1e-12)
