"""Defaults at any input scale: ours, MLP's defaults and a linear model behind each scaler.

Issue 19. Each estimator with its default settings (and ``random_state=seed``)
sits in a ``Pipeline`` behind one of four "scalers": ``MinMaxScaler``,
``StandardScaler``, ``MaxAbsScaler`` on sparse input (``X`` is made a
``scipy.sparse.csr_matrix`` first, so that the models receive sparse data: the
'maxabs_sparse' cell) and none at all. The contenders are ``ShallowNNClassifier``
against ``MLPClassifier()`` and ``LogisticRegression()``, and
``ShallowNNRegressor`` against ``MLPRegressor()`` and ``RidgeCV()``. They are
cross-validated with 5 folds (``StratifiedKFold`` or ``KFold``, shuffled with
``random_state=seed``) for each seed. Reported per (task, set, scaler, model):
mean test accuracy or R² over folds and seeds, mean log loss (classifiers),
median fit time and the ConvergenceWarnings counted over all fits; other
warnings are counted too, and an error is recorded in its cell.

The sets: scikit-learn's wine, breast_cancer, iris and digits (classifiers),
diabetes, make_friedman1 and make_regression (regressors, as in
``regression_defaults.py``), and built ones, seeded, for both tasks:
'multiscale' (columns multiplied by scales from 1e-3 to 1e3), 'counts' (Poisson
counts), 'sparse_nonneg' (bag-of-words-like term counts, 2% nonzero) and
'huge_columns' (three columns on the scale 1e4-1e6: a multiplier, an offset,
both).

The goal (issue 19's "done when"), checked at the end: in every cell (mean
over seeds) ours scores at least MLP's less 0.005, and the regressor at least
RidgeCV's less 0.01; on each set our MinMaxScaler and StandardScaler scores are
within 0.02 of each other; and over the table, the sum of our median fit times is
at most half MLP's.

BLAS runs on ``--threads`` threads (default 1: on a shared 2-core machine the
small products of these sets run faster, and steadier, on one).

    python benchmarks/scaling.py                                   # everything
    python benchmarks/scaling.py --task classifier --datasets counts huge_columns
    python benchmarks/scaling.py --params alpha=0.001 --out scaling_alpha0.001
    python benchmarks/scaling.py --task regressor --regressor-params l2=1.0
"""

import argparse
import ast
import datetime
import functools
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_friedman1,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor

RESULTS = Path(__file__).parent / "results"

#: Scales spread over six decades, given to the columns in a seeded random order
#: so that informative and uninformative columns get all sizes.
SCALE_RANGE = (-3, 3)


def _spread_scales(X, seed):
    n_features = X.shape[1]
    scales = np.logspace(*SCALE_RANGE, n_features)
    return X * scales[np.random.default_rng(seed).permutation(n_features)]


def _huge_columns(X):
    """Columns 0-2 (informative ones) moved to 1e4-1e6: a multiplier, an offset, both."""
    X = X.copy()
    X[:, 0] *= 1e4
    X[:, 1] += 1e6
    X[:, 2] = 1e5 * (X[:, 2] + 3.0)
    return X


def _poisson_design(seed, n_samples=1000, n_features=30, n_latent=3):
    """Counts whose rates follow a few latent factors: ``X ~ Poisson(exp(c + Z L))``."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n_samples, n_latent))
    L = rng.normal(scale=0.5, size=(n_latent, n_features))
    log_base = np.log(rng.uniform(0.5, 20.0, size=n_features))
    return rng.poisson(np.exp(log_base + Z @ L)).astype(float), Z


def _term_counts(seed, n_samples=2000, n_features=500, density=0.02):
    """A bag-of-words-like design: 2% of the entries hold a term count 1 + Poisson(1)."""
    rng = np.random.default_rng(seed)
    X = sp.random(
        n_samples,
        n_features,
        density=density,
        format="csr",
        rng=rng,
        data_rvs=lambda k: 1.0 + rng.poisson(1.0, size=k),
    )
    # A sparse rule: 150 of the terms carry weight (a row holds ~3 of them), on log1p
    # of the counts as a tf weighting would.
    w = np.zeros(n_features)
    w[rng.choice(n_features, 150, replace=False)] = rng.normal(size=150)
    return X.toarray(), X.log1p() @ w, rng


def multiscale_classification():
    X, y = make_classification(
        n_samples=1000, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    return _spread_scales(X, seed=0), y


def counts_classification():
    X, Z = _poisson_design(seed=0)
    scores = Z @ np.random.default_rng(1).normal(size=(Z.shape[1], 3))
    return X, scores.argmax(axis=1)


def sparse_nonneg_classification():
    X, score, rng = _term_counts(seed=0)
    # A logistic draw around the rule: the rule itself scores about 0.90.
    y = (score - np.median(score) + rng.logistic(scale=0.3, size=score.shape) > 0).astype(int)
    return X, y


def huge_columns_classification():
    X, y = make_classification(
        n_samples=1000, n_features=20, n_informative=6, shuffle=False, random_state=0
    )
    return _huge_columns(X), y


def multiscale_regression():
    X, y = make_friedman1(n_samples=1000, n_features=20, noise=1.0, random_state=0)
    return _spread_scales(X, seed=0), y


def counts_regression():
    X, Z = _poisson_design(seed=1)
    y = np.sin(2 * Z[:, 0]) + Z[:, 1] * Z[:, 2]
    return X, y + np.random.default_rng(2).normal(scale=0.1, size=y.shape)


def sparse_nonneg_regression():
    X, score, rng = _term_counts(seed=1)
    return X, score + rng.normal(scale=0.5, size=score.shape)  # R² of the rule about 0.94


def huge_columns_regression():
    X, y = make_friedman1(n_samples=1000, n_features=10, noise=1.0, random_state=0)
    return _huge_columns(X), y


#: name -> loader returning dense ``(X, y)``, per task.
DATASETS = {
    "classifier": {
        "wine": lambda: load_wine(return_X_y=True),
        "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
        "iris": lambda: load_iris(return_X_y=True),
        "digits": lambda: load_digits(return_X_y=True),
        "multiscale": multiscale_classification,
        "counts": counts_classification,
        "sparse_nonneg": sparse_nonneg_classification,
        "huge_columns": huge_columns_classification,
    },
    "regressor": {
        "friedman1": lambda: make_friedman1(n_samples=1000, noise=1.0, random_state=0),
        "regression": lambda: make_regression(
            n_samples=2000, n_features=20, n_informative=10, noise=10, random_state=0
        ),
        "diabetes": lambda: load_diabetes(return_X_y=True),
        "multiscale": multiscale_regression,
        "counts": counts_regression,
        "sparse_nonneg": sparse_nonneg_regression,
        "huge_columns": huge_columns_regression,
    },
}

#: name -> the scaler's class (None: no scaler); 'maxabs_sparse' gets ``csr_matrix(X)``.
SCALERS = {
    "minmax": MinMaxScaler,
    "standard": StandardScaler,
    "maxabs_sparse": MaxAbsScaler,
    "none": None,
}

#: name -> ``make(seed, params)`` per task; ``params`` only reach ours.
MODELS = {
    "classifier": {
        "ours": lambda seed, params: ShallowNNClassifier(random_state=seed, **params),
        "mlp": lambda seed, params: MLPClassifier(random_state=seed),
        "linear": lambda seed, params: LogisticRegression(),
    },
    "regressor": {
        "ours": lambda seed, params: ShallowNNRegressor(random_state=seed, **params),
        "mlp": lambda seed, params: MLPRegressor(random_state=seed),
        "linear": lambda seed, params: RidgeCV(),
    },
}
LINEAR_NAME = {"classifier": "LogisticRegression()", "regressor": "RidgeCV()"}

#: The goal's margins: ours against MLP, the regressor against RidgeCV, MinMax vs Standard,
#: and the largest ratio of our summed median fit times to MLP's.
GOAL = {"vs_mlp": 0.005, "vs_ridge": 0.01, "minmax_vs_standard": 0.02, "time_ratio": 0.5}


@functools.cache
def load(task, dataset):
    X, y = DATASETS[task][dataset]()
    return np.asarray(X, dtype=float), np.asarray(y)


def chance(task, dataset):
    """The score of a constant prediction: the majority class's share, or R² 0."""
    if task == "regressor":
        return 0.0
    y = load(task, dataset)[1]
    return float(np.unique(y, return_counts=True)[1].max() / len(y))


def make_pipeline(task, scaler, model, seed, params):
    scale = SCALERS[scaler]
    steps = [("scale", scale() if scale else "passthrough")]
    return Pipeline(steps + [("model", MODELS[task][model](seed, params))])


def _warning_text(caught):
    return Counter(f"{w.category.__name__}: {str(w.message)[:120]}" for w in caught)


def _fit_and_score(task, pipeline, X, y, train, test, labels):
    """Fit on ``train``, score on ``test``; the fit's seconds and the warnings of both."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        pipeline.fit(X[train], y[train])
        seconds = time.perf_counter() - start
        score = pipeline.score(X[test], y[test])
        loss = None
        if task == "classifier":
            loss = log_loss(y[test], pipeline.predict_proba(X[test]), labels=labels)
    return score, loss, seconds, caught


def run_cell(task, dataset, scaler, model, seeds, params):
    """Cross-validate one model behind one scaler on one set, for every seed.

    Returns a dict: the mean ``score`` (accuracy or R²) over folds and seeds and
    the mean of each seed (``seed_scores``), ``log_loss`` (classifiers),
    ``fit_seconds_median``, ``convergence_warnings``, ``other_warnings`` (text ->
    count) and ``error`` (None, or the text of the first exception, which ends
    the cell).
    """
    X, y = load(task, dataset)
    if scaler == "maxabs_sparse":
        X = sp.csr_matrix(X)
    labels = np.unique(y) if task == "classifier" else None
    splitter = StratifiedKFold if task == "classifier" else KFold
    cell = {"task": task, "dataset": dataset, "scaler": scaler, "model": model}
    scores, losses, times, converge, others, error = [], [], [], 0, Counter(), None
    seed_scores = []
    for seed in seeds:
        folds = splitter(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
        for train, test in folds:
            pipeline = make_pipeline(task, scaler, model, seed, params)
            try:
                score, loss, seconds, caught = _fit_and_score(
                    task, pipeline, X, y, train, test, labels
                )
            except Exception as exc:  # whatever a model raises is the cell's result
                error = f"seed {seed}: {type(exc).__name__}: {exc}"
                break
            scores.append(score)
            losses.append(loss)
            times.append(seconds)
            converge += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
            others.update(
                _warning_text(
                    [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
                )
            )
        if error:
            break
        seed_scores.append(float(np.mean(scores[-5:])))
    cell.update(
        score=float(np.mean(scores)) if scores and not error else None,
        seed_scores=seed_scores,
        log_loss=float(np.mean(losses)) if task == "classifier" and scores and not error else None,
        fit_seconds_median=float(np.median(times)) if times else None,
        fits=len(times),
        convergence_warnings=converge,
        other_warnings=dict(others),
        error=error,
    )
    return cell


def check_goal(cells):
    """The goal's failures, as lines of text, and the fit-time ratio ours / MLP per task."""
    by_key = {(c["task"], c["dataset"], c["scaler"], c["model"]): c for c in cells}
    failures = []
    for (task, dataset, scaler, model), cell in by_key.items():
        if model != "ours":
            continue
        where = f"{task} / {dataset} / {scaler}"
        if cell["error"]:
            failures.append(f"{where}: ours raised {cell['error']}")
            continue
        rivals = [("mlp", "MLP", GOAL["vs_mlp"])]
        if task == "regressor":
            rivals.append(("linear", "RidgeCV", GOAL["vs_ridge"]))
        for rival, name, margin in rivals:
            other = by_key.get((task, dataset, scaler, rival))
            if other and other["score"] is not None and cell["score"] < other["score"] - margin:
                failures.append(
                    f"{where}: ours {cell['score']:.4f} < {name} {other['score']:.4f} - {margin}"
                )
    for task, dataset in dict.fromkeys((c["task"], c["dataset"]) for c in cells):
        minmax = by_key.get((task, dataset, "minmax", "ours"))
        standard = by_key.get((task, dataset, "standard", "ours"))
        if minmax and standard and minmax["score"] is not None and standard["score"] is not None:
            gap = abs(minmax["score"] - standard["score"])
            if gap > GOAL["minmax_vs_standard"]:
                failures.append(
                    f"{task} / {dataset}: ours minmax {minmax['score']:.4f} vs standard "
                    f"{standard['score']:.4f} differ by {gap:.4f} > {GOAL['minmax_vs_standard']}"
                )
    # Fit times are compared over the cells where both ours and MLP ran without error.
    pairs = [
        (task, cell["fit_seconds_median"], rival["fit_seconds_median"])
        for (task, dataset, scaler, model), cell in by_key.items()
        if model == "ours" and not cell["error"]
        for rival in [by_key.get((task, dataset, scaler, "mlp"))]
        if rival and not rival["error"]
    ]
    ratios = {}
    for task in [*dict.fromkeys(task for task, _, _ in pairs), "all"]:
        ours = sum(o for t, o, _ in pairs if task in (t, "all"))
        mlp = sum(m for t, _, m in pairs if task in (t, "all"))
        if mlp:
            ratios[task] = {"ours": ours, "mlp": mlp, "ratio": ours / mlp}
    if "all" in ratios and ratios["all"]["ratio"] > GOAL["time_ratio"]:
        failures.append(
            f"fit time: ours / MLP = {ratios['all']['ratio']:.3f} > {GOAL['time_ratio']} "
            "(sums of median fit seconds over the table)"
        )
    return failures, ratios


def _value(cell, key, fmt):
    if cell is None:
        return "-"
    if cell["error"]:
        return "err"
    value = cell[key]
    return format(value, fmt) if value is not None else "-"


def format_tables(cells, args):
    by_key = {(c["task"], c["dataset"], c["scaler"], c["model"]): c for c in cells}
    rows = list(dict.fromkeys((c["task"], c["dataset"]) for c in cells))
    scalers, models = args.scalers, args.models
    lines = []

    def table(title, key, fmt, tasks=("classifier", "regressor"), with_chance=False):
        extra = " chance |" if with_chance else ""
        lines.extend(
            [
                f"### {title}",
                "",
                f"| task | set | shape |{extra} " + " | ".join(scalers) + " |",
                "|---|---|---|" + "---|" * (len(scalers) + with_chance),
            ]
        )
        for task, dataset in rows:
            if task not in tasks:
                continue
            shape = "x".join(map(str, load(task, dataset)[0].shape))
            if with_chance:
                shape += f" | {chance(task, dataset):.3f}"
            values = [
                " / ".join(
                    _value(by_key.get((task, dataset, scaler, model)), key, fmt)
                    for model in models
                )
                for scaler in scalers
            ]
            lines.append(f"| {task} | {dataset} | {shape} | " + " | ".join(values) + " |")
        lines.append("")

    names = " / ".join(models)
    table(f"Mean CV score, accuracy or R² ({names})", "score", ".4f", with_chance=True)
    if "classifier" in args.task_list:
        table(f"Mean CV log loss, classifiers ({names})", "log_loss", ".4f", ("classifier",))
    table(f"Median fit seconds ({names})", "fit_seconds_median", ".3f")
    table(
        f"ConvergenceWarnings of {len(args.seeds) * 5} fits ({names})", "convergence_warnings", "d"
    )
    return lines


def format_report(cells, failures, ratios, args):
    linear = ", ".join(LINEAR_NAME[task] for task in args.task_list)
    ours = ", ".join(
        f"{'ShallowNNClassifier' if task == 'classifier' else 'ShallowNNRegressor'}"
        f"({', '.join(f'{k}={v!r}' for k, v in args.params_of[task].items())})"
        for task in args.task_list
    )
    lines = [
        f"{ours} vs MLP's defaults and {linear}; 5-fold CV x random_state in {args.seeds}; "
        f"BLAS threads: {args.threads}. Each cell: {' / '.join(args.models)}; "
        "'err': the model raised (see the JSON).",
        "",
        *format_tables(cells, args),
        "### Goal",
        "",
    ]
    for task, ratio in ratios.items():
        lines.append(
            f"- fit time, {task}: ours {ratio['ours']:.2f} s / MLP {ratio['mlp']:.2f} s = "
            f"{ratio['ratio']:.3f} (sums of median fit seconds)"
        )
    lines.append(f"- failing the goal: {len(failures)}" + (":" if failures else ""))
    lines.extend(f"  - {failure}" for failure in failures)
    near = [
        c
        for c in cells
        if c["model"] == "ours"
        and c["score"] is not None
        and c["score"] <= chance(c["task"], c["dataset"]) + 0.02
    ]
    if near:
        lines.extend(["", "### Ours within 0.02 of chance (or below)", ""])
    for c in near:
        lines.append(
            f"- {c['task']} / {c['dataset']} / {c['scaler']}: {c['score']:.4f} "
            f"(chance {chance(c['task'], c['dataset']):.3f}; per seed "
            + ", ".join(f"{v:.3f}" for v in c["seed_scores"])
            + ")"
        )
    errors = [c for c in cells if c["error"]]
    warned = [c for c in cells if c["other_warnings"]]
    if errors or warned:
        lines.extend(["", "### Errors and other warnings", ""])
    for c in errors:
        lines.append(
            f"- {c['task']} / {c['dataset']} / {c['scaler']} / {c['model']}: {c['error']}"
        )
    for c in warned:
        for text, count in c["other_warnings"].items():
            lines.append(
                f"- {c['task']} / {c['dataset']} / {c['scaler']} / {c['model']}: {count} x {text}"
            )
    return lines


def code_version():
    """The commit of the package measured, and whether its files differ from it."""
    root = Path(__file__).parent.parent

    def git(*command):
        return subprocess.run(["git", *command], cwd=root, capture_output=True, text=True)

    try:
        commit = git("rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
        changed = git("diff", "--quiet", "HEAD", "--", "sklearn_shallow").returncode == 1
    except OSError:
        return "commit unknown"
    return f"commit {commit}" + (
        " with uncommitted changes to sklearn_shallow/" if changed else ""
    )


def parse_value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_params(items):
    return {k: parse_value(v) for k, v in (item.split("=", 1) for item in items)}


def parse_args(argv):
    all_sets = list(dict.fromkeys(name for sets in DATASETS.values() for name in sets))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["classifier", "regressor", "both"], default="both")
    parser.add_argument("--datasets", nargs="+", default=all_sets, choices=all_sets)
    parser.add_argument("--scalers", nargs="+", default=list(SCALERS), choices=list(SCALERS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--models", nargs="+", default=["ours", "mlp", "linear"], choices=["ours", "mlp", "linear"]
    )
    parser.add_argument("--params", nargs="*", default=[], help="name=value for the classifier")
    parser.add_argument(
        "--regressor-params", nargs="*", default=[], help="name=value for the regressor"
    )
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument("--out", default="scaling", help="stem of the files in results/")
    args = parser.parse_args(argv)
    args.task_list = ["classifier", "regressor"] if args.task == "both" else [args.task]
    args.params_of = {
        "classifier": parse_params(args.params),
        "regressor": parse_params(args.regressor_params),
    }
    if not any(name in DATASETS[task] for task in args.task_list for name in args.datasets):
        parser.error(f"no set of {args.datasets} belongs to --task {args.task}")
    return args


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    version = code_version()
    cells = []
    plan = [
        (task, dataset, scaler, model)
        for task in args.task_list
        for dataset in DATASETS[task]
        if dataset in args.datasets
        for scaler in args.scalers
        for model in args.models
    ]
    with threadpool_limits(args.threads):
        for i, (task, dataset, scaler, model) in enumerate(plan, 1):
            cell = run_cell(task, dataset, scaler, model, args.seeds, args.params_of[task])
            cells.append(cell)
            print(
                f"[{i}/{len(plan)} {time.perf_counter() - start:6.0f} s] {task} {dataset} "
                f"{scaler} {model}: score {cell['score']}, fit "
                f"{cell['fit_seconds_median']} s, {cell['convergence_warnings']} "
                f"ConvergenceWarnings" + (f", ERROR {cell['error']}" if cell["error"] else ""),
                file=sys.stderr,
                flush=True,
            )
    failures, ratios = check_goal(cells)
    elapsed = time.perf_counter() - start
    report = format_report(cells, failures, ratios, args)
    print("\n".join(report))
    command = "python benchmarks/scaling.py " + " ".join(sys.argv[1:] if argv is None else argv)
    cores = len(os.sched_getaffinity(0))
    context = (
        f"Command: `{command.strip()}`; {version}; {platform.machine()} box with {cores} "
        f"usable cores, Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"{datetime.date.today()}; run time {elapsed:.0f} s."
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.md").write_text(
        "\n".join(["# Defaults at any input scale (issue 19)", "", context, "", *report]) + "\n"
    )
    settings = {k: v for k, v in vars(args).items() if k not in ("params", "regressor_params")}
    (RESULTS / f"{args.out}.json").write_text(
        json.dumps(
            {
                "settings": settings,
                "context": context,
                "elapsed_seconds": elapsed,
                "goal": GOAL,
                "failures": failures,
                "fit_time_ratios": ratios,
                "cells": cells,
            },
            indent=1,
            default=repr,
        )
        + "\n"
    )
    print(f"\ntotal run time {elapsed:.0f} s", file=sys.stderr)
    return cells


if __name__ == "__main__":
    main()
