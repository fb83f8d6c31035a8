"""Concurrent fits against sequential ones: the largest difference of their weights.

Fits the same configurations one after another, then all at once in threads
(as a threading joblib backend or a user's thread pool would), and reports, per
configuration, the largest absolute difference of ``params_`` between the two.
The data are large enough that full-batch gradient descent runs in chunks (and
so holds numpy's BLAS at one thread while it runs).

    python benchmarks/concurrency.py
    python benchmarks/concurrency.py --n-samples 100000 --rounds 3
"""

import argparse
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import ShallowNNClassifier

CONFIGURATIONS = {
    "gd, chunked": dict(solver="gd", max_iter=10),
    "gd again, another seed": dict(solver="gd", max_iter=10, random_state=1),
    "adam, batches of 200": dict(solver="adam", max_iter=2),
    "sgd, batches of 200": dict(solver="sgd", max_iter=2),
    "lbfgs": dict(solver="lbfgs", max_iter=20),
}


def fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clone(model).fit(X, y).params_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=50_000)
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    X, y = make_classification(
        n_samples=args.n_samples, n_features=args.n_features, n_informative=20, random_state=0
    )
    models = {
        name: ShallowNNClassifier(**{"n1": 128, "tol": None, "random_state": 0, **params})
        for name, params in CONFIGURATIONS.items()
    }
    sequential = {name: fit(model, X, y) for name, model in models.items()}
    worst = dict.fromkeys(models, 0.0)
    for _ in range(args.rounds):
        with ThreadPoolExecutor(len(models)) as pool:
            futures = {name: pool.submit(fit, model, X, y) for name, model in models.items()}
            for name, future in futures.items():
                params = future.result()
                difference = max(
                    float(np.max(np.abs(params[k] - sequential[name][k]))) for k in params
                )
                worst[name] = max(worst[name], difference)
    print(f"{args.n_samples} x {args.n_features}, n1=128, {args.rounds} concurrent rounds")
    print("| configuration | max abs difference, concurrent vs sequential |")
    print("|---|---|")
    for name, difference in worst.items():
        print(f"| {name} | {difference:.3g} |")


if __name__ == "__main__":
    main()
