"""A pruned search against a full one: ``search='halving'`` vs ``search='grid'`` (issue 21).

``ShallowNNClassifierCV`` on issue 21's grid of 12 (``n1`` 50/100/200 x ``alpha``
0.001/0.01 x ``l2`` 0.0001/0.01), 5-fold stratified CV behind a
``MinMaxScaler``, every model on one BLAS thread. For each search: the time of
one fit, its best score and parameters, and its accuracy in nested 5-fold CV
(an outer ``cross_val_score`` around the whole search), which is what the
pruning may cost.

    python benchmarks/pruning.py
"""

import time
import warnings

from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import MinMaxScaler
from threadpoolctl import threadpool_limits

from sklearn_shallow import ShallowNNClassifierCV

GRID = {"n1": [50, 100, 200], "alpha": [1e-3, 1e-2], "l2": [1e-4, 1e-2]}
SETS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}


def measure(search, X, y):
    """Seconds of one search, its best score and parameters, and its nested accuracy."""
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    model = ShallowNNClassifierCV(param_grid=GRID, cv=folds, search=search, random_state=0)
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    outer = StratifiedKFold(5, shuffle=True, random_state=1)
    inner = ShallowNNClassifierCV(param_grid=GRID, search=search, random_state=0)
    nested = cross_val_score(inner, X, y, cv=outer).mean()
    return seconds, model.best_score_, model.best_params_, nested


def _params(params):
    return ", ".join(f"{name}={value}" for name, value in sorted(params.items()))


def main():
    print(
        "| set | grid s | halving s | grid / halving | grid best (params) "
        "| halving best (params) | nested accuracy grid | nested accuracy halving |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, load in SETS.items():
            X, y = load(return_X_y=True)
            X = MinMaxScaler().fit_transform(X)
            grid, halving = measure("grid", X, y), measure("halving", X, y)
            print(
                f"| {name} | {grid[0]:.1f} | {halving[0]:.1f} | {grid[0] / halving[0]:.1f}x "
                f"| {grid[1]:.4f} ({_params(grid[2])}) | {halving[1]:.4f} ({_params(halving[2])}) "
                f"| {grid[3]:.4f} | {halving[3]:.4f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
