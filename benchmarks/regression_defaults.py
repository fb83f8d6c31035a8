"""Default settings of ShallowNNRegressor vs MLPRegressor() and RidgeCV: 5-fold CV R² and fit time.

Every model sits behind a ``StandardScaler`` in a pipeline (nothing is done to
``y``) and is cross-validated on the same folds (``KFold(5, shuffle=True,
random_state=0)``) on load_diabetes, make_friedman1(1000, noise=1) and
make_regression(2000, 20, n_informative=10, noise=10). ConvergenceWarnings are
counted.

    python benchmarks/regression_defaults.py
    python benchmarks/regression_defaults.py --params alpha=0.001 n1=50
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import ShallowNNRegressor

DATASETS = {
    "diabetes": lambda: load_diabetes(return_X_y=True),
    "friedman1": lambda: make_friedman1(1000, noise=1, random_state=0),
    "regression": lambda: make_regression(2000, 20, n_informative=10, noise=10, random_state=0),
}


def cross_validate(make_model, X, y):
    scores, times, warned = [], [], 0
    for train, test in KFold(5, shuffle=True, random_state=0).split(X):
        model = make_pipeline(StandardScaler(), make_model())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X[train], y[train])
            times.append(time.perf_counter() - start)
        warned += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        scores.append(model.score(X[test], y[test]))
    return float(np.mean(scores)), float(np.std(scores)), float(np.sum(times)), warned


def parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", nargs="*", default=[], help="name=value for ours")
    args = parser.parse_args()
    params = dict(item.split("=", 1) for item in args.params)
    params = {name: parse_value(value) for name, value in params.items()}
    models = {
        f"ShallowNNRegressor({', '.join(f'{k}={v!r}' for k, v in params.items())})": lambda: (
            ShallowNNRegressor(random_state=0, **params)
        ),
        "MLPRegressor()": lambda: MLPRegressor(random_state=0),
        "RidgeCV()": RidgeCV,
    }
    print(
        "| data set | model | CV R² (mean ± std) | fit time, 5 folds (s) | ConvergenceWarnings |"
    )
    print("|---|---|---|---|---|")
    for data_name, load in DATASETS.items():
        X, y = load()
        for model_name, make_model in models.items():
            mean, std, seconds, warned = cross_validate(make_model, X, y)
            print(
                f"| {data_name} | {model_name} | {mean:.3f} ± {std:.3f} | {seconds:.2f} "
                f"| {warned} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
