"""Per-epoch time of ShallowNNClassifier on numpy (CPU), torch (CPU) and torch (CUDA).

The same data, dtype and settings on every backend; torch runs through
scikit-learn's array API dispatch (``SCIPY_ARRAY_API=1`` is set here before
scipy is imported). Each backend is timed by ``fit`` with ``tol=None`` (exactly
``--epochs`` epochs) after a warm-up fit, median of ``--repeats``, the backends
interleaved within each repeat.

    python benchmarks/devices.py                       # 20k x 784, 10 classes, n1=256
    python benchmarks/devices.py --solver adam --samples 5000
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

from sklearn_shallow import ShallowNNClassifier  # noqa: E402


def backends():
    """(name, converter, device label) for each backend available here."""
    found = [("numpy-cpu", lambda a: a, "cpu")]
    try:
        import torch
    except ImportError:
        return found
    found.append(("torch-cpu", lambda a: torch.asarray(a, device="cpu"), "cpu"))
    if torch.cuda.is_available():
        found.append(("torch-cuda", lambda a: torch.asarray(a, device="cuda"), "cuda"))
    return found


def time_fit(X, y, epochs, options):
    with sklearn.config_context(array_api_dispatch=True):
        start = time.perf_counter()
        ShallowNNClassifier(max_iter=epochs, tol=None, **options).fit(X, y)
        return (time.perf_counter() - start) / epochs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--n1", type=int, default=256)
    parser.add_argument("--solver", default="gd", choices=["gd", "sgd", "adam"])
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=None, help="JSON file for the results")
    args = parser.parse_args(argv)

    X, y = make_classification(
        n_samples=args.samples,
        n_features=args.features,
        n_informative=min(args.features, 50),
        n_classes=args.classes,
        random_state=0,
    )
    X = X.astype(args.dtype)
    options = dict(solver=args.solver, n1=args.n1, random_state=0, batch_size=args.batch_size)
    runs = [(name, convert(X), convert(y)) for name, convert, _ in backends()]
    for _, X_b, y_b in runs:
        time_fit(X_b, y_b, 2, options)  # warm-up: kernels, allocator, BLAS threads
    times = {name: [] for name, _, _ in runs}
    for _ in range(args.repeats):
        for name, X_b, y_b in runs:
            times[name].append(time_fit(X_b, y_b, args.epochs, options))

    medians = {name: float(np.median(values)) for name, values in times.items()}
    base = medians["numpy-cpu"]
    blas = [
        (i["internal_api"], i.get("architecture"), i["num_threads"]) for i in threadpool_info()
    ]
    print(
        f"{args.samples} x {args.features}, {args.classes} classes, n1={args.n1}, "
        f"solver={args.solver}, {args.dtype}, {args.epochs} epochs x {args.repeats} repeats; "
        f"{platform.node()}, {os.cpu_count()} CPUs, BLAS {blas}"
    )
    print("| backend | ms per epoch (median) | speed-up vs numpy-cpu |")
    print("|---|---|---|")
    for name, median in medians.items():
        print(f"| {name} | {1000 * median:.2f} | {base / median:.1f}x |")
    if args.out:
        Path(args.out).write_text(
            json.dumps({"args": vars(args), "seconds_per_epoch": times, "blas": blas}, indent=1)
        )
    return medians


if __name__ == "__main__":
    main()
