"""Default settings vs MLPClassifier(): 5-fold CV accuracy and fit time, side by side.

Both estimators sit behind a ``MinMaxScaler`` in a pipeline and are cross-validated
on the same folds (``StratifiedKFold(5, shuffle=True, random_state=0)``), for each
of a few ``random_state`` values, one dataset at a time. ConvergenceWarnings are
counted.

    python benchmarks/defaults.py                     # the defaults
    python benchmarks/defaults.py --params alpha=0.01 # try other settings
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier

DATASETS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}


def cross_validate(make_model, X, y, folds, seeds):
    scores, times, warned = [], [], 0
    for seed, (train, test) in ((s, f) for s in seeds for f in folds):
        model = make_model(seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X[train], y[train])
            times.append(time.perf_counter() - start)
        warned += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        scores.append(model.score(X[test], y[test]))
    return {
        "cv_accuracy": float(np.mean(scores)),
        "cv_std": float(np.std(scores)),
        "fit_seconds_median": float(np.median(times)),
        "convergence_warnings": warned,
    }


def parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", nargs="*", default=[], help="name=value for ours")
    parser.add_argument("--mlp-params", nargs="*", default=[], help="name=value for MLP")
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS))
    parser.add_argument(
        "--seeds", type=int, nargs="*", default=[0, 1, 2], help="random_state values (averaged)"
    )
    args = parser.parse_args(argv)
    params = dict(p.split("=", 1) for p in args.params)
    params = {k: parse_value(v) for k, v in params.items()}
    mlp_params = {k: parse_value(v) for k, v in (p.split("=", 1) for p in args.mlp_params)}

    rows = []
    for name in args.datasets:
        X, y = DATASETS[name](return_X_y=True)
        folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
        ours = cross_validate(
            lambda seed: make_pipeline(
                MinMaxScaler(), ShallowNNClassifier(random_state=seed, **params)
            ),
            X,
            y,
            folds,
            args.seeds,
        )
        mlp = cross_validate(
            lambda seed: make_pipeline(
                MinMaxScaler(), MLPClassifier(random_state=seed, **mlp_params)
            ),
            X,
            y,
            folds,
            args.seeds,
        )
        rows.append({"dataset": name, "ours": ours, "mlp": mlp})

    print(
        f"ShallowNNClassifier({', '.join(args.params)}) vs "
        f"MLPClassifier({', '.join(args.mlp_params)}), MinMaxScaler "
        f"first; 5-fold CV x random_state in {args.seeds} (accuracy: mean; fit: median; "
        "warnings: ConvergenceWarnings counted over all fits)"
    )
    print("| dataset | ours CV acc | MLP CV acc | ours fit s | MLP fit s | ours warn | MLP warn |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        o, m = row["ours"], row["mlp"]
        print(
            f"| {row['dataset']} | {o['cv_accuracy']:.4f} | {m['cv_accuracy']:.4f} | "
            f"{o['fit_seconds_median']:.3f} | {m['fit_seconds_median']:.3f} | "
            f"{o['convergence_warnings']} | {m['convergence_warnings']} |"
        )
    return rows


if __name__ == "__main__":
    main()
