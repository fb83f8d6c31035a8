"""Property-based tests: on any valid input, fit and predict work and agree with each other."""

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_shallow import ShallowNNClassifier

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)
LABEL_SETS = {
    "ints": [3, -1, 7, 0, 12],
    "strings": ["cat", "dog", "emu", "fox", "gnu"],
}


@st.composite
def problems(draw):
    """``(X, y, sample_weight, multilabel)``: any shape, dtype, label set and weights."""
    m = draw(st.integers(min_value=5, max_value=40))
    n0 = draw(st.integers(min_value=1, max_value=5))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    values = st.floats(-10, 10, allow_nan=False, width=32)
    X = draw(hnp.arrays(dtype, (m, n0), elements=values))
    kind = draw(st.sampled_from(["ints", "strings", "multilabel"]))
    if kind == "multilabel":
        n_labels = draw(st.integers(min_value=2, max_value=4))
        y = draw(hnp.arrays(np.int64, (m, n_labels), elements=st.integers(0, 1)))
    else:
        n_classes = draw(st.integers(min_value=2, max_value=5))
        labels = np.array(LABEL_SETS[kind][:n_classes])
        codes = draw(hnp.arrays(np.int64, m, elements=st.integers(0, n_classes - 1)))
        codes[:n_classes] = np.arange(n_classes)  # every class occurs at least once
        y = labels[codes]
    sample_weight = None
    if draw(st.booleans()):
        sample_weight = draw(hnp.arrays(np.float64, m, elements=st.floats(0, 5)))
        sample_weight[0] = 1.0  # at least one positive weight
    return X, y, sample_weight, kind == "multilabel"


models = st.builds(
    ShallowNNClassifier,
    n1=st.integers(1, 6),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "identity"]),
    solver=st.sampled_from(["gd", "sgd", "adam", "lbfgs"]),
    max_iter=st.integers(1, 5),
    batch_size=st.sampled_from(["auto", 4]),
    tol=st.none(),
    random_state=st.integers(0, 2**16),
)


# Found by this test with features up to 1e6: L-BFGS-B whose first line search fails
# returns after 0 iterations, which left loss_curve_ empty (IndexError in fit).
LBFGS_STOPS_AT_ONCE = {
    "problem": (np.full((5, 3), 234.0, np.float32), np.array([3, -1, 3, 3, 3]), None, False),
    "model": ShallowNNClassifier(
        n1=1, activation="relu", solver="lbfgs", max_iter=1, tol=None, random_state=0
    ),
}


@SETTINGS
@given(problem=problems(), model=models)
@example(**LBFGS_STOPS_AT_ONCE)
def test_fit_and_predict_never_crash_and_agree(problem, model):
    X, y, sample_weight, multilabel = problem
    model.fit(X, y, sample_weight=sample_weight)
    proba = model.predict_proba(X)
    n_outputs = y.shape[1] if multilabel else len(np.unique(y))
    assert proba.shape == (X.shape[0], n_outputs)
    assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
    prediction = model.predict(X)
    if multilabel:
        np.testing.assert_array_equal(prediction, (proba > 0.5).astype(int))
    else:
        tolerance = 1e-5 if X.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=0, atol=tolerance)
        np.testing.assert_array_equal(prediction, model.classes_[np.argmax(proba, axis=1)])
        assert set(model.classes_) == set(y.tolist())
