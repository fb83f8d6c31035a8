"""Speed and memory of ShallowNNClassifier against MLPClassifier, side by side.

For each workload, dtype and solver both estimators are timed on the same data,
with the same thread count (``threadpoolctl``), interleaved (ours, MLP, ours, ...),
and the median of ``--repeats`` runs is kept:

- **per epoch**: ``fit`` with exactly ``--epochs`` epochs (ours: ``max_iter=k,
  tol=None``; MLP: ``max_iter=k, tol=0, n_iter_no_change=huge``), divided by
  ``k``. Solver ``gd`` is compared with MLP's ``sgd`` without momentum on one
  batch of all samples (the course's full-batch gradient descent); ``adam`` with
  ``adam`` (mini-batches of 200). The achieved GFLOP/s counts the matrix products
  of one epoch (forward ``2m(n0 n1 + n1 n2)``, backward ``2m(n0 n1 + 2 n1 n2)``:
  ``dW2``, ``dZ1`` and ``dW1``; neither estimator computes ``dX``) and is compared
  with the GEMM peak measured in the same run (a large ``np.matmul``).
- **time to target**: default settings of each estimator (``random_state``
  aside, ``--target-repeats`` interleaved fits, medians); the target is MLP's
  final test accuracy. Each fit records, after every epoch, the elapsed time
  (without the time spent measuring) and the test accuracy; "time to target"
  is the first time the target is reached, "fit" the whole default fit (until
  each estimator's own stopping rule), compared with MLP's.
- **peak memory** of ``fit`` (``tracemalloc``: numpy's allocations, not BLAS's
  internal buffers), in a separate, untimed run.

Results go to ``benchmarks/results/latest.json`` and ``latest.md``.

    python benchmarks/run.py                                # everything
    python benchmarks/run.py --workload digits --quick      # a smoke run
    python benchmarks/run.py --ours pure fast               # compare the two paths

``--ours`` picks how our estimator trains: ``wired`` (as the package is),
``pure`` (the pure :mod:`sklearn_shallow.network` steps) or ``fast`` (the private
fast path, :mod:`sklearn_shallow._fast`, where it applies: what ``wired`` does).
``pure`` asks for the reference with the private setting
``sklearn_shallow._runners.training_path`` for the duration of each fit.
Environment variables such as ``OPENBLAS_CORETYPE`` change the BLAS kernel;
run with them unset (``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...``)
and check the kernel printed in the header.
"""

import argparse
import contextlib
import json
import os
import platform
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
import torch_reference
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

import sklearn_shallow
from sklearn_shallow import ShallowNNClassifier, _runners
from sklearn_shallow._input_scaling import fit_input_scaling, scaled
from sklearn_shallow.network import forward

RESULTS = Path(__file__).parent / "results"
TARGET_WORKLOADS = ("digits", "binary100k")
HUGE = 10**9


# ---------------------------------------------------------------- workloads


def _digits(quick):
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _binary100k(quick):
    n = 25_000 if quick else 125_000
    return make_classification(
        n_samples=n, n_features=100, n_informative=20, flip_y=0.05, random_state=0
    )


def _mnistlike(quick):
    n = 5_000 if quick else 25_000
    X, y = make_classification(
        n_samples=n,
        n_features=784,
        n_informative=60,
        n_redundant=100,
        n_classes=10,
        n_clusters_per_class=2,
        flip_y=0.02,
        random_state=0,
    )
    return (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)), y


WORKLOADS = {
    "digits": {"load": _digits, "n1": 64, "epochs": 20, "what": "load_digits 1797x64 / 16"},
    "binary100k": {
        "load": _binary100k,
        "n1": 128,
        "epochs": 3,
        "what": "make_classification 100k (+25k test) x 100, 2 classes",
    },
    "mnistlike": {
        "load": _mnistlike,
        "n1": 256,
        "epochs": 3,
        "what": "make_classification 20k (+5k test) x 784, 10 classes, min-max scaled",
    },
}


def load_workload(name, quick):
    """Train/test split of a workload (the test part is a fifth of the data)."""
    X, y = WORKLOADS[name]["load"](quick)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    return {"X": X_train, "y": y_train, "X_test": X_test, "y_test": y_test}


# --------------------------------------------------------------- estimators


def make_ours(solver, n1, epochs, seed):
    """Our classifier running exactly ``epochs`` epochs on ``X`` as given, like ``make_mlp``.

    ``input_scaling=None``: the per-epoch table compares the training engines on
    the same matrix; the one-off scaling pass of the default fit is timed with
    the defaults (time to target), not spread over a few epochs here.
    """
    return ShallowNNClassifier(
        n1, solver=solver, max_iter=epochs, tol=None, input_scaling=None, random_state=seed
    )


def make_mlp(solver, n1, n_samples, epochs, seed):
    """MLPClassifier running exactly ``epochs`` epochs; ``gd`` is one-batch sgd, no momentum."""
    gd = solver == "gd"
    return MLPClassifier(
        (n1,),
        solver="sgd" if gd else "adam",
        batch_size=n_samples if gd else "auto",
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=HUGE,
        random_state=seed,
    )


def training_path(variant):
    """The setting under which our estimator trains as ``wired``, ``pure`` or ``fast``."""
    return _runners.training_path("pure" if variant == "pure" else "auto")


def timed_fit(model, X, y, variant=None):
    """Seconds taken by ``model.fit(X, y)`` (ours under ``training_path(variant)``)."""
    path = training_path(variant) if variant else contextlib.nullcontext()
    with path, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start


def peak_fit_memory(model, X, y, variant=None):
    """Peak bytes allocated (``tracemalloc``) during ``model.fit(X, y)``."""
    tracemalloc.start()
    try:
        timed_fit(model, X, y, variant)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------- speed


def epoch_flops(m, n0, n1, n2):
    """Matrix-product FLOPs of one epoch: forward plus backward (no ``dX``)."""
    return 2 * m * (n0 * n1 + n1 * n2) + 2 * m * (n0 * n1 + 2 * n1 * n2)


def gemm_peak(dtype, size=2048, repeats=5):
    """Best GFLOP/s of ``np.matmul`` on two ``size x size`` matrices of ``dtype``."""
    rng = np.random.default_rng(0)
    A = rng.random((size, size)).astype(dtype)
    B = rng.random((size, size)).astype(dtype)
    out = np.empty_like(A)
    np.matmul(A, B, out=out)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(A, B, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def per_epoch(data, workload, dtype, solver, variants, epochs, repeats, seed, torch_threads):
    """Median seconds per epoch of each contender, measured interleaved.

    With ``torch_threads`` (an int) the PyTorch reference runs too; its memory
    is not measured (tracemalloc does not see torch's allocations).
    """
    X, y = data["X"].astype(dtype), data["y"]
    n1, m = WORKLOADS[workload]["n1"], X.shape[0]
    contenders = {
        f"ours-{v}": (lambda v=v: (make_ours(solver, n1, epochs, seed), v)) for v in variants
    }
    contenders["mlp"] = lambda: (make_mlp(solver, n1, m, epochs, seed), None)
    if torch_threads:
        contenders["torch"] = lambda: (
            torch_reference.TorchReference(solver, n1, epochs, seed, torch_threads),
            None,
        )
    times = {name: [] for name in contenders}
    for make in contenders.values():  # warm-up: imports, caches, page faults
        timed_fit(*_args(make, X, y))
    for _ in range(repeats):
        for name, make in contenders.items():
            times[name].append(timed_fit(*_args(make, X, y)) / epochs)
    memory = {
        name: None if name == "torch" else peak_fit_memory(*_args(make, X, y))
        for name, make in contenders.items()
    }
    return {name: float(np.median(t)) for name, t in times.items()}, times, memory


def _args(make, X, y):
    model, variant = make()
    return model, X, y, variant


# ---------------------------------------------------------- time to target


class TracedMLPClassifier(MLPClassifier):
    """MLPClassifier that records elapsed time and test accuracy after every epoch.

    It hooks the private ``_update_no_improvement_count``, which ``fit`` calls
    once per epoch; the time spent measuring is subtracted.
    """

    def _update_no_improvement_count(self, *args, **kwargs):
        self.trace_.record(lambda: self.score(*self.test_set_))
        return super()._update_no_improvement_count(*args, **kwargs)


class Trace:
    """``(seconds since start, test accuracy)`` after each epoch, measuring time excluded."""

    def __init__(self):
        self.points = []
        self.start = time.perf_counter()
        self.excluded = 0.0

    def record(self, accuracy):
        now = time.perf_counter()
        self.points.append((now - self.start - self.excluded, float(accuracy())))
        self.excluded += time.perf_counter() - now

    def time_to(self, target):
        return next((t for t, accuracy in self.points if accuracy >= target), None)


def params_accuracy(params, activation, classes, X_test, y_test):
    """Test accuracy of a parameter dict, before the estimator is fitted."""
    output = "sigmoid" if len(classes) == 2 else "softmax"
    A_out, _ = forward(X_test.T, params, activation=activation, output=output)
    indices = (A_out[0] > 0.5).astype(int) if output == "sigmoid" else A_out.argmax(axis=0)
    return float(np.mean(classes[indices] == y_test))


def network_inputs(model, X_train, X_test):
    """``X_test`` as the network of ``model.fit(X_train, ...)`` sees it (its input scaling).

    The scaling is the one the fit computes on ``X_train`` (before any
    validation split), worked out here before the timed fit.
    """
    kind = model._input_scaling_kind(X_train.shape[0])
    if kind is None:
        return X_test
    offset, scale = fit_input_scaling(X_train, kind)
    return scaled(X_test, offset, scale)


def traced_default_fit(kind, data, variant, seed):
    """Fit with default settings; return the fit time, epochs and the accuracy trace."""
    classes = np.unique(data["y"])
    X_test, y_test = data["X_test"], data["y_test"]
    trace = Trace()
    if kind == "mlp":
        model = TracedMLPClassifier(random_state=seed)
        model.trace_, model.test_set_ = trace, (X_test, y_test)
    else:
        model = ShallowNNClassifier(random_state=seed)
        # The network reads its inputs scaled (input_scaling): the test set as it sees it.
        X_seen = network_inputs(model, data["X"], X_test)

        def callback(estimator, record):
            trace.record(
                lambda: params_accuracy(
                    record["params"], estimator.activation, classes, X_seen, y_test
                )
            )

        model.set_params(callback=callback)
    trace.start = time.perf_counter()
    seconds = timed_fit(model, data["X"], data["y"], variant)
    return {
        "fit_seconds": seconds - trace.excluded,
        "epochs": int(model.n_iter_),
        "test_accuracy": float(model.score(X_test, y_test)),
        "trace": trace,
    }


def time_to_target(data, variants, repeats, seed):
    """Default fits, interleaved; the target is MLP's (median) final test accuracy."""
    names = ["mlp", *(f"ours-{v}" for v in variants)]
    runs = {name: [] for name in names}
    for _ in range(repeats):
        for name in names:
            kind, _, variant = name.partition("-")
            runs[name].append(traced_default_fit(kind, data, variant or None, seed))
    target = float(np.median([r["test_accuracy"] for r in runs["mlp"]]))
    summary = {}
    for name, rs in runs.items():
        reached = [r["trace"].time_to(target) for r in rs]
        summary[name] = {
            "fit_seconds": float(np.median([r["fit_seconds"] for r in rs])),
            "epochs": int(np.median([r["epochs"] for r in rs])),
            "test_accuracy": float(np.median([r["test_accuracy"] for r in rs])),
            "seconds_to_target": None if None in reached else float(np.median(reached)),
        }
    return target, summary


# ----------------------------------------------------------------- report


def environment(threads):
    blas = [
        {k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": platform.machine(),
        "processor": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "threads": threads,
        "blas": blas,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "load_average": os.getloadavg(),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "sklearn-shallow": sklearn_shallow.__version__,
        },
        "command": " ".join(sys.argv),
    }


def _cpu_name():
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    return next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "")


def markdown(results):
    env = results["environment"]
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']})" for b in env["blas"]
    )
    peaks = ", ".join(f"{dt} {gf:.0f}" for dt, gf in results["gemm_peak_gflops"].items())
    lines = [
        f"Run {env['date']} on {env['processor']} ({env['cpu_count']} CPUs, "
        f"load average {env['load_average'][0]:.1f} at the end), {env['threads']} threads, "
        f"BLAS {blas}; numpy {env['versions']['numpy']}, scikit-learn "
        f"{env['versions']['scikit-learn']}. GEMM peak (GFLOP/s): {peaks}.",
        f"Command: `{env['command']}`",
        "",
        "### Time per epoch (median of interleaved repeats)",
        "",
        "| workload | dtype | solver | contender | ms / epoch | ratio to MLP | GFLOP/s "
        "| % of GEMM peak | peak fit memory (MiB) | memory ratio to MLP |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["per_epoch"]:
        mlp = row["seconds"]["mlp"]
        for name, seconds in row["seconds"].items():
            gflops = row["flops"] / seconds / 1e9
            peak = results["gemm_peak_gflops"][row["dtype"]]
            memory = row["peak_memory_bytes"][name]
            memory_cells = (
                "n/a | n/a"
                if memory is None
                else f"{memory / 2**20:.1f} | {memory / row['peak_memory_bytes']['mlp']:.2f}"
            )
            lines.append(
                f"| {row['workload']} | {row['dtype']} | {row['solver']} | {name} "
                f"| {seconds * 1e3:.1f} | {seconds / mlp:.2f} | {gflops:.1f} "
                f"| {100 * gflops / peak:.0f}% | {memory_cells} |"
            )
    if results["time_to_target"]:
        lines += [
            "",
            "### Default settings: time to reach MLPClassifier()'s test accuracy",
            "",
            "| workload | target accuracy | contender | fit s (epochs) | fit / MLP fit "
            "| test accuracy | s to target | to target / MLP fit |",
            "|---|---:|---|---:|---:|---:|---:|---:|",
        ]
        for row in results["time_to_target"]:
            mlp_fit = row["contenders"]["mlp"]["fit_seconds"]
            for name, r in row["contenders"].items():
                reached = r["seconds_to_target"]
                lines.append(
                    f"| {row['workload']} | {row['target']:.4f} | {name} "
                    f"| {r['fit_seconds']:.2f} ({r['epochs']}) | {r['fit_seconds'] / mlp_fit:.2f} "
                    f"| {r['test_accuracy']:.4f} "
                    f"| {'not reached' if reached is None else f'{reached:.2f}'} "
                    f"| {'-' if reached is None else f'{reached / mlp_fit:.2f}'} |"
                )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------- main


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (>= 5)")
    parser.add_argument("--epochs", type=int, help="epochs per timed fit (default per workload)")
    parser.add_argument("--dtype", nargs="+", choices=["float64", "float32"], default=None)
    parser.add_argument("--solver", nargs="+", choices=["gd", "adam"], default=["gd", "adam"])
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads of both")
    parser.add_argument("--ours", nargs="+", choices=["wired", "pure", "fast"], default=["wired"])
    parser.add_argument("--target-repeats", type=int, default=3, help="default fits per model")
    parser.add_argument("--no-target", action="store_true", help="skip time to target")
    parser.add_argument(
        "--torch", action="store_true", help="time the PyTorch CPU reference too (needs torch)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--quick", action="store_true", help="smaller data, 2 epochs, 1 default fit each"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="folder of latest.*")
    args = parser.parse_args(argv)
    if args.repeats < 5:
        parser.error("--repeats must be at least 5 (the medians need them).")
    if args.torch and not torch_reference.available():
        parser.error("--torch needs PyTorch: pip install torch")
    args.dtype = args.dtype or ["float64", "float32"]
    if args.quick:
        args.epochs = args.epochs or 2
        args.target_repeats = 1
    return args


def main(argv=None):
    args = parse_args(argv)
    workloads = list(WORKLOADS) if args.workload == "all" else [args.workload]
    results = {"per_epoch": [], "time_to_target": []}
    with threadpool_limits(limits=args.threads):
        results["gemm_peak_gflops"] = {dt: gemm_peak(np.dtype(dt)) for dt in args.dtype}
        for workload in workloads:
            data = load_workload(workload, args.quick)
            m, n0 = data["X"].shape
            n1, n2 = WORKLOADS[workload]["n1"], len(np.unique(data["y"]))
            n2 = 1 if n2 == 2 else n2
            epochs = args.epochs or WORKLOADS[workload]["epochs"]
            for dtype in args.dtype:
                for solver in args.solver:
                    seconds, samples, memory = per_epoch(
                        data,
                        workload,
                        dtype,
                        solver,
                        args.ours,
                        epochs,
                        args.repeats,
                        args.seed,
                        args.threads if args.torch else None,
                    )
                    row = {
                        "workload": workload,
                        "shape": [m, n0, n1, n2],
                        "dtype": dtype,
                        "solver": solver,
                        "epochs": epochs,
                        "flops": epoch_flops(m, n0, n1, n2),
                        "seconds": seconds,
                        "samples": samples,
                        "peak_memory_bytes": memory,
                    }
                    results["per_epoch"].append(row)
                    print(_progress(row), flush=True)
            if workload in TARGET_WORKLOADS and not args.no_target:
                target, summary = time_to_target(data, args.ours, args.target_repeats, args.seed)
                results["time_to_target"].append(
                    {"workload": workload, "target": target, "contenders": summary}
                )
                print(f"{workload}: target {target:.4f} {summary}", flush=True)
        results["environment"] = environment(args.threads)
    results["workloads"] = {name: WORKLOADS[name]["what"] for name in workloads}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results)
    (args.output / "latest.md").write_text(table)
    print(table)


def _progress(row):
    mlp = row["seconds"]["mlp"]
    parts = [f"{k} {v * 1e3:.1f} ms ({v / mlp:.2f})" for k, v in row["seconds"].items()]
    return f"{row['workload']} {row['dtype']} {row['solver']}: " + ", ".join(parts)


if __name__ == "__main__":
    main()
