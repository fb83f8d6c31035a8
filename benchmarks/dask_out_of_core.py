"""Dask: out-of-core training under a memory budget, and a grid search on 1 vs 2 workers.

Part 1, out of core. A float32 array several times larger than the memory budget
is defined lazily with ``dask.array.random`` (nothing is stored anywhere); the label
of a row is a deterministic function of its features (the arg-max of a fixed random
one-hidden-layer "teacher" network), computed block by block with the features.
``sklearn_shallow.dask.fit_incremental`` streams the blocks through ``partial_fit``
in a child process whose peak resident memory (``getrusage``'s ``ru_maxrss``) is
measured; the budget bounds what training adds to the interpreter, that is, the
peak minus the resident memory once numpy, scikit-learn and dask are imported
(which depends on the machine: ~190 MiB on one, ~365 MiB on another). A second
child fits ``ShallowNNClassifier`` in memory on the first rows of the same array,
with as many epochs as give it the same number of sample visits (hence the same
number of Adam steps). Both are scored on the same
fresh, lazily generated test set.

Part 2, search. ``GridSearchCV`` over ``n1`` and ``alpha`` inside
``joblib.parallel_backend("dask")`` on a ``distributed.LocalCluster`` of 1, then 2,
single-threaded worker processes, and in this process without dask; the speed-up is
the ratio of the wall times of ``fit`` (best of 3, after a warm-up search; cluster
start-up excluded).

BLAS runs on one thread everywhere, so that a worker is one core.

    python benchmarks/dask_out_of_core.py                  # the recorded run
    python benchmarks/dask_out_of_core.py --rows 1000000   # a quicker one

Prints a Markdown table and writes ``benchmarks/results/dask.json``.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import distributed  # noqa: E402
import joblib  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import GridSearchCV, ParameterGrid, StratifiedKFold  # noqa: E402

from sklearn_shallow import ShallowNNClassifier  # noqa: E402
from sklearn_shallow.dask import fit_incremental, predict  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "dask.json"
MiB = 2**20


# ------------------------------------------------------------------- data


def lazy_problem(rows, n_features, chunk_rows, seed, n_hidden=16, n_classes=3):
    """Features ``X`` (float32, standard normal) and labels ``y``, both lazy dask arrays.

    ``y = argmax(tanh(X A) B)`` with ``A``, ``B`` fixed by ``n_features`` only, so that
    training and test sets drawn with different seeds share the same labelling rule.
    """
    teacher = np.random.RandomState(12345)
    A = (teacher.standard_normal((n_features, n_hidden)) / np.sqrt(n_features)).astype(np.float32)
    B = teacher.standard_normal((n_hidden, n_classes)).astype(np.float32)
    X = da.random.default_rng(seed).standard_normal(
        (rows, n_features), chunks=(chunk_rows, n_features), dtype=np.float32
    )
    y = da.argmax(da.tanh(X @ A) @ B, axis=1)
    return X, y


def make_model():
    return ShallowNNClassifier(n1=32, solver="adam", alpha=1e-3, tol=None, random_state=0)


def peak_rss_mib():
    """Peak resident memory of this process so far (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MiB


def held_out_accuracy(model, args):
    X_test, y_test = lazy_problem(args.test_rows, args.features, args.chunk_rows, seed=1)
    return float((predict(model, X_test) == y_test).mean().compute())


# --------------------------------------------------------- child processes


def child_out_of_core(args):
    X, y = lazy_problem(args.rows, args.features, args.chunk_rows, seed=0)
    model = make_model()
    rss_before = peak_rss_mib()
    start = time.perf_counter()
    fit_incremental(model, X, y, classes=[0, 1, 2], epochs=args.epochs, random_state=0)
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()  # before the test set, which is not part of training
    return {
        "fit_seconds": seconds,
        "rss_after_imports_mib": rss_before,
        "peak_rss_mib": peak,
        "partial_fit_calls": model.n_iter_,
        "test_accuracy": held_out_accuracy(model, args),
    }


def child_in_memory(args):
    X, y = lazy_problem(args.rows, args.features, args.chunk_rows, seed=0)
    rss_before = peak_rss_mib()
    X_sub, y_sub = X[: args.subsample].compute(), y[: args.subsample].compute()
    max_iter = max(1, round(args.epochs * args.rows / args.subsample))
    model = make_model().set_params(max_iter=max_iter)
    start = time.perf_counter()
    model.fit(X_sub, y_sub)
    seconds = time.perf_counter() - start
    return {
        "fit_seconds": seconds,
        "rss_after_imports_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
        "epochs": max_iter,
        "test_accuracy": held_out_accuracy(model, args),
    }


def run_child(name, args):
    """Run one measurement in a fresh interpreter, so that its peak memory is its own."""
    command = [sys.executable, __file__, "--child", name] + forwarded(args)
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def forwarded(args):
    names = ("rows", "features", "chunk_rows", "epochs", "subsample", "test_rows")
    return [f"--{name.replace('_', '-')}={getattr(args, name)}" for name in names]


# ------------------------------------------------------------------ search


def grid_search(epochs):
    return GridSearchCV(
        ShallowNNClassifier(max_iter=epochs, tol=None, random_state=0),
        {"n1": [16, 32, 64], "alpha": [1e-3, 1e-2]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        # Not -1: on a one-thread cluster joblib would then run the fits one by one
        # in this process instead of on the worker.
        n_jobs=2,
    )


def best_time(search, X, y, repeats):
    """Best wall time of ``search.fit`` over ``repeats`` fresh clones, and the last fit."""
    times = []
    for _ in range(repeats):
        fitted = clone(search)
        start = time.perf_counter()
        fitted.fit(X, y)
        times.append(time.perf_counter() - start)
    return min(times), fitted


def time_on_cluster(n_workers, search, X, y, repeats):
    """Best wall time of ``search.fit`` on a fresh cluster, after a warm-up search."""
    with (
        distributed.LocalCluster(
            n_workers=n_workers, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        # The first search on a cluster pays for imports and set-up in the workers.
        clone(search).set_params(estimator__max_iter=1).fit(X[:300], y[:300])
        return best_time(search, X, y, repeats)


SEARCH_EPOCHS = 20


def search_speedup(args, repeats=3):
    X, y = make_classification(
        n_samples=args.search_rows, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    search = grid_search(SEARCH_EPOCHS)
    local, fitted_local = best_time(clone(search).set_params(n_jobs=1), X, y, repeats)
    one, fitted_one = time_on_cluster(1, search, X, y, repeats)
    two, fitted_two = time_on_cluster(2, search, X, y, repeats)
    return {
        "rows": args.search_rows,
        "grid": search.param_grid,
        "folds": 3,
        "fits": 3 * len(ParameterGrid(search.param_grid)),
        "epochs_per_fit": SEARCH_EPOCHS,
        "repeats": repeats,
        "seconds_in_process": local,
        "seconds_1_worker": one,
        "seconds_2_workers": two,
        "speedup_2_vs_1_worker": one / two,
        "speedup_2_workers_vs_in_process": local / two,
        "same_best_params": fitted_local.best_params_
        == fitted_one.best_params_
        == fitted_two.best_params_,
        "best_params": fitted_two.best_params_,
    }


# -------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--subsample", type=int, default=250_000)
    parser.add_argument("--test-rows", type=int, default=200_000)
    parser.add_argument("--budget-mib", type=float, default=300.0)
    parser.add_argument("--search-rows", type=int, default=20_000)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--child", choices=["out-of-core", "in-memory"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def environment():
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }


def markdown(result):
    data, ooc, mem = result["data"], result["out_of_core"], result["in_memory"]
    lines = [
        "| run | rows trained on | data size | peak RSS | added by training "
        "| fit time | test accuracy |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| out of core (fit_incremental, {data['epochs']} epoch(s), "
        f"{data['chunk_mib']:.0f} MiB blocks) | {data['rows']:,} | {data['array_mib']:,.0f} MiB "
        f"| {ooc['peak_rss_mib']:.0f} MiB | {ooc['added_rss_mib']:.0f} MiB "
        f"(budget {data['budget_mib']:.0f}) | {ooc['fit_seconds']:.1f} s "
        f"| {ooc['test_accuracy']:.4f} |",
        f"| in memory (fit, {mem['epochs']} epochs, same sample visits) "
        f"| {data['subsample']:,} | {data['subsample_mib']:,.0f} MiB "
        f"| {mem['peak_rss_mib']:.0f} MiB | {mem['added_rss_mib']:.0f} MiB "
        f"| {mem['fit_seconds']:.1f} s | {mem['test_accuracy']:.4f} |",
    ]
    search = result.get("search")
    if search:
        lines += [
            "",
            f"| GridSearchCV, {search['fits']} fits | wall time (best of "
            f"{search['repeats']}) | speed-up vs 1 worker |",
            "|---|---:|---:|",
            f"| in process (n_jobs=1, no dask) | {search['seconds_in_process']:.1f} s "
            f"| {search['seconds_1_worker'] / search['seconds_in_process']:.2f} |",
            f"| LocalCluster, 1 worker | {search['seconds_1_worker']:.1f} s | 1.00 |",
            f"| LocalCluster, 2 workers | {search['seconds_2_workers']:.1f} s "
            f"| {search['speedup_2_vs_1_worker']:.2f} |",
        ]
    return "\n".join(lines)


def main(args):
    row_mib = args.features * 4 / MiB
    data = {
        "rows": args.rows,
        "features": args.features,
        "dtype": "float32",
        "array_mib": args.rows * row_mib,
        "chunk_rows": args.chunk_rows,
        "chunk_mib": args.chunk_rows * row_mib,
        "epochs": args.epochs,
        "budget_mib": args.budget_mib,
        "subsample": args.subsample,
        "subsample_mib": args.subsample * row_mib,
        "test_rows": args.test_rows,
    }
    result = {
        "data": data,
        "out_of_core": run_child("out-of-core", args),
        "in_memory": run_child("in-memory", args),
        "environment": environment(),
    }
    for run in ("out_of_core", "in_memory"):
        measured = result[run]
        measured["added_rss_mib"] = measured["peak_rss_mib"] - measured["rss_after_imports_mib"]
    result["out_of_core"]["within_budget"] = (
        result["out_of_core"]["added_rss_mib"] <= args.budget_mib
    )
    if not args.skip_search:
        result["search"] = search_speedup(args)
    print(markdown(result))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")
    return 0 if result["out_of_core"]["within_budget"] else 1


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child == "out-of-core":
        print(json.dumps(child_out_of_core(arguments)))
    elif arguments.child == "in-memory":
        print(json.dumps(child_in_memory(arguments)))
    else:
        sys.exit(main(arguments))
