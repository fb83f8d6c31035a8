"""Targets in any units: a fit on ``c * y`` against ``c`` times the fit on ``y`` (issue 20).

For every solver and both losses, ``ShallowNNRegressor`` is fitted on
``make_friedman1`` targets multiplied by ``c`` from 1e-30 to 1e30 (and 1e300 for
the squared error, whose variance used to overflow there), and the largest
relative difference between ``predict(X) / c`` and the predictions of the fit
on ``y`` is printed, with the training R² of the fit in the smallest units.

    python benchmarks/target_units.py
"""

import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import ShallowNNRegressor

FACTORS = (1e-30, 1e-20, 1e-16, 1e-5, 1e5, 1e20, 1e30)


def main():
    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    print("| loss | solver | factor | largest relative difference | R² on its training data |")
    print("|---|---|---|---|---|")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for loss in ("squared_error", "poisson"):
            factors = FACTORS + ((1e300,) if loss == "squared_error" else ())
            for solver in ("adam", "sgd", "gd", "lbfgs"):
                options = dict(solver=solver, loss=loss, max_iter=50, random_state=0)
                reference = ShallowNNRegressor(**options).fit(X, y).predict(X)
                for c in factors:
                    model = ShallowNNRegressor(**options).fit(X, c * y)
                    predicted = model.predict(X) / c
                    difference = np.max(np.abs(predicted - reference) / np.abs(reference))
                    # R² of the rescaled predictions (scikit-learn's r2_score squares c * y).
                    r2 = 1 - np.sum((predicted - y) ** 2) / np.sum((y - y.mean()) ** 2)
                    print(f"| {loss} | {solver} | {c:g} | {difference:.1e} | {r2:.3f} |")


if __name__ == "__main__":
    main()
