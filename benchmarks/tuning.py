"""Tuning in the time of a few fits: ShallowNNClassifierCV / ShallowNNRegressorCV vs GridSearchCV.

For each set, behind a scaler, in one run (issue 21's table):

- one fit of ``MLPClassifier()`` and of ours, with their defaults;
- ``GridSearchCV`` over ``MLPClassifier(max_iter=500)`` and over ours, on the
  same 12 settings (hidden units 50/100/200 x learning rate 1e-3/1e-2 x L2
  1e-4/1e-2), 5-fold stratified CV (shuffled, ``random_state=0``): time and best
  score;
- ``ShallowNNClassifierCV(search='grid')`` on the same grid and folds: time, best
  score and the largest difference of its ``mean_test_score`` from
  ``GridSearchCV``'s over ours (0 when the candidates train exactly as alone);
- ``ShallowNNClassifierCV()`` with its defaults: time, best score, and its
  accuracy in nested 5-fold CV (an outer ``cross_val_score`` over the whole
  search), against the tuned MLP's best score.

For the regressors (``--task regressor``): diabetes, friedman1 and
make_regression behind ``MinMaxScaler`` and ``StandardScaler``: the nested R²
of ``ShallowNNRegressorCV()`` against ``RidgeCV`` and our default regressor
(5-fold CV).

    python benchmarks/tuning.py                     # classifiers, every set
    python benchmarks/tuning.py --datasets iris wine --skip-mlp-grid
    python benchmarks/tuning.py --task regressor
    python benchmarks/tuning.py --blas-threads 1 --out tuning_threads1

``--blas-threads 1`` runs every model with one BLAS thread (threadpoolctl): on a
machine whose cores are shared with other jobs, BLAS's own threads make the
times of the same search vary by a third from run to run.

Timings are wall-clock seconds of one run on a noisy machine: compare the
ratios within a row.
"""

import argparse
import datetime
import json
import platform
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_friedman1,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_shallow import (
    ShallowNNClassifier,
    ShallowNNClassifierCV,
    ShallowNNRegressor,
    ShallowNNRegressorCV,
)

RESULTS = Path(__file__).parent / "results"

CLASSIFICATION = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}
REGRESSION = {
    "diabetes": lambda: load_diabetes(return_X_y=True),
    "friedman1": lambda: make_friedman1(n_samples=1000, noise=1.0, random_state=0),
    "regression": lambda: make_regression(
        n_samples=2000, n_features=20, n_informative=10, noise=10, random_state=0
    ),
}

#: The 12 settings of issue 21's table, in MLP's names and in ours.
MLP_GRID = {
    "hidden_layer_sizes": [(50,), (100,), (200,)],
    "learning_rate_init": [1e-3, 1e-2],
    "alpha": [1e-4, 1e-2],
}
OUR_GRID = {"n1": [50, 100, 200], "alpha": [1e-3, 1e-2], "l2": [1e-4, 1e-2]}


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def classifier_row(name, args):
    X, y = CLASSIFICATION[name](return_X_y=True)
    X = MinMaxScaler().fit_transform(X)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    row = {"set": name, "shape": f"{X.shape[0]}x{X.shape[1]}"}
    _, row["mlp_fit_s"] = timed(lambda: MLPClassifier(random_state=0).fit(X, y))
    _, row["ours_fit_s"] = timed(lambda: ShallowNNClassifier(random_state=0).fit(X, y))
    if not args.skip_mlp_grid:
        mlp = GridSearchCV(MLPClassifier(max_iter=500, random_state=0), MLP_GRID, cv=folds)
        _, row["mlp_grid_s"] = timed(lambda: mlp.fit(X, y))
        row["mlp_grid_best"] = float(mlp.best_score_)
    ours = GridSearchCV(ShallowNNClassifier(random_state=0), OUR_GRID, cv=folds)
    _, row["ours_grid_s"] = timed(lambda: ours.fit(X, y))
    row["ours_grid_best"] = float(ours.best_score_)
    search = ShallowNNClassifierCV(param_grid=OUR_GRID, cv=folds, search="grid", random_state=0)
    _, row["cv_grid_s"] = timed(lambda: search.fit(X, y))
    row["cv_grid_best"] = float(search.best_score_)
    difference = search.cv_results_["mean_test_score"] - ours.cv_results_["mean_test_score"]
    row["cv_grid_max_diff"] = float(np.max(np.abs(difference)))
    default = ShallowNNClassifierCV(cv=folds, random_state=0)
    _, row["cv_default_s"] = timed(lambda: default.fit(X, y))
    row["cv_default_best"] = float(default.best_score_)
    row["cv_default_params"] = default.best_params_
    outer = StratifiedKFold(5, shuffle=True, random_state=1)
    nested = cross_val_score(ShallowNNClassifierCV(random_state=0), X, y, cv=outer)
    row["cv_default_nested"] = float(nested.mean())
    return row


def regressor_rows(name, args):
    X, y = REGRESSION[name]()
    rows = []
    for scaler in (MinMaxScaler, StandardScaler):
        outer = KFold(5, shuffle=True, random_state=1)
        row = {"set": name, "scaler": scaler.__name__}
        for key, model in (
            ("ridge", RidgeCV()),
            ("ours_default", ShallowNNRegressor(random_state=0)),
            ("ours_cv", ShallowNNRegressorCV(random_state=0)),
        ):
            pipeline = make_pipeline(scaler(), clone(model))
            scores, seconds = timed(lambda p=pipeline, o=outer: cross_val_score(p, X, y, cv=o))
            row[key] = float(scores.mean())
            row[f"{key}_s"] = seconds
        rows.append(row)
    return rows


def _fmt(value, digits=4):
    return "-" if value is None else f"{value:.{digits}f}"


def classifier_table(rows):
    lines = [
        "| set | one fit MLP / ours (s) | GridSearchCV MLP (s, best) | GridSearchCV ours "
        "(s, best) | ours CV grid (s, best, max diff, speed-up) | ours CV default (s, best, "
        "nested, x MLP fit) | tuned MLP best - 0.002 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mlp_grid = r.get("mlp_grid_s")
        lines.append(
            f"| {r['set']} ({r['shape']}) | {_fmt(r['mlp_fit_s'], 2)} / {_fmt(r['ours_fit_s'], 2)}"
            f" | {_fmt(mlp_grid, 1)}, {_fmt(r.get('mlp_grid_best'))}"
            f" | {_fmt(r['ours_grid_s'], 1)}, {_fmt(r['ours_grid_best'])}"
            f" | {_fmt(r['cv_grid_s'], 1)}, {_fmt(r['cv_grid_best'])}, "
            f"{r['cv_grid_max_diff']:.1e}, {r['ours_grid_s'] / r['cv_grid_s']:.2f}x"
            f" | {_fmt(r['cv_default_s'], 2)}, {_fmt(r['cv_default_best'])}, "
            f"{_fmt(r['cv_default_nested'])}, {r['cv_default_s'] / r['mlp_fit_s']:.2f}"
            f" | {_fmt(None if r.get('mlp_grid_best') is None else r['mlp_grid_best'] - 0.002)} |"
        )
    return "\n".join(lines)


def regressor_table(rows):
    lines = [
        "| set | scaler | RidgeCV | ours default | ShallowNNRegressorCV() (nested) | "
        "CV seconds (5 outer folds) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['set']} | {r['scaler']} | {_fmt(r['ridge'])} | {_fmt(r['ours_default'])} | "
            f"{_fmt(r['ours_cv'])} | {_fmt(r['ours_cv_s'], 1)} |"
        )
    return "\n".join(lines)


def code_version():
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _flags(args):
    """The command-line options that change what was measured, as typed."""
    flags = ""
    if args.blas_threads is not None:
        flags += f" --blas-threads {args.blas_threads}"
    if args.task != "both":
        flags += f" --task {args.task}"
    return flags


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["classifier", "regressor", "both"], default="both")
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--skip-mlp-grid", action="store_true")
    parser.add_argument("--out", default="tuning")
    parser.add_argument("--blas-threads", type=int, default=None, help="default: BLAS's own")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report = {
        "commit": code_version(),
        "date": str(datetime.date.today()),
        "blas_threads": args.blas_threads,
    }
    with warnings.catch_warnings(), threadpool_limits(args.blas_threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        if args.task in ("classifier", "both"):
            names = [n for n in CLASSIFICATION if not args.datasets or n in args.datasets]
            report["classifiers"] = [classifier_row(name, args) for name in names]
        if args.task in ("regressor", "both"):
            names = [n for n in REGRESSION if not args.datasets or n in args.datasets]
            report["regressors"] = [row for name in names for row in regressor_rows(name, args)]
    report["seconds"] = time.perf_counter() - start
    text = [
        "# Tuning: ShallowNN*CV against GridSearchCV (issue 21)",
        "",
        f"Command: `python benchmarks/tuning.py{_flags(args)}`; commit {report['commit']}; "
        f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, {report['date']}; run time "
        f"{report['seconds']:.0f} s.",
        "",
    ]
    if "classifiers" in report:
        table = classifier_table(report["classifiers"])
        text += ["## Classifiers, behind MinMaxScaler", "", table]
    if "regressors" in report:
        text += ["", "## Regressors, nested 5-fold R²", "", regressor_table(report["regressors"])]
    print("\n".join(text))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.md").write_text("\n".join(text) + "\n")
    (RESULTS / f"{args.out}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
