"""Long runs: per-epoch time of MLPClassifier and ShallowNNClassifier as weights decay.

The project's design notes (the user guide's "The update" section quotes them)
measured ``MLPClassifier()`` on 70k x 100 (MinMax-scaled, relu, adam) at ~230 ms
per epoch until epoch ~78, then ~2,300 ms, because the weights of dead relu
units and their Adam moments decay into the subnormal range, where every float
operation is slow. Our update step sets ``|x| < finfo.tiny`` to zero.

This script runs that problem (``make_classification``, 70k x 100, MinMax-scaled)
for 150 epochs, one thread (a machine shared with other work makes two-thread
BLAS timings erratic). Both estimators use their defaults (relu, adam, batches
of 200, learning rate 1e-3, L2 1e-4, ``n1 = 100``) and are trained one epoch
at a time with ``partial_fit``, alternating, so that both see the same machine
load. After each epoch the shares of subnormal and of zero entries of ``W1``
are recorded (flushed weights become zeros).
The cost of subnormal operands for single numpy/BLAS operations on this CPU is
measured too: how much a subnormal ``W1`` slows training depends on it.

    python benchmarks/subnormal.py                               # 70k x 100, 150 epochs
    python benchmarks/subnormal.py --n-samples 20000 --epochs 500  # 4x cheaper epochs

Results go to ``benchmarks/results/subnormal.json`` and ``subnormal.md``.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

# benchmarks/ is not a package: run.py is imported as a sibling script.
from run import RESULTS, environment, training_path
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import MinMaxScaler
from threadpoolctl import threadpool_limits

from sklearn_shallow import ShallowNNClassifier


def subnormal_share(W):
    """Share of the entries of ``W`` that are subnormal (non-zero, below ``finfo.tiny``)."""
    tiny = np.finfo(W.dtype).smallest_normal
    return float(np.mean((W != 0) & (np.abs(W) < tiny)))


def first_layer(model):
    return model.coefs_[0] if isinstance(model, MLPClassifier) else model.params_["W1"]


def operation_penalties(size=1_000_000, repeats=5):
    """Seconds of a few operations on normal and on subnormal float64 operands."""
    normal, subnormal = np.full(size, 1e-300), np.full(size, 1e-310)
    out = np.empty(size)
    A, B = np.random.default_rng(0).random((2, 500, 500))
    operations = {
        "multiply": lambda x: np.multiply(x, 0.9, out=out),
        "divide": lambda x: np.divide(x, 3.0, out=out),
        "sqrt": lambda x: np.sqrt(x, out=out),
        "matmul 500x500": lambda x: (A * x[0]) @ B,
    }
    timings = {}
    for name, operation in operations.items():
        timings[name] = {
            kind: min(_seconds(operation, operand) for _ in range(repeats))
            for kind, operand in (("normal", normal), ("subnormal", subnormal))
        }
    return timings


def _seconds(operation, operand):
    start = time.perf_counter()
    operation(operand)
    return time.perf_counter() - start


def run(X, y, epochs, variant, seed):
    """Alternate one epoch of each model; return per-epoch seconds and subnormal shares."""
    models = {
        "mlp": MLPClassifier(random_state=seed),
        f"ours-{variant}": ShallowNNClassifier(random_state=seed),
    }
    classes = np.unique(y)
    trace = {name: {"seconds": [], "subnormal": [], "zero": []} for name in models}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(epochs):
            for name, model in models.items():
                with training_path(None if name == "mlp" else variant):
                    start = time.perf_counter()
                    model.partial_fit(X, y, classes=classes)
                    trace[name]["seconds"].append(time.perf_counter() - start)
                W1 = first_layer(model)
                trace[name]["subnormal"].append(subnormal_share(W1))
                trace[name]["zero"].append(float(np.mean(W1 == 0)))
            if epoch % 25 == 24:
                print(_progress(trace, epoch), flush=True)
    return trace


def _progress(trace, epoch):
    parts = [
        f"{name} {1e3 * np.median(t['seconds'][-25:]):.0f} ms, "
        f"{100 * t['subnormal'][-1]:.1f}% subnormal"
        for name, t in trace.items()
    ]
    return f"epochs {epoch - 23}-{epoch + 1}: " + "; ".join(parts)


def markdown(results, block):
    trace = results["trace"]
    names = list(trace)
    header = " | ".join(
        f"{n} ms / epoch | {n} % of W1 subnormal | {n} % of W1 zero" for n in names
    )
    env = results["environment"]
    penalties = ", ".join(
        f"{name} x{t['subnormal'] / t['normal']:.1f}" for name, t in results["penalty"].items()
    )
    lines = [
        f"{results['what']}; {env['threads']} thread(s), {env['processor']}, {env['date']}.",
        f"Command: `{env['command']}`",
        "",
        f"Slowdown of one operation when its operand is subnormal, on this CPU: {penalties}.",
        "",
        f"| epochs | {header} |",
        "|---|" + "---:|" * (3 * len(names)),
    ]
    n = len(trace[names[0]]["seconds"])
    for start in range(0, n, block):
        stop = min(start + block, n)
        cells = " | ".join(
            f"{1e3 * np.median(trace[k]['seconds'][start:stop]):.0f} "
            f"| {100 * max(trace[k]['subnormal'][start:stop]):.1f} "
            f"| {100 * trace[k]['zero'][stop - 1]:.1f}"
            for k in names
        )
        lines.append(f"| {start + 1}-{stop} | {cells} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--n-samples", type=int, default=70_000)
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS threads (1: robust to a busy machine)"
    )
    parser.add_argument("--ours", choices=["wired", "pure", "fast"], default="wired")
    parser.add_argument("--block", type=int, default=25, help="epochs per table row")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    X, y = make_classification(
        args.n_samples, args.n_features, n_informative=20, random_state=args.seed
    )
    X = MinMaxScaler().fit_transform(X)
    with threadpool_limits(limits=args.threads):
        penalty = operation_penalties()
        trace = run(X, y, args.epochs, args.ours, args.seed)
        env = environment(args.threads)
    results = {
        "what": (
            f"make_classification {args.n_samples} x {args.n_features}, MinMax-scaled, "
            "default settings (relu, adam, batch 200), one partial_fit epoch each in turn"
        ),
        "environment": env,
        "penalty": penalty,
        "trace": trace,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "subnormal.json").write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results, args.block)
    (args.output / "subnormal.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
