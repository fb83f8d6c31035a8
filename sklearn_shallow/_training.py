"""The training loop of the iterative solvers, split into batch, epoch and stopping steps.

The estimator keeps samples as rows (``X`` of shape ``(m, n0)``, ``Y`` of shape
``(m, n_out)``); each batch is transposed (a view, no copy) into the course's
column layout before it reaches :mod:`sklearn_shallow.network`.
"""

import math
import time

import numpy as np
import scipy.sparse as sp
from sklearn.utils import _safe_indexing, gen_batches
from sklearn.utils._array_api import device as array_device

from .network import _cost, _namespace, backward, forward, loss

#: When the learning rate of the ``'adaptive'`` schedule falls below this, training stops.
MIN_ADAPTIVE_LEARNING_RATE = 1e-6


def epoch_batches(n_samples, batch_size, shuffle, rng):
    """The batches of one epoch: slices of the data in order, or of a permutation.

    A single batch holding every sample is never shuffled (the order of the
    columns does not change the full-batch gradient).
    """
    if batch_size >= n_samples:
        return [slice(0, n_samples)]
    batches = list(gen_batches(n_samples, batch_size))
    if not shuffle:
        return batches
    order = rng.permutation(n_samples)
    return [order[batch] for batch in batches]


def take_rows(A, rows):
    """Rows of ``A`` (numpy, scipy sparse or any array API array) for a slice or indices.

    A slice of a dense array is a view; indices (a numpy array) copy only the rows
    they name.
    """
    if A is None:
        return None
    if isinstance(rows, slice):
        return A[rows] if sp.issparse(A) else A[rows, ...]
    if sp.issparse(A) or isinstance(A, np.ndarray):
        return _safe_indexing(A, rows)
    xp = _namespace(A)
    return xp.take(A, xp.asarray(rows, device=array_device(A)), axis=0)


def correct_predictions(A_out, Y, output):
    """Per sample, True when the prediction equals the target (all labels of it)."""
    xp = _namespace(A_out)
    if output == "softmax":
        return xp.argmax(A_out, axis=0) == xp.argmax(Y, axis=0)
    return xp.all((A_out > 0.5) == (Y > 0.5), axis=0)


def weighted_mean(values, sample_weight):
    """Mean of the booleans ``values``, weighted by ``sample_weight``, as a Python float."""
    xp = _namespace(values)
    values = xp.astype(values, xp.float64 if sample_weight is None else sample_weight.dtype)
    if sample_weight is None:
        return float(xp.mean(values))
    return float(xp.sum(values * sample_weight) / xp.sum(sample_weight))


def evaluate(X, Y, sample_weight, params, config):
    """Loss (with the L2 term) and accuracy of ``params`` on a data set, in one forward pass."""
    A_out, _ = forward(X.T, params, activation=config["activation"], output=config["output"])
    return scores(A_out, Y.T, sample_weight, params, config)


def scores(A_out, Y, sample_weight, params, config):
    """Loss (with the L2 term) and accuracy of outputs ``A_out`` for targets ``Y`` (columns)."""
    J = loss(
        A_out,
        Y,
        output=config["output"],
        sample_weight=sample_weight,
        params=params,
        l2=config["l2"],
    )
    accuracy = weighted_mean(correct_predictions(A_out, Y, config["output"]), sample_weight)
    return J, accuracy


def run_epoch(X, Y, sample_weight, params, opt_state, *, batches, rule, learning_rate, config):
    """One pass over the batches: forward, backward and update on each.

    Returns the new parameters and optimiser state, the epoch's loss (each batch's
    objective before its update, averaged with the batch weights, as
    ``MLPClassifier`` reports it) and the training accuracy measured the same way.
    A batch whose weights are all zero carries no information and is skipped.
    """
    options = dict(activation=config["activation"], output=config["output"])
    # The sums stay arrays of X's namespace until the end of the epoch: on a GPU,
    # converting them to Python floats at every batch would wait for the device.
    total_loss = total_correct = 0.0
    total_mass = 0.0
    for batch in batches:
        w = take_rows(sample_weight, batch)
        Yb = take_rows(Y, batch).T
        mass = Yb.shape[1] if w is None else float(_namespace(w).sum(w))
        if mass == 0.0:
            continue
        Xb = take_rows(X, batch).T
        A_out, cache = forward(Xb, params, **options)
        grads = backward(Xb, Yb, params, cache, **options, sample_weight=w, l2=config["l2"])
        J = _cost(A_out, Yb, config["output"], w, params, config["l2"])
        correct = correct_predictions(A_out, Yb, config["output"])
        xp = _namespace(A_out)
        correct = xp.astype(correct, A_out.dtype)
        total_loss = total_loss + J * mass
        total_correct = total_correct + (xp.sum(correct) if w is None else xp.sum(correct * w))
        total_mass += mass
        params, opt_state = rule.step(params, grads, opt_state, learning_rate)
    return params, opt_state, float(total_loss) / total_mass, float(total_correct) / total_mass


class PureEpochs:
    """Epochs of one fit through :func:`run_epoch`: the reference the fast path is held to.

    The estimator trains through an *epoch runner*: ``load`` takes the starting
    parameters and optimiser state and returns those the runner works on, and each
    call runs one epoch on what the previous one returned. This one keeps nothing:
    every epoch returns new arrays, as ``run_epoch`` does.

    Parameters
    ----------
    X, Y, sample_weight : arrays
        As for :func:`run_epoch`, the same for every epoch of the fit.
    rule : object
        The update rule (see :mod:`._solvers`).
    config : dict
        ``{"activation", "output", "l2"}``.
    """

    def __init__(self, X, Y, sample_weight, *, rule, config):
        self.data = (X, Y, sample_weight)
        self.rule, self.config = rule, config

    def load(self, params, opt_state):
        """The parameters and optimiser state to start from (here: those given).

        ``opt_state=None``, or a state of another rule (other keys), starts
        from the rule's initial state.
        """
        if not continues(opt_state, state_template(self.rule, params)):
            opt_state = self.rule.init_state(params)
        return params, opt_state

    def __call__(self, params, opt_state, *, batches, learning_rate):
        """One epoch: ``(params, opt_state, loss, accuracy)`` as :func:`run_epoch`."""
        return run_epoch(
            *self.data,
            params,
            opt_state,
            batches=batches,
            rule=self.rule,
            learning_rate=learning_rate,
            config=self.config,
        )


def state_template(rule, params):
    """``rule.init_state`` on empty arrays: its keys, in order, and its scalars, free of cost."""
    xp = _namespace(params["W1"])
    empty = {name: xp.empty((0,) * P.ndim, dtype=P.dtype) for name, P in params.items()}
    return rule.init_state(empty)


def continues(opt_state, template):
    """Whether ``opt_state`` is a state to continue from: not None, keyed as ``template``.

    ``template`` is the rule's :func:`state_template`.
    """
    return opt_state is not None and opt_state.keys() == template.keys()


def pure_epoch_runner(X, Y, sample_weight, params, opt_state, *, rule, config):
    """A :class:`PureEpochs`, with the signature of :func:`._fast.epoch_runner`."""
    return PureEpochs(X, Y, sample_weight, rule=rule, config=config)


def update_stopping(stopping, *, loss_value, val_score, tol, n_iter_no_change):
    """Count epochs without improvement, as ``MLPClassifier`` does.

    With validation data (``val_score`` is not None) the criterion is the
    validation accuracy, which must rise by more than ``tol``; otherwise the
    training loss, which must fall by more than ``tol``. ``tol=None`` never counts
    an epoch as stalled. Returns a new dict; ``improved`` says whether this epoch
    is the best so far (its parameters are the ones early stopping restores).
    """
    stopping = dict(stopping)
    if val_score is not None:
        stalled = tol is not None and val_score < stopping["best_score"] + tol
        improved = val_score > stopping["best_score"]
        stopping["best_score"] = max(stopping["best_score"], val_score)
    else:
        stalled = tol is not None and loss_value > stopping["best_loss"] - tol
        improved = loss_value < stopping["best_loss"]
        stopping["best_loss"] = min(stopping["best_loss"], loss_value)
    stopping["count"] = stopping["count"] + 1 if stalled else 0
    stopping["improved"] = improved
    stopping["stalled_too_long"] = stopping["count"] > n_iter_no_change
    return stopping


def new_stopping():
    return {"best_loss": math.inf, "best_score": -math.inf, "count": 0}


def divergence_error(epoch, loss_value, alpha):
    return ValueError(
        f"Training diverged at epoch {epoch}: the loss became {loss_value}. "
        f"The learning rate alpha={alpha!r} is too large for this problem; "
        f"try a smaller value, e.g. alpha={alpha / 10:g}. The estimator was left "
        "as it was before this call."
    )


class Clock:
    """Seconds per epoch, for ``history_['time']``."""

    def __init__(self):
        self.start = time.perf_counter()

    def __call__(self):
        return time.perf_counter() - self.start

    def lap(self):
        """Seconds since the last lap (or since the clock started), then restart."""
        now = time.perf_counter()
        elapsed, self.start = now - self.start, now
        return elapsed
