"""Demo: ``python -m sklearn_shallow`` fits the course's network on a scikit-learn dataset.

It builds ``make_pipeline(MinMaxScaler(), ShallowNNClassifier())``, searches a
small grid over ``n1`` and ``alpha`` with ``GridSearchCV`` (a progress bar counts
the fits), refits the best setting, and prints the best parameters, the CV and
test accuracy, and the time taken. ``--plot out.png`` saves the training curves
(needs the ``[plot]`` extra).
"""

import argparse
import sys
import time

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, ParameterGrid, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from tqdm.auto import tqdm

from . import ShallowNNClassifier, __version__

DATASETS = {
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_shallow",
        description="Fit the one-hidden-layer network (MinMaxScaler + ShallowNNClassifier) "
        "on a dataset that ships with scikit-learn, choosing n1 and alpha by grid search.",
    )
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="digits")
    parser.add_argument("--n1", type=int, nargs="+", default=[32, 100], help="hidden units")
    parser.add_argument(
        "--alpha", type=float, nargs="+", default=[0.01, 0.03], help="learning rates"
    )
    parser.add_argument("--cv", type=int, default=3, help="cross-validation folds")
    parser.add_argument("--test-size", type=float, default=0.25)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--plot", metavar="OUT.png", help="save the training curves there")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--version", action="version", version=__version__)
    args = parser.parse_args(argv)
    if any(n1 < 1 for n1 in args.n1):
        parser.error(f"--n1 values must be >= 1; got {args.n1}")
    if any(alpha <= 0 for alpha in args.alpha):
        parser.error(f"--alpha values must be > 0; got {args.alpha}")
    if args.cv < 2:
        parser.error(f"--cv must be >= 2; got {args.cv}")
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error('--plot needs matplotlib: pip install "sklearn-shallow[plot]"')
    return args


def make_model(random_state, **params):
    return make_pipeline(MinMaxScaler(), ShallowNNClassifier(random_state=random_state, **params))


class _ProgressScorer:
    """Accuracy, as GridSearchCV's scorer, that also advances a progress bar by one fit.

    GridSearchCV scores each fitted fold once, in this process (``n_jobs=None``).
    """

    def __init__(self, progress):
        self.progress = progress

    def __call__(self, estimator, X, y):
        self.progress.update(1)
        return accuracy_score(y, estimator.predict(X))


def search(X, y, grid, args):
    """Mean CV accuracy of every setting of the grid (GridSearchCV), with a progress bar."""
    n_fits = len(ParameterGrid(grid)) * args.cv
    with tqdm(total=n_fits, desc="grid search", unit="fit", disable=args.quiet) as progress:
        searcher = GridSearchCV(
            make_model(args.random_state),
            {f"shallownnclassifier__{name}": values for name, values in grid.items()},
            scoring=_ProgressScorer(progress),
            cv=args.cv,
            refit=False,
        )
        searcher.fit(X, y)
    prefix = len("shallownnclassifier__")
    return [
        (float(score), {name[prefix:]: value for name, value in params.items()})
        for score, params in zip(
            searcher.cv_results_["mean_test_score"], searcher.cv_results_["params"], strict=True
        )
    ]


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    X, y = DATASETS[args.dataset](return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
    )
    grid = {"n1": args.n1, "alpha": args.alpha}
    print(
        f"{args.dataset}: {X.shape[0]} samples, {X.shape[1]} features, "
        f"{len(np.unique(y))} classes; {len(ParameterGrid(grid))} settings x {args.cv} folds"
    )
    results = search(X_train, y_train, grid, args)
    cv_score, best = max(results, key=lambda result: result[0])
    # The refit records the test set's curves (X_val); nothing is chosen with them.
    scaler = MinMaxScaler().fit(X_train)
    classifier = ShallowNNClassifier(random_state=args.random_state, **best)
    classifier.fit(
        scaler.transform(X_train), y_train, X_val=scaler.transform(X_test), y_val=y_test
    )
    model = make_pipeline(scaler, classifier)
    test_score = model.score(X_test, y_test)
    elapsed = time.perf_counter() - start

    for score, params in sorted(results, key=lambda result: -result[0]):
        print(f"  n1={params['n1']:<4d} alpha={params['alpha']:<8g} CV accuracy {score:.4f}")
    print(f"best: n1={best['n1']}, alpha={best['alpha']:g}")
    print(f"CV accuracy {cv_score:.4f}, test accuracy {test_score:.4f}")
    print(f"epochs {model[-1].n_iter_}, total time {elapsed:.1f} s")

    if args.plot:
        from .plotting import TrainingHistoryDisplay

        display = TrainingHistoryDisplay.from_estimator(model)
        display.figure_.savefig(args.plot)
        print(f"training curves saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
