"""ShallowNNClassifier: fidelity to the course's loop, targets, inputs and real use."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow.network import backward, forward, initialize, update


def course_gradient_descent(X, Y, seed, n1, alpha, n_iter, output):
    """The course's loop written out independently: tanh hidden layer, samples as columns."""
    n0, m = X.shape
    n2 = Y.shape[0]
    rng = np.random.RandomState(seed)
    # Same draws as the package's initialisation: Glorot-uniform weights, zero biases.
    W1 = rng.uniform(-np.sqrt(6 / (n0 + n1)), np.sqrt(6 / (n0 + n1)), size=(n1, n0))
    W2 = rng.uniform(-np.sqrt(6 / (n1 + n2)), np.sqrt(6 / (n1 + n2)), size=(n2, n1))
    b1, b2 = np.zeros((n1, 1)), np.zeros((n2, 1))
    for _ in range(n_iter):
        Z1 = W1.dot(X) + b1
        A1 = np.tanh(Z1)
        Z2 = W2.dot(A1) + b2
        if output == "sigmoid":
            A2 = 1 / (1 + np.exp(-Z2))
        else:
            E = np.exp(Z2 - Z2.max(axis=0))
            A2 = E / E.sum(axis=0)
        dZ2 = A2 - Y
        dW2 = 1 / m * dZ2.dot(A1.T)
        db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = np.dot(W2.T, dZ2) * (1 - A1**2)
        dW1 = 1 / m * dZ1.dot(X.T)
        db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
        W1, b1 = W1 - alpha * dW1, b1 - alpha * db1
        W2, b2 = W2 - alpha * dW2, b2 - alpha * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def gd_classifier(**kwargs):
    options = dict(
        solver="gd", activation="tanh", l2=0.0, tol=None, random_state=3, input_scaling=None
    )
    return ShallowNNClassifier(**{**options, **kwargs})


@pytest.mark.parametrize("n_classes", [2, 3])
def test_gd_fit_equals_the_course_loop(n_classes):
    X, y = make_classification(
        n_samples=60, n_features=4, n_informative=3, n_redundant=0,
        n_classes=n_classes, random_state=0,
    )  # fmt: skip
    clf = gd_classifier(n1=5, alpha=0.3, max_iter=25).fit(X, y)
    if n_classes == 2:
        Y, output = (y == clf.classes_[1]).astype(float)[None, :], "sigmoid"
    else:
        Y, output = np.eye(n_classes)[:, y], "softmax"
    expected = course_gradient_descent(X.T, Y, 3, 5, 0.3, 25, output)
    for name in expected:
        assert_allclose(clf.params_[name], expected[name], rtol=1e-10, atol=1e-12)
    assert clf.n_iter_ == 25


def test_gd_fit_equals_k_applications_of_the_public_steps():
    X, y = make_classification(n_samples=50, n_features=5, random_state=1)
    clf = gd_classifier(activation="relu", n1=6, alpha=0.2, max_iter=10).fit(X, y)
    params = initialize([5, 6, 1], random_state=3)
    Y = y[None, :].astype(float)
    for _ in range(10):
        A2, cache = forward(X.T, params, activation="relu", output="sigmoid")
        params = update(params, backward(X.T, Y, params, cache, activation="relu"), 0.2)
    for name in params:
        # The estimator runs the same equations on its in-place fast path, whose
        # BLAS calls may sum in another order: equal up to rounding.
        assert_allclose(clf.params_[name], params[name], rtol=1e-10, atol=1e-14)


def test_params_have_the_course_shapes():
    X, y = make_classification(n_samples=40, n_features=7, n_classes=3, n_informative=4)
    clf = ShallowNNClassifier(n1=11, max_iter=5, tol=None).fit(X, y)
    assert {k: v.shape for k, v in clf.params_.items()} == {
        "W1": (11, 7),
        "b1": (11, 1),
        "W2": (3, 11),
        "b2": (3, 1),
    }


def test_binary_target_uses_one_sigmoid_unit_and_two_probability_columns():
    X, y = make_classification(n_samples=80, random_state=0)
    labels = np.array(["no", "yes"])[y]
    clf = ShallowNNClassifier(random_state=0).fit(X, labels)
    assert clf.params_["W2"].shape[0] == 1 and clf.out_activation_ == "sigmoid"
    proba = clf.predict_proba(X)
    assert proba.shape == (80, 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.classes_, ["no", "yes"])
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_multiclass_target_uses_a_softmax_over_the_classes(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = ShallowNNClassifier(random_state=0, alpha=0.01).fit(X, labels)
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert clf.score(X, labels) > 0.9


def test_multilabel_target_uses_one_sigmoid_unit_per_label():
    X, Y = make_multilabel_classification(n_samples=100, n_classes=4, random_state=0)
    clf = ShallowNNClassifier(random_state=0, alpha=0.01).fit(X, Y)
    assert clf.n_outputs_ == 4 and clf.out_activation_ == "sigmoid"
    proba = clf.predict_proba(X)
    assert proba.shape == (100, 4)
    assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    assert clf.score(X, Y) > 0.5


def test_predict_uses_the_fitted_activation_after_set_params(iris):
    X, y = iris
    clf = ShallowNNClassifier(n1=8, activation="tanh", max_iter=30, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    clf.set_params(activation="relu")  # not refitted: the network is still a tanh one
    assert_array_equal(clf.predict_proba(X), expected)


def test_predict_log_proba_is_the_log_of_predict_proba(iris):
    X, y = iris
    clf = ShallowNNClassifier(random_state=0, max_iter=20, tol=None).fit(X, y)
    assert_allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)))


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_predict_log_proba_stays_finite_where_a_probability_underflows(iris, kind):
    X, y = iris
    if kind == "binary":
        y = y % 2
    elif kind == "multilabel":
        y = np.c_[y == 0, y == 2].astype(int)
    clf = ShallowNNClassifier(n1=5, random_state=0, max_iter=20, tol=None).fit(X, y)
    for name in ("W2", "b2"):
        clf.params_[name] = 2000 * clf.params_[name]  # logits of several hundred
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert (proba == 0).any()
    assert np.isfinite(log_proba).all() and log_proba.min() < -745  # log of the smallest double
    clear = proba > 1e-300
    assert_allclose(log_proba[clear], np.log(proba[clear]), rtol=1e-9, atol=1e-12)


def test_float32_input_keeps_float32_parameters_and_outputs(iris):
    X, y = iris
    clf = ShallowNNClassifier(random_state=0, max_iter=5, tol=None).fit(X.astype(np.float32), y)
    assert all(P.dtype == np.float32 for P in clf.params_.values())
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("container", [sp.csr_array, sp.csc_matrix])
def test_sparse_input_gives_the_dense_result(container):
    X, y = make_classification(n_samples=60, n_features=8, random_state=0)
    X[np.abs(X) < 1.0] = 0.0
    dense = gd_classifier(n1=4, alpha=0.1, max_iter=15).fit(X, y)
    sparse = gd_classifier(n1=4, alpha=0.1, max_iter=15).fit(container(X), y)
    for name in dense.params_:
        assert_allclose(sparse.params_[name], dense.params_[name], rtol=1e-10, atol=1e-12)
    assert_allclose(sparse.predict_proba(container(X)), dense.predict_proba(X))


def test_learns_xor_which_a_linear_model_cannot(xor):
    X, y = xor
    assert LogisticRegression().fit(X, y).score(X, y) <= 0.75
    clf = ShallowNNClassifier(n1=8, activation="tanh", solver="lbfgs", random_state=0)
    assert clf.fit(X, y).score(X, y) == 1.0


def test_learns_the_moons_boundary(moons):
    X, y = moons
    linear = LogisticRegression().fit(X, y).score(X, y)
    # The network's capacity on the data as given (moons spans about [-1, 2]).
    clf = ShallowNNClassifier(n1=20, alpha=0.01, random_state=0, max_iter=500, input_scaling=None)
    assert clf.fit(X, y).score(X, y) >= 0.97 > linear


def test_pipeline_with_minmaxscaler_and_cross_val_score(iris):
    X, y = iris
    pipe = make_pipeline(MinMaxScaler(), ShallowNNClassifier(random_state=0, alpha=0.01))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.9


def test_grid_search_over_n1_and_alpha_in_parallel(iris):
    X, y = iris
    pipe = make_pipeline(MinMaxScaler(), ShallowNNClassifier(random_state=0, max_iter=100))
    grid = {"shallownnclassifier__n1": [2, 16], "shallownnclassifier__alpha": [1e-4, 1e-2]}
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    serial = {
        (n1, alpha): cross_val_score(
            clone(pipe).set_params(shallownnclassifier__n1=n1, shallownnclassifier__alpha=alpha),
            X,
            y,
            cv=3,
        ).mean()
        for n1 in grid["shallownnclassifier__n1"]
        for alpha in grid["shallownnclassifier__alpha"]
    }
    best = search.best_params_
    assert_allclose(
        search.best_score_,
        serial[best["shallownnclassifier__n1"], best["shallownnclassifier__alpha"]],
    )
    assert search.best_score_ == pytest.approx(max(serial.values()))
    # The smallest learning rate cannot get far in 100 epochs; the search must see it.
    assert search.best_score_ > 0.9 > min(serial.values())


def test_clone_keeps_parameters_and_drops_the_fit(iris):
    X, y = iris
    clf = ShallowNNClassifier(n1=7, alpha=0.02, random_state=1).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "params_")


def test_dataframe_input_records_feature_names(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    clf = ShallowNNClassifier(random_state=0, max_iter=10, tol=None).fit(frame, y)
    assert_array_equal(clf.feature_names_in_, frame.columns)
    assert clf.n_features_in_ == 4
    assert_allclose(clf.predict_proba(frame), clf.predict_proba(X))


def test_caller_data_is_neither_modified_nor_reordered(iris):
    X, y = iris
    X_saved, y_saved = X.copy(), y.copy()
    weights = np.linspace(0.5, 2.0, len(y))
    weights_saved = weights.copy()
    ShallowNNClassifier(random_state=0, max_iter=5, tol=None).fit(X, y, sample_weight=weights)
    assert_array_equal(X, X_saved)
    assert_array_equal(y, y_saved)
    assert_array_equal(weights, weights_saved)


def test_predict_proba_is_computed_in_bounded_chunks(iris):
    import sklearn

    X, y = iris
    clf = ShallowNNClassifier(random_state=0, max_iter=10, tol=None).fit(X, y)
    whole = clf.predict_proba(X)
    # A working memory of a few bytes forces one row per chunk.
    with sklearn.config_context(working_memory=1e-6):
        # Same numbers up to the rounding of BLAS on blocks of another size.
        assert_allclose(clf.predict_proba(X), whole, rtol=1e-13)
