"""Default fits on large data: ours (early_stopping='auto', and False) vs MLPClassifier().

The time a default fit takes, its epochs and its test accuracy, on the
``binary100k`` workload of ``run.py`` (100,000 training rows x 100, test
25,000), on ``large_20k`` of ``defaults.py`` (16,000 training rows x 50, a
stratified fifth held out) and on ``classif45k`` (45,000 training rows x 40,
11,250 test: a binary problem where ``MLPClassifier()`` ends at 0.957-0.962
after its 200 epochs, as on the 45,000-row set of issue 19). Each model runs
``--repeats`` times, interleaved, with ``random_state`` 0, 1, ...; medians are
reported, and the ratio of each model's median fit time to MLP's in the same
run.

``--models`` picks the contenders, ``--params`` adds one of ours with other
settings (``--params batch_size=400 tol=0.001``; repeat it for several).
``--blas-threads 1`` runs every fit with one BLAS thread: on a machine whose
cores other jobs share, BLAS's threads wait for each other and one fit's
time can vary several-fold from one epoch to the next.

    python benchmarks/large_defaults.py
    python benchmarks/large_defaults.py --datasets binary100k --repeats 1
    python benchmarks/large_defaults.py --datasets classif45k --models ours mlp \\
        --params batch_size=400 --blas-threads 1
"""

import argparse
import statistics
import time
import warnings

from defaults import DATASETS, parse_value
from run import load_workload
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from sklearn_shallow import ShallowNNClassifier


def split(X, y, test_size):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=0
    )
    return {"X": X_train, "y": y_train, "X_test": X_test, "y_test": y_test}


def large_20k():
    return split(*DATASETS["large_20k"](), test_size=0.2)


def classif45k():
    X, y = make_classification(
        n_samples=56_250, n_features=40, n_informative=20, n_redundant=10, flip_y=0.04,
        random_state=0,
    )  # fmt: skip
    return split(X, y, test_size=11_250)


LOADERS = {
    "binary100k": lambda: load_workload("binary100k", quick=False),
    "large_20k": large_20k,
    "classif45k": classif45k,
}

MODELS = {
    "ours": ("ShallowNNClassifier()", lambda seed: ShallowNNClassifier(random_state=seed)),
    "ours-no-es": (
        "ShallowNNClassifier(early_stopping=False)",
        lambda seed: ShallowNNClassifier(early_stopping=False, random_state=seed),
    ),
    "mlp": ("MLPClassifier()", lambda seed: MLPClassifier(random_state=seed)),
}


def contenders(models, param_sets):
    """``{name: make(seed)}``: the chosen models, then ours with each set of ``--params``."""
    chosen = dict(MODELS[key] for key in models)
    for pairs in param_sets:
        params = {k: parse_value(v) for k, v in (p.split("=", 1) for p in pairs)}
        name = "ShallowNNClassifier(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
        chosen[name] = lambda seed, params=params: ShallowNNClassifier(**params, random_state=seed)
    return chosen


def timed_default_fit(make, data, seed):
    model = make(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(data["X"], data["y"])
        seconds = time.perf_counter() - start
    warned = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return seconds, model.n_iter_, model.score(data["X_test"], data["y_test"]), warned


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=list(LOADERS), default=list(LOADERS))
    parser.add_argument("--models", nargs="*", choices=list(MODELS), default=list(MODELS))
    parser.add_argument(
        "--params", nargs="+", action="append", default=[], help="name=value ... for ours"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=None, help="default: BLAS's own")
    args = parser.parse_args(argv)
    models = contenders(args.models, args.params)
    print(
        "| data set | model | fit s (median) | epochs | test accuracy | fit / MLP fit "
        "| ConvergenceWarnings | accuracy of each seed |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in args.datasets:
        data = LOADERS[name]()
        runs = {who: [] for who in models}
        with threadpool_limits(args.blas_threads):
            for seed in range(args.repeats):
                for who, make in models.items():
                    runs[who].append(timed_default_fit(make, data, seed))
        mlp = runs.get("MLPClassifier()")
        mlp = statistics.median(r[0] for r in mlp) if mlp else None
        for who, results in runs.items():
            seconds = statistics.median(r[0] for r in results)
            ratio = "" if mlp is None else f"{seconds / mlp:.3f}"
            print(
                f"| {name} | {who} | {seconds:.2f} "
                f"| {statistics.median(r[1] for r in results):g} "
                f"| {statistics.median(r[2] for r in results):.4f} | {ratio} "
                f"| {sum(r[3] for r in results)} "
                f"| {' '.join(f'{r[2]:.4f}' for r in results)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
