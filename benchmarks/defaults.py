"""Default settings against MLPClassifier() and a tuned MLPClassifier: accuracy, log loss, time.

Every model sits behind a ``MinMaxScaler`` in a pipeline and is cross-validated on
the same folds (``StratifiedKFold(5, shuffle=True, random_state=0)``), for each of
a few ``random_state`` values, one dataset at a time. Reported per model: mean
test accuracy, mean test log loss, median fit time and the ConvergenceWarnings
counted over all fits.

The tuned column is the best setting of ``GridSearchCV`` over
``hidden_layer_sizes`` (50,)/(100,)/(200,) x ``learning_rate_init`` 1e-3/1e-2 x
``alpha`` 1e-4/1e-2 with ``max_iter=500``, chosen on the same folds (so it is the
best a user tuning MLP on these folds would see: an optimistic target). Tuning is
slow: its results are kept in ``results/defaults_tuned.json`` and reused (pass
``--retune`` to run it again).

The datasets: scikit-learn's iris, wine, breast_cancer and digits, and synthetic
sets that stress defaults in other ways: low-dimensional and noisy (2-D moons),
many weak features, imbalanced classes, many classes, few samples with many
features, and 20,000 samples.

    python benchmarks/defaults.py                          # every dataset
    python benchmarks/defaults.py --datasets iris moons    # some of them
    python benchmarks/defaults.py --params alpha=0.01      # try other settings of ours
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier

RESULTS = Path(__file__).parent / "results"

DATASETS = {
    "iris": lambda: load_iris(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "moons_noisy_2d": lambda: make_moons(n_samples=1000, noise=0.35, random_state=0),
    "weak_features": lambda: make_classification(
        n_samples=2000, n_features=100, n_informative=40, class_sep=0.5, random_state=0
    ),
    "imbalanced": lambda: make_classification(
        n_samples=3000, n_features=20, n_informative=8, weights=[0.93, 0.07], random_state=0
    ),
    "many_classes": lambda: make_classification(
        n_samples=3000,
        n_features=40,
        n_informative=25,
        n_classes=20,
        n_clusters_per_class=1,
        random_state=0,
    ),
    "few_samples_wide": lambda: make_classification(
        n_samples=200, n_features=500, n_informative=20, random_state=0
    ),
    "large_20k": lambda: make_classification(
        n_samples=20_000, n_features=50, n_informative=15, flip_y=0.05, random_state=0
    ),
}

TUNING_GRID = {
    "mlpclassifier__hidden_layer_sizes": [(50,), (100,), (200,)],
    "mlpclassifier__learning_rate_init": [1e-3, 1e-2],
    "mlpclassifier__alpha": [1e-4, 1e-2],
}


def cross_validate(make_model, X, y, folds, seeds):
    """Mean accuracy and log loss over folds and seeds, median fit time, warnings counted."""
    accuracy, losses, times, warned = [], [], [], 0
    for seed, (train, test) in ((s, f) for s in seeds for f in folds):
        model = make_model(seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X[train], y[train])
            times.append(time.perf_counter() - start)
        warned += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        accuracy.append(model.score(X[test], y[test]))
        losses.append(log_loss(y[test], model.predict_proba(X[test]), labels=np.unique(y)))
    return {
        "cv_accuracy": float(np.mean(accuracy)),
        "cv_log_loss": float(np.mean(losses)),
        "fit_seconds_median": float(np.median(times)),
        "convergence_warnings": warned,
    }


def tuned_mlp_params(name, X, y, folds, retune):
    """The best MLPClassifier setting of the grid on these folds (cached in results/)."""
    cache_file = RESULTS / "defaults_tuned.json"
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    if name in cache and not retune:
        return cache[name]
    search = GridSearchCV(
        make_pipeline(MinMaxScaler(), MLPClassifier(max_iter=500, random_state=0)),
        TUNING_GRID,
        cv=folds,
        n_jobs=None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    best = {k.split("__", 1)[1]: v for k, v in search.best_params_.items()}
    best["hidden_layer_sizes"] = list(best["hidden_layer_sizes"])
    cache[name] = best
    RESULTS.mkdir(exist_ok=True)
    cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n")
    return best


def parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", nargs="*", default=[], help="name=value for ours")
    parser.add_argument("--mlp-params", nargs="*", default=[], help="name=value for MLP")
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument(
        "--seeds", type=int, nargs="*", default=[0, 1, 2], help="random_state values (averaged)"
    )
    parser.add_argument("--no-tuned", action="store_true", help="skip the tuned MLP column")
    parser.add_argument("--retune", action="store_true", help="tune MLP again (slow)")
    args = parser.parse_args(argv)
    args.params = {k: parse_value(v) for k, v in (p.split("=", 1) for p in args.params)}
    args.mlp_params = {k: parse_value(v) for k, v in (p.split("=", 1) for p in args.mlp_params)}
    return args


def run_dataset(name, args):
    X, y = DATASETS[name]()
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    contenders = {
        "ours": lambda seed: ShallowNNClassifier(random_state=seed, **args.params),
        "mlp": lambda seed: MLPClassifier(random_state=seed, **args.mlp_params),
    }
    if not args.no_tuned:
        tuned = tuned_mlp_params(name, X, y, folds, args.retune)
        sizes = tuple(tuned["hidden_layer_sizes"])
        contenders["tuned"] = lambda seed: MLPClassifier(
            **{**tuned, "hidden_layer_sizes": sizes}, max_iter=500, random_state=seed
        )
    row = {"dataset": name, "shape": list(X.shape), "classes": len(np.unique(y))}
    for who, make in contenders.items():
        row[who] = cross_validate(
            lambda seed, make=make: make_pipeline(MinMaxScaler(), make(seed)),
            X,
            y,
            folds,
            args.seeds,
        )
    return row


def print_table(rows, args):
    whos = [who for who in ("ours", "mlp", "tuned") if who in rows[0]]
    print(
        f"ShallowNNClassifier({args.params}) vs MLPClassifier({args.mlp_params}) and the "
        f"tuned MLPClassifier, MinMaxScaler first; 5-fold CV x random_state in {args.seeds} "
        "(accuracy and log loss: means; fit: median seconds)"
    )
    header = " | ".join(f"{w} acc | {w} log loss | {w} fit s" for w in whos)
    print(f"| dataset | {header} | ours - {whos[-1]} acc |")
    print("|---|" + "---|" * (3 * len(whos) + 1))
    for row in rows:
        cells = " | ".join(
            f"{row[w]['cv_accuracy']:.4f} | {row[w]['cv_log_loss']:.4f} | "
            f"{row[w]['fit_seconds_median']:.3f}"
            for w in whos
        )
        target = row["tuned" if "tuned" in row else "mlp"]["cv_accuracy"]
        print(f"| {row['dataset']} | {cells} | {row['ours']['cv_accuracy'] - target:+.4f} |")


def main(argv=None):
    args = parse_args(argv)
    rows = [run_dataset(name, args) for name in args.datasets]
    print_table(rows, args)
    return rows


if __name__ == "__main__":
    main()
