"""Default settings of ShallowNNRegressor vs MLPRegressor() and RidgeCV: 5-fold CV R² and fit time.

Every model sits behind a ``StandardScaler`` in a pipeline (nothing is done to
``y``) and is cross-validated on the same folds (``KFold(5, shuffle=True,
random_state=0)``) on load_diabetes, make_friedman1(1000, noise=1) and
make_regression(2000, 20, n_informative=10, noise=10): the three sets of the
regressor's goal (issue 14). ConvergenceWarnings are counted.

Ours and ``MLPRegressor()`` run once per ``random_state`` in ``--seeds``
(initial weights, batches), interleaved; the table gives the mean and the
lowest CV R² over the seeds, the median fit time of the 5 folds and its ratio to
MLP's median in the same run, and whether the goal is met: R² at least MLP's and
``RidgeCV``'s less 0.01 at every seed, at most half MLP's fit time, and no
ConvergenceWarning. ``--more`` adds sets that were not used to choose the
defaults (make_friedman2, make_friedman3, make_sparse_uncorrelated).

    python benchmarks/regression_defaults.py
    python benchmarks/regression_defaults.py --seeds 0 1 2 3 4 --more
    python benchmarks/regression_defaults.py --params l2=0.0001
"""

import argparse
import functools
import json
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_diabetes,
    make_friedman1,
    make_friedman2,
    make_friedman3,
    make_regression,
    make_sparse_uncorrelated,
)
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

#: Sets not used to choose the defaults (``--more``).
MORE_DATASETS = {
    "friedman2": lambda: make_friedman2(1000, noise=10, random_state=0),
    "friedman3": lambda: make_friedman3(1000, noise=0.1, random_state=0),
    "sparse_uncorrelated": lambda: make_sparse_uncorrelated(1000, random_state=0),
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


def compare(X, y, params, seeds):
    """Per model: the CV R² of each seed, the fit time of each seed, warnings in all."""
    runs = {"ours": ([], [], 0), "MLP": ([], [], 0)}
    makers = {
        "ours": lambda seed: ShallowNNRegressor(random_state=seed, **params),
        "MLP": lambda seed: MLPRegressor(random_state=seed),
    }
    for seed in seeds:
        for name, make in makers.items():
            mean, _, seconds, warned = cross_validate(functools.partial(make, seed), X, y)
            scores, times, warnings_so_far = runs[name]
            runs[name] = (scores + [mean], times + [seconds], warnings_so_far + warned)
    ridge = cross_validate(RidgeCV, X, y)[0]
    return runs, ridge


def report(name, runs, ridge):
    (ours, ours_t, ours_w), (mlp, mlp_t, mlp_w) = runs["ours"], runs["MLP"]
    ratio = statistics.median(ours_t) / statistics.median(mlp_t)
    met = (
        all(r >= m for r, m in zip(ours, mlp, strict=True))
        and min(ours) >= ridge - 0.01
        and ratio <= 0.5
        and ours_w == 0
    )
    print(
        f"| {name} | {np.mean(ours):.3f} (min {min(ours):.3f}) | {np.mean(mlp):.3f} "
        f"(min {min(mlp):.3f}) | {ridge:.3f} | {statistics.median(ours_t):.2f} | "
        f"{statistics.median(mlp_t):.2f} | {ratio:.2f} | {ours_w} / {mlp_w} | "
        f"{'yes' if met else 'no'} |",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", nargs="*", default=[], help="name=value for ours")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--more", action="store_true", help="add the held-out sets")
    args = parser.parse_args()
    params = dict(item.split("=", 1) for item in args.params)
    params = {name: parse_value(value) for name, value in params.items()}
    settings = ", ".join(f"{k}={v!r}" for k, v in params.items())
    print(f"ShallowNNRegressor({settings}) vs MLPRegressor(), seeds {args.seeds}\n")
    print(
        "| data set | ours CV R² | MLP CV R² | RidgeCV | ours fit s | MLP fit s "
        "| time ratio | ConvergenceWarnings ours / MLP | goal met |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    datasets = {**DATASETS, **(MORE_DATASETS if args.more else {})}
    for name, load in datasets.items():
        X, y = load()
        report(name, *compare(X, y, params, args.seeds))


if __name__ == "__main__":
    main()
