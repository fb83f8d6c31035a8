"""Default fits on large data: ours (early_stopping='auto', and False) vs MLPClassifier().

The time a default fit takes, its epochs and its test accuracy, on the
``binary100k`` workload of ``run.py`` (100,000 training rows x 100, test
25,000) and on ``large_20k`` of ``defaults.py`` (16,000 training rows x 50, a
stratified fifth held out). Each model runs ``--repeats`` times, interleaved,
with ``random_state`` 0, 1, ...; medians are reported, and the ratio of ours to
MLP's median fit time in the same run.

    python benchmarks/large_defaults.py
    python benchmarks/large_defaults.py --datasets binary100k --repeats 1
"""

import argparse
import statistics
import time
import warnings

from defaults import DATASETS
from run import load_workload
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sklearn_shallow import ShallowNNClassifier


def large_20k():
    X, y = DATASETS["large_20k"]()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    return {"X": X_train, "y": y_train, "X_test": X_test, "y_test": y_test}


LOADERS = {"binary100k": lambda: load_workload("binary100k", quick=False), "large_20k": large_20k}

CONTENDERS = {
    "ShallowNNClassifier()": lambda seed: ShallowNNClassifier(random_state=seed),
    "ShallowNNClassifier(early_stopping=False)": lambda seed: ShallowNNClassifier(
        early_stopping=False, random_state=seed
    ),
    "MLPClassifier()": lambda seed: MLPClassifier(random_state=seed),
}


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
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(
        "| data set | model | fit s (median) | epochs | test accuracy | fit / MLP fit "
        "| ConvergenceWarnings |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.datasets:
        data = LOADERS[name]()
        runs = {who: [] for who in CONTENDERS}
        for seed in range(args.repeats):
            for who, make in CONTENDERS.items():
                runs[who].append(timed_default_fit(make, data, seed))
        mlp = statistics.median(r[0] for r in runs["MLPClassifier()"])
        for who, results in runs.items():
            seconds = statistics.median(r[0] for r in results)
            print(
                f"| {name} | {who} | {seconds:.2f} "
                f"| {statistics.median(r[1] for r in results):g} "
                f"| {statistics.median(r[2] for r in results):.4f} | {seconds / mlp:.3f} "
                f"| {sum(r[3] for r in results)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
