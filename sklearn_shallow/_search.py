"""``ShallowNNClassifierCV`` and ``ShallowNNRegressorCV``: the single estimator, tuned.

scikit-learn's split of a search (``sklearn/model_selection/_search.py``), kept:

- a **strategy** decides which candidates train, and for how many epochs
  (:func:`_grid_search`: every candidate to its end; :func:`_halving_search`:
  rounds that keep the better third and continue it from where it is);
- the **folds** train their candidates (:class:`_Fold`): the candidates that
  share their data settings form one :class:`~._cohort.Cohort`, trained side by
  side on the same batches, and each is scored on the fold's test part by the
  single estimator's ``score`` (or ``scoring``);
- ``cv_results_`` is built in one place (:func:`_format_results`), with
  ``GridSearchCV``'s keys.

The best candidate is then refitted on the whole data by the single estimator
(``fit``, as ``LogisticRegressionCV`` reuses ``LogisticRegression``'s path), and
the search takes its fitted attributes.
"""

import math
import time
import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import indexable

from ._base import solver_is_iterative
from ._classifier import ShallowNNClassifier
from ._cohort import Cohort
from ._compat import StrOptions, _fit_context, _safe_indexing
from ._regressor import ShallowNNRegressor
from ._warnings import warn

__all__ = ["ShallowNNClassifierCV", "ShallowNNRegressorCV"]

#: The hyper-parameters in which the candidates of one cohort may differ: the
#: others decide the data, batches and rules that a cohort shares.
STACKED = ("n1", "alpha", "l2")

#: How many candidates a round of the halving search keeps: one in ``FACTOR``.
FACTOR = 3

#: Epochs of the first round of the halving search; each later round multiplies them.
FIRST_ROUND_EPOCHS = 10

#: The parameters of the search itself, besides those of the single estimator.
SEARCH_CONSTRAINTS = {
    "param_grid": [dict, list, None],
    "cv": ["cv_object"],
    "scoring": [StrOptions(set(get_scorer_names())), callable, None],
    "search": [StrOptions({"grid", "halving"})],
    "refit": ["boolean"],
    "n_jobs": [Integral, None],
}


# ------------------------------------------------------------------ a fold


class _Fold:
    """One split of the data: its candidates, trained as cohorts, and their test scores.

    Parameters
    ----------
    single : ShallowNNClassifier or ShallowNNRegressor
        The single estimator with the search's settings.
    candidates : list of dict
        Each candidate's parameters (keys of ``single``).
    data : tuple
        ``(X, y, sample_weight)`` of the whole search.
    split : tuple
        ``(train, test)`` indices.
    scorer : callable
        ``scorer(estimator, X, y)``.
    """

    def __init__(self, single, candidates, data, split, scorer):
        X, y, sample_weight = data
        train, test = split
        self.test = _safe_indexing(X, test), _safe_indexing(y, test)
        # The test scores are weighted too, as GridSearchCV weighs them.
        self.test_weight = {}
        if sample_weight is not None:
            self.test_weight = {"sample_weight": _safe_indexing(sample_weight, test)}
        self.scorer = scorer
        X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
        w_train = None if sample_weight is None else _safe_indexing(sample_weight, train)
        self.estimators = [clone(single).set_params(**params) for params in candidates]
        self.cohorts = []
        for indices in _cohort_groups(candidates):
            self.cohorts.append(self._cohort(indices, X_train, y_train, w_train))

    def _cohort(self, indices, X, y, sample_weight):
        estimators = [self.estimators[i] for i in indices]
        lead = clone(estimators[0]).set_params(
            n1=max(e.n1 for e in estimators),
            alpha="auto" if any(isinstance(e.alpha, str) for e in estimators) else 1.0,
        )
        problem = lead._prepare(X, y, sample_weight, False, False)
        alphas = [e._learning_rate_for(problem, False) for e in estimators]
        cohort = Cohort(
            problem,
            [e._fresh_state(problem, a) for e, a in zip(estimators, alphas, strict=True)],
            [e._settings(problem, e, a) for e, a in zip(estimators, alphas, strict=True)],
            [e._network(problem) for e in estimators],
        )
        return _Group(list(indices), cohort, problem, lead)

    def train(self, keep, epochs):
        """Train the candidates ``keep`` (the rest are dropped) ``epochs`` more (None: all)."""
        keep = set(keep)
        for group in self.cohorts:
            positions = [p for p, i in enumerate(group.indices) if i in keep]
            if len(positions) < len(group.indices):
                group.cohort.keep(positions)
                group.indices = [group.indices[p] for p in positions]
            if group.indices:
                group.cohort.train(epochs)
        self.cohorts = [group for group in self.cohorts if group.indices]
        return self

    def results(self, final):
        """Per candidate: its test ``score``, ``fit_time``, ``score_time``, ``epochs``, ``error``.

        ``final`` ends the training (the best validated epoch is restored where
        early stopping applies); otherwise the current state is scored.
        """
        results = {}
        for group in self.cohorts:
            cohort = group.cohort
            outcomes = cohort.finish() if final else [m.run.state for m in cohort.members]
            for i, outcome, member in zip(group.indices, outcomes, cohort.members, strict=True):
                failed = member.error is not None
                start = time.perf_counter()
                alpha = member.run.settings.alpha
                score = math.nan if failed else self._score(i, outcome, group, alpha)
                results[i] = {
                    "score": score,
                    "fit_time": cohort.seconds / len(group.indices),
                    "score_time": time.perf_counter() - start,
                    "epochs": member.epochs,
                    "error": str(member.error) if failed else None,
                }
        return results

    def _score(self, i, state, group, alpha):
        """The scorer on the test part, of the candidate committed to its estimator."""
        estimator = self.estimators[i]
        estimator._commit(state, group.problem, alpha, 0)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(group.lead, name):
                setattr(estimator, name, getattr(group.lead, name))
        return float(self.scorer(estimator, *self.test, **self.test_weight))


@dataclass
class _Group:
    """A cohort of a fold: its candidates' indices and the problem they share.

    ``lead`` is the estimator that prepared the problem (it holds the checked
    data's ``n_features_in_`` and ``feature_names_in_``).
    """

    indices: list
    cohort: Cohort
    problem: object
    lead: object


def _cohort_groups(candidates):
    """Indices of the candidates that can train as one cohort: equal but for ``STACKED``."""
    groups = {}
    for i, params in enumerate(candidates):
        key = repr(sorted((k, v) for k, v in params.items() if k not in STACKED))
        groups.setdefault(key, []).append(i)
    return list(groups.values())


# --------------------------------------------------------------- strategies


def _grid_search(evaluate, n_candidates, max_iter):
    """Every candidate on every fold, trained to its end: ``GridSearchCV``'s scores."""
    evaluate(range(n_candidates), epochs=None, final=True)


def _halving_search(evaluate, n_candidates, max_iter):
    """Rounds of successive halving over epochs, the kept candidates continuing where they are.

    Round ``r`` trains the candidates still in for ``FIRST_ROUND_EPOCHS *
    FACTOR**r`` more epochs and keeps the better ``1 / FACTOR`` of them (by mean
    test score over the folds, at least one); once one is left, or the budget
    reaches ``max_iter``, the candidates left train to their own end (their
    stopping rule). Unlike ``HalvingGridSearchCV``, nobody restarts from
    scratch.
    """
    alive, epochs = list(range(n_candidates)), FIRST_ROUND_EPOCHS
    while len(alive) > 1 and epochs < max_iter:
        scores = evaluate(alive, epochs=epochs, final=False)
        order = sorted(alive, key=lambda i: (-np.nan_to_num(scores[i], nan=-np.inf), i))
        alive = sorted(order[: max(1, len(alive) // FACTOR)])
        epochs *= FACTOR
    evaluate(alive, epochs=None, final=True)


STRATEGIES = {"grid": _grid_search, "halving": _halving_search}


# ---------------------------------------------------------- the results


def _format_results(candidates, records, n_splits):
    """``cv_results_`` in ``GridSearchCV``'s layout, with the epochs and round of each candidate.

    ``records[i]`` is ``(round, [fold results])``, the last results of
    candidate ``i`` (see :meth:`_Fold.results`): a pruned candidate's are from
    the round that dropped it, and the candidates of the last round rank first.
    """
    n = len(candidates)
    results = {"params": candidates}
    for name in sorted({k for params in candidates for k in params}):
        column = np.ma.masked_all(n, dtype=object)
        for i, params in enumerate(candidates):
            if name in params:
                column[i] = params[name]
        results[f"param_{name}"] = column
    table = {key: np.zeros((n, n_splits)) for key in ("score", "fit_time", "score_time", "epochs")}
    rounds = np.zeros(n, dtype=int)
    for i, (round_, folds) in records.items():
        rounds[i] = round_
        for k, fold in enumerate(folds):
            for key, values in table.items():
                values[i, k] = fold[key]
    scores = table["score"]
    for k in range(n_splits):
        results[f"split{k}_test_score"] = scores[:, k]
    results["mean_test_score"] = scores.mean(axis=1)
    results["std_test_score"] = scores.std(axis=1)
    for name in ("fit_time", "score_time"):
        results[f"mean_{name}"] = table[name].mean(axis=1)
        results[f"std_{name}"] = table[name].std(axis=1)
    results["rank_test_score"] = _ranks(results["mean_test_score"], rounds)
    results["n_epochs"] = table["epochs"].mean(axis=1)
    results["round"] = rounds
    return results


def _ranks(mean_scores, rounds):
    """Rank 1 is the best candidate of the last round; NaN scores rank last; ties share a rank."""
    keys = [(-rounds[i], -np.nan_to_num(s, nan=-np.inf)) for i, s in enumerate(mean_scores)]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = np.empty(len(keys), dtype=np.int32)
    for position, i in enumerate(order):
        previous = order[position - 1] if position else None
        tied = previous is not None and keys[i] == keys[previous]
        ranks[i] = ranks[previous] if tied else position + 1
    return ranks


class _Evaluation:
    """The callback a strategy calls: train candidates on every fold, return their mean scores.

    Folds run in parallel through joblib (``n_jobs``; a Dask cluster with
    ``joblib.parallel_backend("dask")``). A fold is prepared in its worker on
    its first round and travels back and forth between rounds.
    """

    def __init__(self, search, single, candidates, data, splits, scorer):
        self.n_jobs, self.verbose = search.n_jobs, search.verbose
        self.fold_arguments = [(single, candidates, data, split, scorer) for split in splits]
        self.folds = [None] * len(splits)
        self.records, self.round, self.unconverged = {}, 0, 0
        self.progress = None
        if self.verbose:
            from tqdm.auto import tqdm

            total = len(candidates) * len(splits)
            self.progress = tqdm(total=total, desc=type(search).__name__, unit="fit", leave=False)

    def __call__(self, indices, epochs, final):
        indices = list(indices)
        jobs = (
            delayed(_train_fold)(fold, arguments, indices, epochs, final)
            for fold, arguments in zip(self.folds, self.fold_arguments, strict=True)
        )
        outputs = Parallel(n_jobs=self.n_jobs)(jobs)
        self.folds = [fold for fold, _ in outputs]
        self.unconverged += sum(results.pop("unconverged") for _, results in outputs)
        for i in indices:
            self.records[i] = (self.round, [results[i] for _, results in outputs])
        self.round += 1
        scores = {i: np.mean([fold["score"] for fold in self.records[i][1]]) for i in indices}
        self._report(indices, scores, epochs, final)
        return scores

    def _report(self, indices, scores, epochs, final):
        if self.progress is None:
            return
        n_folds = len(self.folds)
        kept = len(indices) if final else len(indices) // FACTOR
        self.progress.update(n_folds * (len(indices) - kept) if not final else n_folds * kept)
        best = max(scores.values(), key=lambda s: np.nan_to_num(s, nan=-np.inf))
        self.progress.set_postfix(round=self.round, epochs=epochs or "all", best=f"{best:.4f}")
        if final:
            self.progress.close()


def _train_fold(fold, arguments, keep, epochs, final):
    """A fold's round (a joblib task): prepare it if new, train, score; returns it and its results.

    A fold whose last round this is is not sent back (its states are no longer needed).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        if fold is None:
            fold = _Fold(*arguments)
        fold.train(keep, epochs)
        results = fold.results(final)
    unconverged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if w not in unconverged:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    results["unconverged"] = len(unconverged)
    return (None if final else fold), results


class _SearchCV:
    """What the search adds to its single estimator (the class after this one in the MRO).

    ``fit`` searches, then refits the best candidate with the single estimator's
    ``fit`` and takes its fitted attributes; ``best_estimator_`` is that single
    estimator, to which ``partial_fit`` goes.
    """

    def _single_estimator(self):
        """The single estimator with this search's settings (the candidates' common part)."""
        single_class = next(c for c in type(self).__mro__[1:] if issubclass(c, _SINGLES))
        names = single_class._get_param_names()
        return single_class(**{name: getattr(self, name) for name in names})

    def _candidates(self, single):
        """The grid's candidates, each validated as the single estimator validates its own."""
        grid = self.param_grid if self.param_grid is not None else self._default_grid()
        names = set(single.get_params())
        for params in [grid] if isinstance(grid, dict) else grid:
            unknown = set(params) - names
            if unknown:
                raise ValueError(
                    f"param_grid has keys {sorted(unknown)} that are not parameters of "
                    f"{type(single).__name__}; they are among {sorted(names)}."
                )
        candidates = list(ParameterGrid(grid))
        for params in candidates:
            clone(single).set_params(**params)._validate_params()
        return candidates

    def _search_fit(self, X, y, sample_weight):
        single = self._single_estimator()
        candidates = self._candidates(single)
        # The single estimator's checks first: the folds would fail on bad data less clearly.
        clone(single)._check_data(X, y, sample_weight, None, False, False)
        X, y, sample_weight = indexable(X, y, sample_weight)
        splits = list(check_cv(self.cv, y, classifier=is_classifier(single)).split(X, y))
        scorer = check_scoring(single, self.scoring)
        evaluate = _Evaluation(self, single, candidates, (X, y, sample_weight), splits, scorer)
        STRATEGIES[self.search](evaluate, len(candidates), single.max_iter)
        results = _format_results(candidates, evaluate.records, len(splits))
        _warn_failures(evaluate.records, len(candidates))
        if evaluate.unconverged:
            n_fits = sum(len(folds) for _, folds in evaluate.records.values())
            warn(
                f"{evaluate.unconverged} of the {n_fits} candidate fits of the search ended "
                f"at max_iter={single.max_iter} epochs before their stopping rule; the "
                "search is over candidates that did not all converge.",
                ConvergenceWarning,
            )
        best = int(np.argmin(results["rank_test_score"]))
        fitted = {
            "cv_results_": results,
            "best_index_": best,
            "best_params_": candidates[best],
            "best_score_": float(results["mean_test_score"][best]),
            "n_splits_": len(splits),
            "scorer_": scorer,
        }
        if self.refit:
            estimator = clone(single).set_params(**candidates[best])
            estimator.fit(X, y, sample_weight=sample_weight)
            fitted.update(_fitted_attributes(estimator), best_estimator_=estimator)
        self._store(fitted)
        return self

    def _search_partial_fit(self, *args, **kwargs):
        if "best_estimator_" in vars(self):
            estimator = clone(self.best_estimator_)
            estimator.__dict__.update(vars(self.best_estimator_))
        else:  # no search yet: the single estimator with this search's parameters
            estimator = self._single_estimator()
        estimator.partial_fit(*args, **kwargs)
        self._store({**_fitted_attributes(estimator), "best_estimator_": estimator})
        return self

    def _store(self, fitted):
        """Replace the fitted attributes by ``fitted``, in one store (a transaction's commit).

        What the previous ``fit`` or ``partial_fit`` stored goes; what is not a
        fitted attribute (the parameters, scikit-learn's callback context) stays.
        """
        kept = {k: v for k, v in vars(self).items() if k not in vars(self).get("_fitted", ())}
        self.__dict__ = {**kept, **fitted, "_fitted": tuple(fitted)}


_SINGLES = (ShallowNNClassifier, ShallowNNRegressor)


def _refitted_and_iterative(search):
    """``available_if`` of the searches' ``partial_fit``: where its estimator's solver allows."""
    return solver_is_iterative(vars(search).get("best_estimator_", search))


def _fitted_attributes(estimator):
    """What ``fit`` added to ``estimator``: every attribute that is not a parameter."""
    parameters = set(estimator._get_param_names())
    return {name: value for name, value in vars(estimator).items() if name not in parameters}


def _warn_failures(records, n_candidates):
    errors = [fold["error"] for _, folds in records.values() for fold in folds if fold["error"]]
    if not errors:
        return
    n_fits = sum(len(folds) for _, folds in records.values())
    if len(errors) == n_fits:
        raise ValueError(f"All {n_fits} fits of the search failed; the first: {errors[0]}")
    warn(
        f"{len(errors)} of the {n_fits} fits of the search failed and scored NaN; the "
        f"first: {errors[0]}",
        FitFailedWarning,
    )


class ShallowNNClassifierCV(_SearchCV, ShallowNNClassifier):
    """A ShallowNNClassifier tuned by cross-validation (``n1``, ``alpha``, ``l2``, any parameter).

    The candidates of one fold that differ only in ``n1``, ``alpha`` and ``l2``
    train side by side on the same batches (:mod:`sklearn_shallow._cohort`),
    each with its own learning-rate schedule and stopping rule, exactly as
    :class:`ShallowNNClassifier` trains one network.

    Parameters
    ----------
    n1, activation, input_scaling, solver, alpha, l2, ... : see ShallowNNClassifier
        Every parameter of :class:`ShallowNNClassifier`, with its default: the value used
        for a parameter that ``param_grid`` does not set, and for the refit.
    param_grid : dict or list of dicts, default=None
        The candidates, as for :class:`~sklearn.model_selection.GridSearchCV`,
        keyed by parameters of :class:`ShallowNNClassifier`. None is the default grid
        (see Notes).
    cv : int, cross-validation generator or iterable, default=5
        As in ``GridSearchCV`` (stratified folds for a classifier).
    scoring : str, callable or None, default=None
        How a candidate is scored on a fold's test part; None is the
        estimator's ``score`` (accuracy).
    search : {'halving', 'grid'}, default='halving'
        ``'grid'`` trains every candidate on every fold to its end (the scores
        of ``GridSearchCV`` over :class:`ShallowNNClassifier`); ``'halving'`` trains all of
        them for 10 epochs, keeps the better third (mean test score),
        continues it from where it is for three times as many, and so on,
        until one remains, which trains to its end.
    refit : bool, default=True
        Refit the best candidate on the whole data with :class:`ShallowNNClassifier`'s
        ``fit``; the search then predicts with it.
    n_jobs : int or None, default=None
        Folds trained in parallel through joblib (None: one at a time; a Dask
        cluster under ``joblib.parallel_backend("dask")``).

    Attributes
    ----------
    cv_results_ : dict of arrays
        ``GridSearchCV``'s keys (``params``, ``param_<name>``,
        ``split<k>_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``mean_fit_time``, ``std_fit_time``,
        ``mean_score_time``, ``std_score_time``), and ``n_epochs`` (mean over
        the folds of the epochs each candidate trained) and ``round`` (the last
        round it reached; 0 for ``'grid'``). Candidates trained together on a
        fold share its training time equally. A pruned candidate's scores are
        those of the round that dropped it; the candidates of the last round
        rank first.
    best_index_, best_params_, best_score_ : int, dict, float
        The candidate of rank 1, its parameters and its mean test score.
    best_estimator_ : ShallowNNClassifier
        The refitted best candidate (``refit=True``).
    n_splits_ : int
        Number of folds.
    params_, classes_, history_, ... :
        With ``refit=True``, every fitted attribute of ``best_estimator_``.

    See Also
    --------
    ShallowNNClassifier : The estimator tuned.
    sklearn.model_selection.GridSearchCV : The search over any estimator.

    Notes
    -----
    The default grid: ``l2`` 0.001, 0.1, 1 x ``input_scaling`` ``'minmax'``,
    ``'mean'`` (``n1``, ``alpha`` at their defaults), chosen by measurement
    (``benchmarks/tuning.py``): on small data a stronger ``l2`` is what pays
    most, and centred inputs win on some sets (noisy 2-D moons, large data)
    while ``[0, 1]`` inputs win on others (iris).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_shallow import ShallowNNClassifierCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = ShallowNNClassifierCV(param_grid={"n1": [10, 50]}, cv=3, random_state=0)
    >>> search.fit(X, y).best_params_ in ({"n1": 10}, {"n1": 50})
    True
    >>> search.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **ShallowNNClassifier._parameter_constraints,
        **SEARCH_CONSTRAINTS,
    }

    def __init__(
        self,
        n1=100,
        *,
        activation="relu",
        input_scaling="auto",
        solver="adam",
        alpha="auto",
        l2=0.001,
        batch_size="auto",
        learning_rate="constant",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=0.0001,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-08,
        n_iter_no_change=10,
        max_fun=15000,
        class_weight=None,
        callback=None,
        param_grid=None,
        cv=5,
        scoring=None,
        search="halving",
        refit=True,
        n_jobs=None,
    ):
        super().__init__(
            n1,
            activation=activation,
            input_scaling=input_scaling,
            solver=solver,
            alpha=alpha,
            l2=l2,
            batch_size=batch_size,
            learning_rate=learning_rate,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            class_weight=class_weight,
            callback=callback,
        )
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.search = search
        self.refit = refit
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Search the candidates by cross-validation, then refit the best on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, sliced for each fold's training and test parts: the
            fits and the test scores are weighted, as in ``GridSearchCV``.

        Returns
        -------
        self : ShallowNNClassifierCV
            The fitted search.
        """
        return self._search_fit(X, y, sample_weight)

    @available_if(_refitted_and_iterative)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One more epoch of the refitted best candidate (before ``fit``: the search's settings).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        classes : array-like of shape (n_classes,), default=None
            As in :meth:`ShallowNNClassifier.partial_fit` (known after ``fit``).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : ShallowNNClassifierCV
            The updated search.
        """
        return self._search_partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    def _default_grid(self):
        return {"l2": [0.001, 0.1, 1.0], "input_scaling": ["minmax", "mean"]}


class ShallowNNRegressorCV(_SearchCV, ShallowNNRegressor):
    """A ShallowNNRegressor tuned by cross-validation (``n1``, ``alpha``, ``l2``, any parameter).

    The candidates of one fold that differ only in ``n1``, ``alpha`` and ``l2``
    train side by side on the same batches (:mod:`sklearn_shallow._cohort`),
    each with its own learning-rate schedule and stopping rule, exactly as
    :class:`ShallowNNRegressor` trains one network.

    Parameters
    ----------
    n1, activation, input_scaling, solver, alpha, l2, ... : see ShallowNNRegressor
        Every parameter of :class:`ShallowNNRegressor`, with its default: the value used
        for a parameter that ``param_grid`` does not set, and for the refit.
    param_grid : dict or list of dicts, default=None
        The candidates, as for :class:`~sklearn.model_selection.GridSearchCV`,
        keyed by parameters of :class:`ShallowNNRegressor`. None is the default grid
        (see Notes).
    cv : int, cross-validation generator or iterable, default=5
        As in ``GridSearchCV`` (stratified folds for a classifier).
    scoring : str, callable or None, default=None
        How a candidate is scored on a fold's test part; None is the
        estimator's ``score`` (R²).
    search : {'halving', 'grid'}, default='halving'
        ``'grid'`` trains every candidate on every fold to its end (the scores
        of ``GridSearchCV`` over :class:`ShallowNNRegressor`); ``'halving'`` trains all of
        them for 10 epochs, keeps the better third (mean test score),
        continues it from where it is for three times as many, and so on,
        until one remains, which trains to its end.
    refit : bool, default=True
        Refit the best candidate on the whole data with :class:`ShallowNNRegressor`'s
        ``fit``; the search then predicts with it.
    n_jobs : int or None, default=None
        Folds trained in parallel through joblib (None: one at a time; a Dask
        cluster under ``joblib.parallel_backend("dask")``).

    Attributes
    ----------
    cv_results_ : dict of arrays
        ``GridSearchCV``'s keys (``params``, ``param_<name>``,
        ``split<k>_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``mean_fit_time``, ``std_fit_time``,
        ``mean_score_time``, ``std_score_time``), and ``n_epochs`` (mean over
        the folds of the epochs each candidate trained) and ``round`` (the last
        round it reached; 0 for ``'grid'``). Candidates trained together on a
        fold share its training time equally. A pruned candidate's scores are
        those of the round that dropped it; the candidates of the last round
        rank first.
    best_index_, best_params_, best_score_ : int, dict, float
        The candidate of rank 1, its parameters and its mean test score.
    best_estimator_ : ShallowNNRegressor
        The refitted best candidate (``refit=True``).
    n_splits_ : int
        Number of folds.
    params_, classes_, history_, ... :
        With ``refit=True``, every fitted attribute of ``best_estimator_``.

    See Also
    --------
    ShallowNNRegressor : The estimator tuned.
    sklearn.model_selection.GridSearchCV : The search over any estimator.

    Notes
    -----
    The default grid: ``l2`` 0.05, 0.2, 0.8 x ``input_scaling`` ``'minmax'``,
    ``'mean'`` with Adam; ``solver='lbfgs'`` with ``l2=1`` and ``'mean'``,
    which finds the penalised optimum that a near-linear target wants; and
    the linear network (``activation='identity'``, L-BFGS, ``l2`` 0.01 and 1),
    so that a linear target is fitted as well as by ``RidgeCV``. Chosen by
    measurement (``benchmarks/tuning.py``).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_shallow import ShallowNNRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = ShallowNNRegressorCV(param_grid={"l2": [0.2, 1.0]}, cv=3, random_state=0)
    >>> search.fit(X, y).best_params_ in ({"l2": 0.2}, {"l2": 1.0})
    True
    """

    _parameter_constraints: dict = {
        **ShallowNNRegressor._parameter_constraints,
        **SEARCH_CONSTRAINTS,
    }

    def __init__(
        self,
        n1=100,
        *,
        loss="squared_error",
        activation="relu",
        input_scaling="minmax",
        solver="adam",
        alpha=0.01,
        l2=0.2,
        batch_size="auto",
        learning_rate="constant",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=0.0001,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-08,
        n_iter_no_change=10,
        max_fun=15000,
        callback=None,
        param_grid=None,
        cv=5,
        scoring=None,
        search="halving",
        refit=True,
        n_jobs=None,
    ):
        super().__init__(
            n1,
            loss=loss,
            activation=activation,
            input_scaling=input_scaling,
            solver=solver,
            alpha=alpha,
            l2=l2,
            batch_size=batch_size,
            learning_rate=learning_rate,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callback=callback,
        )
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.search = search
        self.refit = refit
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Search the candidates by cross-validation, then refit the best on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, sliced for each fold's training and test parts: the
            fits and the test scores are weighted, as in ``GridSearchCV``.

        Returns
        -------
        self : ShallowNNRegressorCV
            The fitted search.
        """
        return self._search_fit(X, y, sample_weight)

    @available_if(_refitted_and_iterative)
    def partial_fit(self, X, y, sample_weight=None):
        """One more epoch of the refitted best candidate (before ``fit``: the search's settings).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : ShallowNNRegressorCV
            The updated search.
        """
        return self._search_partial_fit(X, y, sample_weight=sample_weight)

    def _default_grid(self):
        return [
            {"l2": [0.05, 0.2, 0.8], "input_scaling": ["minmax", "mean"]},
            {"solver": ["lbfgs"], "l2": [1.0], "input_scaling": ["mean"]},
            {
                "solver": ["lbfgs"],
                "activation": ["identity"],
                "l2": [0.01, 1.0],
                "input_scaling": ["mean"],
            },
        ]
