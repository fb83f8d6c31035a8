"""The training engine: epochs and L-BFGS on a typed fit state, knowing no estimator.

An estimator validates its data and parameters, builds a :class:`FitState`
(fresh, or from its fitted attributes to continue), and calls :func:`train`,
which returns the state after training. Nothing here reads or writes an
estimator: a failed or interrupted call leaves the caller's objects as they were.

The parts:

- :class:`FitState`: parameters, optimiser state, epochs, samples seen,
  learning rate, stopping counters, history and best epoch;
- :class:`Stopping`: counts the epochs without improvement, as
  ``MLPClassifier`` does;
- :class:`EpochEnd`: everything that happens at the end of an epoch (the clock,
  the history record, the progress bar or verbose line, the user's callback),
  in one call;
- :func:`train_epochs`: the iterative solvers, through an epoch runner of
  :mod:`._runners` and the schedule of :mod:`._solvers`;
- :func:`train_lbfgs`: scipy's L-BFGS-B through the runner's ``objective``,
  with :class:`LbfgsIterations` as scipy's callback.
"""

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._array_api import copied, is_numpy, move, namespace, take_rows
from ._compat import get_namespace_and_device
from ._input_scaling import scaled
from ._runners import epoch_batches, epoch_runner, evaluate
from ._solvers import GradientDescent, LearningRateSchedule, minimize_lbfgs
from ._warnings import warn

__all__ = ["HISTORY_KEYS", "Data", "FitState", "Settings", "Stopping", "history_keys", "train"]


def history_keys(score_name):
    """The keys of ``history_`` for a task scored by ``score_name`` (``'accuracy'``, ``'r2'``)."""
    return ("loss", score_name, "val_loss", f"val_{score_name}", "learning_rate", "time")


#: The history keys of a classifier (the default of :class:`FitState`).
HISTORY_KEYS = history_keys("accuracy")

#: How messages name each score.
_SCORE_WORDS = {"accuracy": "accuracy", "r2": "R²"}


@dataclass(frozen=True)
class Data:
    """A data set in the training loop's layout: samples as rows, ``Y`` encoded (0/1 or values)."""

    X: object
    Y: object
    sample_weight: object = None

    def arrays(self):
        """``(X, Y, sample_weight)``, the arrays themselves (``dataclasses.astuple`` copies)."""
        return self.X, self.Y, self.sample_weight

    def rows(self, rows):
        """The samples ``rows`` (a slice or indices) of this data set."""
        return Data(*(take_rows(A, rows) for A in self.arrays()))

    def scaled(self, scaling, inplace=False):
        """This data set with ``X`` scaled by ``scaling = (offset, scale)`` (``input_scaling``)."""
        return Data(scaled(self.X, *scaling, inplace=inplace), self.Y, self.sample_weight)


@dataclass
class Stopping:
    """Counters of the stopping rule: best loss and score so far, stalled epochs."""

    best_loss: float = math.inf
    best_score: float = -math.inf
    count: int = 0
    improved: bool = False
    stalled_too_long: bool = False

    def update(self, *, loss_value, val_score, tol, n_iter_no_change):
        """The counters after one more epoch, as ``MLPClassifier`` counts them.

        With validation data (``val_score`` is not None) the criterion is the
        validation score (accuracy or R²), which must rise by more than ``tol``; otherwise the
        training loss, which must fall by more than ``tol``. ``tol=None`` never
        counts an epoch as stalled. ``improved`` says whether this epoch is the
        best so far (its parameters are the ones early stopping restores).
        Returns a new :class:`Stopping`.
        """
        if val_score is not None:
            stalled = tol is not None and val_score < self.best_score + tol
            improved = val_score > self.best_score
            best = {"best_score": max(self.best_score, val_score)}
        else:
            stalled = tol is not None and loss_value > self.best_loss - tol
            improved = loss_value < self.best_loss
            best = {"best_loss": min(self.best_loss, loss_value)}
        count = self.count + 1 if stalled else 0
        return dataclasses.replace(
            self,
            **best,
            count=count,
            improved=improved,
            stalled_too_long=count > n_iter_no_change,
        )


@dataclass
class FitState:
    """Everything a fit carries from one epoch, or one call, to the next.

    ``history`` is keyed by :func:`history_keys` of the task's score (a
    classifier's keys by default).
    """

    params: dict
    opt_state: dict | None = None
    n_iter: int = 0
    t: int = 0
    learning_rate: float = math.nan
    stopping: Stopping = field(default_factory=Stopping)
    history: dict = field(default_factory=lambda: {key: [] for key in HISTORY_KEYS})
    best_epoch: int = 0
    early_stopping: bool = False


@dataclass(frozen=True)
class Settings:
    """How to train: the solver and its hyper-parameters, stopping, reporting.

    ``rule`` is the update rule of the iterative solvers (None for
    ``'lbfgs'``); ``name`` names the estimator in messages; ``owner`` is passed
    as the first argument of ``callback``.
    """

    solver: str
    alpha: float
    rule: object = None
    schedule: str = "constant"
    power_t: float = 0.5
    batch_size: int = 200
    shuffle: bool = True
    max_iter: int = 200
    max_fun: int = 15000
    tol: float | None = 1e-4
    n_iter_no_change: int = 10
    early_stopping: bool = False
    verbose: int = 0
    callback: Callable | None = None
    owner: object = None
    name: str = "estimator"


def divergence_error(epoch, loss_value, alpha):
    return ValueError(
        f"Training diverged at epoch {epoch}: the loss became {loss_value}. "
        f"The learning rate alpha={alpha!r} is too large for this problem, or the "
        "input is not scaled (put a StandardScaler or MinMaxScaler before the "
        f"estimator); try a smaller value, e.g. alpha={alpha / 10:g}. The estimator "
        "was left as it was before this call."
    )


def all_finite(params):
    xp = namespace(params["W1"])
    return all(bool(xp.all(xp.isfinite(P))) for P in params.values())


# ------------------------------------------------------------ end of an epoch


class EpochEnd:
    """The end of every epoch, in one call: time, history, progress and the user's callback.

    Used as a context manager, so that the progress bar is closed however the
    training ends.

    Parameters
    ----------
    settings : Settings
        ``verbose`` (1: a tqdm progress bar; 2 or more: a line per epoch on
        stdout, which starts as ``MLPClassifier``'s),
        ``callback``, ``owner`` and ``name``.
    total : int
        Number of epochs planned (the progress bar's length).
    validation : Data or None
        Scored at the end of every epoch when given (``val_loss`` and the
        validation score, ``val_accuracy`` or ``val_r2``).
    network : Network
        What :func:`._runners.evaluate` needs; its ``score`` names the score.
    """

    def __init__(self, settings, total, validation, network):
        self.settings, self.validation, self.network = settings, validation, network
        self.score = network.score.name
        self.keys = history_keys(self.score)
        self.progress = None
        if settings.verbose == 1:
            from tqdm.auto import tqdm

            self.progress = tqdm(total=total, desc=settings.name, unit="epoch", leave=False)
        self.start = time.perf_counter()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.progress is not None:
            self.progress.close()

    def __call__(self, state, params, J, score, learning_rate):
        """Record epoch ``state.n_iter``; returns the record and whether the callback stops."""
        now = time.perf_counter()
        record = {"epoch": state.n_iter, "loss": J, self.score: score}
        record.update(self._validation_scores(params))
        record.update(learning_rate=learning_rate, time=now - self.start)
        for key in self.keys:
            state.history[key].append(float(record[key]))
        self._report(record)
        self.start = time.perf_counter()
        callback = self.settings.callback
        # The runner overwrites `params` at the next epoch: the callback gets copies.
        stop = callback is not None and bool(
            callback(self.settings.owner, {**record, "params": copied(params)})
        )
        return record, stop

    def diverged(self, state, J):
        """Record epoch ``state.n_iter``, whose loss ``J`` diverged: its scores are NaN.

        The user's callback is not called: the epoch's parameters are not finite.
        """
        record = {key: math.nan for key in self.keys}
        record.update(epoch=state.n_iter, loss=J, learning_rate=state.learning_rate)
        record["time"] = time.perf_counter() - self.start
        for key in self.keys:
            state.history[key].append(float(record[key]))
        self._report(record)

    def _validation_scores(self, params):
        if self.validation is None:
            return {"val_loss": math.nan, f"val_{self.score}": math.nan}
        v = self.validation
        J, score = evaluate(v.X, v.Y, v.sample_weight, params, self.network)
        return {"val_loss": J, f"val_{self.score}": score}

    def _report(self, record):
        name = self.score
        if self.progress is not None:
            short = {"accuracy": "acc"}.get(name, name)
            self.progress.set_postfix(
                loss=f"{record['loss']:.4f}", **{short: f"{record[name]:.3f}"}
            )
            self.progress.update(1)
        elif self.settings.verbose >= 2:
            # MLPClassifier's line, then the score (and the validation's).
            line = (
                f"Iteration {record['epoch']}, loss = {record['loss']:.8f}, "
                f"{name} = {record[name]:.4f}"
            )
            if not math.isnan(record["val_loss"]):
                line += (
                    f", val_loss = {record['val_loss']:.8f}, "
                    f"val_{name} = {record[f'val_{name}']:.4f}"
                )
            print(line)


# ---------------------------------------------------------------- training


def train(data, validation, state, settings, network, *, rng, incremental=False):
    """Train from ``state`` and return it, updated.

    Parameters
    ----------
    data : Data
        The training data (samples as rows).
    validation : Data or None
        Validation data, scored every epoch; with ``settings.early_stopping``,
        the stopping criterion.
    state : FitState
        Where training starts; updated in place and returned.
    settings : Settings
        The solver and its hyper-parameters.
    network : Network
        Hidden activation, output and ``l2``.
    rng : numpy.random.RandomState
        Shuffles the batches.
    incremental : bool, default=False
        One epoch that continues the optimiser state (``partial_fit``) instead
        of a fit of up to ``max_iter`` epochs with a fresh optimiser.

    Returns
    -------
    state : FitState
    """
    # A diverging run overflows before the end of its epoch, where it is reported
    # as one ValueError naming alpha; numpy's warnings on the way would add nothing.
    with np.errstate(over="ignore", invalid="ignore"):
        if settings.solver == "lbfgs":
            return train_lbfgs(data, validation, state, settings, network)
        return train_epochs(data, validation, state, settings, network, rng, incremental)


def train_epochs(data, validation, state, settings, network, rng, incremental):
    """The iterative solvers: epochs of the update rule until stopping or ``max_iter``."""
    n_samples = data.X.shape[0]
    # A new optimiser state (None) is built in the runner's own buffers, and the
    # runner's arrays replace the starting ones in `state`, so these can be freed.
    opt_state = state.opt_state if incremental else None
    run = epoch_runner(
        *data.arrays(), state.params, opt_state, rule=settings.rule, network=network
    )
    state.params, state.opt_state = run.load(state.params, opt_state)
    del opt_state
    batch_size = min(settings.batch_size, n_samples)
    n_epochs = 1 if incremental else settings.max_iter
    with EpochEnd(settings, n_epochs, validation, network) as end:
        network_run = NetworkRun(state, settings, network, end, incremental=incremental)
        while not network_run.done:
            rate = network_run.start_epoch()
            batches = epoch_batches(n_samples, batch_size, settings.shuffle, rng)
            outcome = run(state.params, state.opt_state, batches=batches, learning_rate=rate)
            network_run.end_epoch(*outcome, n_samples=n_samples)
    return network_run.finish()


class NetworkRun:
    """The epochs of one network: its learning-rate schedule, stopping rule and best epoch.

    The loop that runs the epochs asks :meth:`start_epoch` for the epoch's
    learning rate, runs the epoch, and hands its outcome to :meth:`end_epoch`,
    until :attr:`done`; :meth:`finish` then returns the :class:`FitState`.
    One network trained alone (:func:`train_epochs`) and networks trained side
    by side on the same batches (a search's candidates) share this bookkeeping.

    Parameters
    ----------
    state : FitState
        Where training starts; updated in place.
    settings : Settings
        The solver's hyper-parameters, stopping and reporting.
    network : Network
        Hidden activation, output and ``l2``.
    end : EpochEnd
        Records every epoch (scoring ``end.validation`` when there is one).
    incremental : bool, default=False
        One epoch that continues the schedule (``partial_fit``).
    """

    def __init__(self, state, settings, network, end, *, incremental=False):
        self.state, self.settings, self.network, self.end = state, settings, network, end
        self.incremental = incremental
        self.schedule = LearningRateSchedule(
            settings.schedule,
            settings.alpha,
            settings.power_t,
            state.learning_rate if incremental else None,
        )
        if not incremental:
            state.stopping = Stopping()
        self.validated = end.validation is not None and not incremental
        self.early_stopping = settings.early_stopping and self.validated
        self.epochs_left = 1 if incremental else settings.max_iter
        self.best, self.stopped, self.diverged = None, False, False

    @property
    def done(self):
        """Whether training has ended: stopped, diverged, or out of epochs."""
        return self.stopped or self.epochs_left == 0

    def start_epoch(self):
        """The learning rate of the next epoch."""
        self.state.learning_rate = self.schedule.start_epoch(self.state.t)
        return self.state.learning_rate

    def end_epoch(self, params, opt_state, J, score, *, n_samples, finite=None):
        """Take the epoch's outcome: record it, update the stopping rule and the best epoch.

        ``finite=True`` says the parameters are known to be finite (a stacked
        runner checks all its networks' at once); None checks them.
        """
        state, settings = self.state, self.settings
        self.epochs_left -= 1
        if not (math.isfinite(J) and (finite or all_finite(params))):
            if self.best is None:
                raise divergence_error(state.n_iter + 1, J, settings.alpha)
            self.diverged = self.stopped = True
            _end_diverged(state, self.end, J, n_samples, self.best, settings.alpha)
            return
        state.params, state.opt_state = params, opt_state
        state.n_iter += 1
        state.t += n_samples
        record, self.stopped = self.end(state, params, J, score, state.learning_rate)
        val_score = record[f"val_{self.end.score}"]
        state.stopping = state.stopping.update(
            loss_value=J,
            val_score=val_score if self.early_stopping else None,
            tol=settings.tol,
            n_iter_no_change=settings.n_iter_no_change,
        )
        if self.validated:
            self.best = best_validated(self.best, params, state.n_iter, val_score)
        if not self.stopped and not self.incremental and state.stopping.stalled_too_long:
            self.stopped = self.early_stopping or self.schedule.trigger_stopping(settings.verbose)
            if not self.stopped:
                state.learning_rate = self.schedule.learning_rate
                state.stopping = dataclasses.replace(state.stopping, count=0)

    def finish(self):
        """The state after training: the best validated epoch's parameters where it applies."""
        state = self.state
        if self.early_stopping or self.diverged:
            state.params, state.best_epoch = self.best.params, self.best.epoch
        else:
            state.best_epoch = state.n_iter
        state.early_stopping = self.early_stopping
        if not self.stopped and not self.incremental and self.settings.tol is not None:
            _warn_max_iter(self.settings, self.early_stopping, self.network.score.name)
        return state


@dataclass(frozen=True)
class BestEpoch:
    """The validated epoch with the best score so far, and a copy of its parameters."""

    score: float
    params: dict
    epoch: int


def best_validated(best, params, epoch, val_score):
    """``best``, or this epoch if its validation score is finite and higher (or the first).

    The parameters are copied: the runner overwrites ``params`` at the next epoch.
    """
    if not math.isfinite(val_score) or (best is not None and val_score <= best.score):
        return best
    return BestEpoch(val_score, copied(params), epoch)


def _end_diverged(state, end, J, n_samples, best, alpha):
    """Record the epoch whose loss diverged, and warn that the best validated epoch is kept.

    The optimiser's state of the diverged epoch is dropped (a later
    ``partial_fit`` starts it afresh from the restored parameters).
    """
    state.n_iter += 1
    state.t += n_samples
    state.opt_state = None
    end.diverged(state, J)
    warn(
        f"{end.settings.name}: training diverged at epoch {state.n_iter} (the loss became "
        f"{J}); the learning rate alpha={alpha!r} is too large for this problem, or the "
        f"input is not scaled. The parameters of the best validated epoch "
        f"(epoch {best.epoch}, validation {_SCORE_WORDS[end.score]} {best.score:.4f}) are "
        f"kept; try a smaller value, e.g. alpha={alpha / 10:g}.",
        ConvergenceWarning,
    )


def _warn_max_iter(settings, early_stopping, score_name):
    criterion = f"validation {_SCORE_WORDS[score_name]}" if early_stopping else "loss"
    warn(
        f"{settings.name}: max_iter={settings.max_iter} epochs were reached "
        f"before the {criterion} "
        f"stopped improving by tol={settings.tol}; increase max_iter, or alpha "
        "(the learning rate).",
        ConvergenceWarning,
    )


# ------------------------------------------------------------------ L-BFGS


class LbfgsIterations:
    """scipy's L-BFGS-B callback, and the objective whose last evaluation it reuses.

    L-BFGS-B's iterate is almost always the point it evaluated last: the loss
    and score of that evaluation are kept, so that recording an iteration
    needs no extra forward pass. scipy works on numpy arrays; the runner on the
    data's namespace and device (``xp``, ``device``).

    Parameters
    ----------
    runner : epoch runner
        Its ``objective`` gives the loss, gradients and score.
    data : Data
        The training data (for iterates that were not the last evaluation).
    state : FitState
        Updated at every iteration (``n_iter``, ``history``).
    end : EpochEnd
        Called at every iteration.
    network : Network
        As for :func:`train`.
    """

    def __init__(self, runner, data, state, end, network):
        self.runner, self.data, self.state = runner, data, state
        self.end, self.network = end, network
        self.xp, _, self.device = get_namespace_and_device(data.Y)
        self.last_point, self.last_scores = None, None

    def _params(self, numpy_params):
        return {name: move(P, self.xp, self.device) for name, P in numpy_params.items()}

    def objective(self, numpy_params):
        """``(J, grads)`` at ``numpy_params``, gradients as numpy arrays."""
        J, grads, score = self.runner.objective(self._params(numpy_params))
        self.last_point, self.last_scores = copied(numpy_params), (J, score)
        return J, {name: move(G) for name, G in grads.items()}

    def _scores(self, numpy_params):
        point = self.last_point
        if point is not None and all(
            np.array_equal(P, point[name]) for name, P in numpy_params.items()
        ):
            return self.last_scores
        d = self.data
        return evaluate(d.X, d.Y, d.sample_weight, self._params(numpy_params), self.network)

    def __call__(self, numpy_params):
        """Record one iteration; True when the user's callback asks to stop."""
        J, score = self._scores(numpy_params)
        self.state.n_iter += 1
        _, stop = self.end(self.state, self._params(numpy_params), J, score, math.nan)
        return stop


def train_lbfgs(data, validation, state, settings, network):
    """scipy's L-BFGS-B on the full-batch loss, from ``state.params``."""
    xp, _, device = get_namespace_and_device(data.Y)
    if not is_numpy(xp):
        warn(
            f"solver='lbfgs' runs scipy's L-BFGS-B, which works on numpy arrays: the "
            f"parameters travel between numpy and {xp.__name__} ({device}) at every "
            "loss evaluation; the loss and gradients are computed in "
            f"{xp.__name__}. Use solver='adam', 'sgd' or 'gd' to stay on the device.",
            UserWarning,
        )
    runner = epoch_runner(
        *data.arrays(), state.params, None, rule=GradientDescent(), network=network
    )
    n_iter_before = state.n_iter
    with EpochEnd(settings, settings.max_iter, validation, network) as end:
        iterations = LbfgsIterations(runner, data, state, end, network)
        params, result = minimize_lbfgs(
            iterations.objective,
            {name: move(P) for name, P in state.params.items()},
            max_iter=settings.max_iter,
            max_fun=settings.max_fun,
            tol=0.0 if settings.tol is None else settings.tol,
            callback=iterations,
        )
        if not (math.isfinite(result.fun) and all_finite(params)):
            raise divergence_error(state.n_iter, result.fun, settings.alpha)
        if state.n_iter == n_iter_before:
            # L-BFGS-B can stop before its first iteration (its first line search
            # failed); record where it stopped, so that loss_curve_ is never empty.
            iterations(params)
    state.params = {name: move(P, xp, device) for name, P in params.items()}
    state.t += data.X.shape[0] * result.nit
    state.best_epoch = state.n_iter
    state.early_stopping = False
    if result.status == 1 and settings.tol is not None:
        warn(
            f"lbfgs reached max_iter={settings.max_iter} or max_fun={settings.max_fun} "
            f"before converging: {result.message}. Increase max_iter or max_fun.",
            ConvergenceWarning,
        )
    return state
