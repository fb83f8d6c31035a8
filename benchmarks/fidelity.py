"""Seed fidelity and gradient-check figures quoted in the project's notes.

    python benchmarks/fidelity.py

Prints the largest relative difference between ShallowNNClassifier(solver="gd")
and the course's loop written out in tests/test_classifier.py, the same for
ShallowNNRegressor(solver="gd") and the loop of tests/test_regressor.py (one and
two targets, on the fast path), and the largest gradient-check difference over
every activation, output (the regressors' identity and exp too), weighting and
L2 case.
"""

import itertools
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification, make_regression

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_classifier import course_gradient_descent  # noqa: E402
from test_regressor import course_regression, gd_regressor, standardized  # noqa: E402

from sklearn_shallow import ShallowNNClassifier  # noqa: E402
from sklearn_shallow.network import gradient_check, initialize  # noqa: E402


def seed_fidelity():
    worst = 0.0
    for n_classes in (2, 3):
        X, y = make_classification(
            n_samples=60, n_features=4, n_informative=3, n_redundant=0,
            n_classes=n_classes, random_state=0,
        )  # fmt: skip
        clf = ShallowNNClassifier(
            solver="gd", activation="tanh", l2=0.0, tol=None, random_state=3,
            n1=5, alpha=0.3, max_iter=25, input_scaling=None,
        ).fit(X, y)  # fmt: skip
        if n_classes == 2:
            Y, output = (y == 1).astype(float)[None], "sigmoid"
        else:
            Y, output = np.eye(n_classes)[:, y], "softmax"
        reference = course_gradient_descent(X.T, Y, 3, 5, 0.3, 25, output)
        for name, P in reference.items():
            difference = np.abs(clf.params_[name] - P) / np.maximum(np.abs(P), 1e-300)
            worst = max(worst, float(difference.max()))
    return worst


def regressor_fidelity():
    worst = 0.0
    for n_targets in (1, 2):
        X, y = make_regression(n_samples=60, n_features=4, n_targets=n_targets, random_state=0)
        reg = gd_regressor(n1=5, alpha=0.1, max_iter=25).fit(X, y)
        reference = course_regression(X.T, standardized(y.reshape(60, -1)).T, 3, 5, 0.1, 25)
        for name, P in reference.items():
            difference = np.abs(reg.params_[name] - P) / np.maximum(np.abs(P), 1e-300)
            worst = max(worst, float(difference.max()))
    return worst


def gradient_checks():
    rng = np.random.RandomState(0)
    worst = 0.0
    cases = itertools.product(
        ["relu", "tanh", "sigmoid", "identity"],
        [("sigmoid", 1), ("sigmoid", 3), ("softmax", 4), ("identity", 2), ("exp", 2)],
        [False, True],
        [0.0, 0.5],
    )
    for activation, (output, n_out), weighted, l2 in cases:
        X = rng.randn(3, 7)
        if output == "softmax":
            Y = np.eye(n_out)[:, rng.randint(n_out, size=7)]
        elif output == "identity":
            Y = rng.randn(n_out, 7)
        elif output == "exp":
            Y = rng.poisson(2.0, size=(n_out, 7)).astype(float)
        else:
            Y = (rng.rand(n_out, 7) > 0.5).astype(float)
        params = initialize([3, 5, n_out], random_state=1)
        params = {k: v + 0.1 * rng.randn(*v.shape) for k, v in params.items()}
        weights = rng.uniform(0.2, 3.0, size=7) if weighted else None
        difference = gradient_check(
            X, Y, params, activation=activation, output=output, sample_weight=weights, l2=l2
        )
        worst = max(worst, difference)
    return worst


if __name__ == "__main__":
    print(f"seed fidelity, max relative difference after 25 gd iterations: {seed_fidelity():.3g}")
    print(f"regressor seed fidelity, the same for gd regression: {regressor_fidelity():.3g}")
    print(f"gradient check, largest relative difference over 80 cases: {gradient_checks():.3g}")
