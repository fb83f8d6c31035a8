"""Update rules, the learning-rate schedule, and scipy's L-BFGS-B over the parameters.

An update rule is what replaces the course's last step, ``W := W - alpha · dW``.
Each rule is one small class holding both of its forms:

- ``init_state(params) -> state``: the optimiser's memory (a dict of arrays and
  scalars, empty for plain gradient descent);
- ``step(params, grads, state, learning_rate) -> (params, state)``: one pure
  update, returning new dicts and leaving its arguments unchanged (the
  reference, on any array namespace);
- ``step_inplace(update, P, dP, state)``: the same update on the contiguous
  numpy vectors of the private fast path (:mod:`._fast`), in place, in the same
  order of operations and rounding; ``update`` is the :class:`InPlaceUpdate`
  holding its scratch buffers and constants.

:class:`LearningRateSchedule` owns the learning rate between epochs and what a
stalled loss does to it (scikit-learn's optimisers have ``iteration_ends`` and
``trigger_stopping`` for the same two jobs).

The L-BFGS solver is not a per-step rule; :func:`minimize_lbfgs` runs scipy's
L-BFGS-B over the flattened parameters with the same loss and gradients.
"""

import contextlib
import math

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from ._array_api import flush_subnormal, move, namespace
from ._blas import scipy_blas, single_threaded
from ._input_scaling import scaled
from .network import update

#: When the learning rate of the ``'adaptive'`` schedule falls below this, training stops.
MIN_ADAPTIVE_LEARNING_RATE = 1e-6

#: ``alpha='auto'``: the learning rate, and for ``'adam'`` its ceiling.
AUTO_LEARNING_RATE = 0.01

#: ``alpha='auto'`` with ``'adam'``: how far one step may move a hidden unit's input.
AUTO_INPUT_SHIFT = 0.1

_ROWS_PER_CHUNK = 8192


def auto_learning_rate(X, solver, sample_weight=None, scaling=None):
    """The learning rate that ``alpha='auto'`` gives for data ``X`` (samples as rows).

    Adam moves every weight by about the learning rate at each of its first
    steps, whatever the gradient's size, so a hidden unit's input ``w · x`` moves
    by up to ``alpha ‖x‖₁``. On wide inputs (hundreds of features in ``[0, 1]``)
    ``alpha=0.01`` moves it by several units at once and can leave every relu
    unit dead. ``'adam'`` gets ``min(0.01, 0.1 / mean ‖x‖₁)`` (the mean weighted
    by ``sample_weight``, so that a weight of 2 is a repeated row): a first step
    moves an input by about 0.1 at most; the other solvers, whose steps scale
    with the gradient, get 0.01. The rows are those the network sees: ``X``
    scaled by ``scaling = (offset, scale)`` when it is given.
    """
    if solver != "adam":
        return AUTO_LEARNING_RATE
    l1 = mean_row_l1_norm(X, sample_weight, scaling)
    if not l1 > 0:
        return AUTO_LEARNING_RATE
    return min(AUTO_LEARNING_RATE, AUTO_INPUT_SHIFT / l1)


def mean_row_l1_norm(X, sample_weight=None, scaling=None):
    """``mean_i ‖x_i‖₁`` (weighted) of dense, sparse or array API ``X``, without copying ``X``.

    With ``scaling = (offset, scale)``, the norms are those of the scaled rows
    ``(x_i - offset) / scale`` (dense numpy ``X`` is scaled a chunk at a time).
    """
    if sp.issparse(X):  # sparse X is never shifted (_input_scaling)
        weights = np.ones(X.shape[1]) if scaling is None else 1.0 / np.asarray(move(scaling[1]))
        norms = np.asarray(abs(X) @ weights).ravel()
    elif isinstance(X, np.ndarray):
        starts = range(0, X.shape[0], _ROWS_PER_CHUNK)
        norms = np.concatenate(
            [np.abs(_scaled_rows(X[i : i + _ROWS_PER_CHUNK], scaling)).sum(axis=1) for i in starts]
            or [np.zeros(0)]
        )
    else:
        xp = namespace(X)
        norms = np.asarray(move(xp.sum(xp.abs(_scaled_rows(X, scaling)), axis=1)), np.float64)
    if sample_weight is None:
        return float(norms.mean())
    w = np.asarray(move(sample_weight), dtype=np.float64)
    return float(norms @ w / w.sum())


def _scaled_rows(rows, scaling):
    return rows if scaling is None else scaled(rows, *scaling)


class GradientDescent:
    """The course's update: ``W := W - alpha · dW`` (:func:`network.update`)."""

    def init_state(self, params):
        return {}

    def step(self, params, grads, state, learning_rate):
        return update(params, grads, learning_rate), state

    def step_inplace(self, update, P, dP, state):
        """``P := P - alpha dP`` (``dP`` is used as scratch)."""
        np.subtract(P, np.multiply(dP, update.learning_rate, out=dP), out=P)
        update.flush_subnormal(P)


class Momentum:
    """Gradient descent with (Nesterov's) momentum, as in ``MLPClassifier``.

    ``V := momentum · V - alpha · dW`` then ``W := W + V`` (classical), or
    ``W := W + momentum · V - alpha · dW`` (Nesterov's look-ahead form).
    """

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = momentum
        self.nesterov = nesterov

    def init_state(self, params):
        xp = namespace(params["W1"])
        return {"V" + name: xp.zeros_like(P) for name, P in params.items()}

    def step(self, params, grads, state, learning_rate):
        xp = namespace(params["W1"])
        new_params, new_state = {}, {}
        for name, P in params.items():
            dP = grads["d" + name]
            V = flush_subnormal(self.momentum * state["V" + name] - learning_rate * dP, xp)
            if self.nesterov:
                P = P + self.momentum * V - learning_rate * dP
            else:
                P = P + V
            new_params[name] = flush_subnormal(P, xp)
            new_state["V" + name] = V
        return new_params, new_state

    def step_inplace(self, update, P, dP, state):
        """:meth:`step` on the vectors: ``dP`` and the update's scratch are overwritten."""
        momentum, V, T = update.constants["momentum"], state["V"], update.scratch
        np.multiply(dP, update.learning_rate, out=dP)
        np.subtract(np.multiply(V, momentum, out=V), dP, out=V)
        update.flush_subnormal(V)
        if self.nesterov:
            np.add(P, np.multiply(V, momentum, out=T), out=P)
            np.subtract(P, dP, out=P)
        else:
            np.add(P, V, out=P)
        update.flush_subnormal(P)


class Adam:
    """Adam (Kingma & Ba, 2014) with the bias correction folded into the step.

    ``M := β1 M + (1-β1) dW``, ``S := β2 S + (1-β2) dW²``,
    ``W := W - alpha_t M / (sqrt(S) + ε)`` with
    ``alpha_t = alpha sqrt(1 - β2^t) / (1 - β1^t)``.
    """

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def init_state(self, params):
        xp = namespace(params["W1"])
        state = {"t": 0}
        for name, P in params.items():
            state["M" + name] = xp.zeros_like(P)
            state["S" + name] = xp.zeros_like(P)
        return state

    def step_size(self, learning_rate, t):
        """``alpha_t``, in float64: a Python float keeps float32 parameters float32 (NEP 50)."""
        return float(learning_rate) * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)

    def step(self, params, grads, state, learning_rate):
        xp = namespace(params["W1"])
        t = state["t"] + 1
        step_size = self.step_size(learning_rate, t)
        new_params, new_state = {}, {"t": t}
        for name, P in params.items():
            dP = grads["d" + name]
            M = self.beta_1 * state["M" + name] + (1 - self.beta_1) * dP
            S = self.beta_2 * state["S" + name] + (1 - self.beta_2) * (dP * dP)
            P = P - step_size * M / (xp.sqrt(S) + self.epsilon)
            new_params[name] = flush_subnormal(P, xp)
            new_state["M" + name] = flush_subnormal(M, xp)
            new_state["S" + name] = flush_subnormal(S, xp)
        return new_params, new_state

    def step_inplace(self, update, P, dP, state):
        """:meth:`step` on the vectors, in its order and rounding.

        The parameters move with the moments before these are flushed, as there.
        """
        c, M, S, T = update.constants, state["M"], state["S"], update.scratch
        t = state["t"] = state["t"] + 1
        step_size = update.scalar(self.step_size(update.alpha, t))
        np.add(np.multiply(M, c["beta_1"], out=M), np.multiply(dP, c["1 - beta_1"], out=T), out=M)
        np.multiply(np.multiply(dP, dP, out=T), c["1 - beta_2"], out=T)
        np.add(np.multiply(S, c["beta_2"], out=S), T, out=S)
        denominator = np.add(np.sqrt(S, out=dP), c["epsilon"], out=dP)
        np.divide(np.multiply(M, step_size, out=T), denominator, out=T)
        np.subtract(P, T, out=P)
        update.flush_subnormal(P)
        update.flush_subnormal(M)
        update.flush_subnormal(S, nonnegative=True)


def make_update_rule(solver, *, momentum, nesterovs_momentum, beta_1, beta_2, epsilon):
    """The update rule for an iterative solver name (``'gd'``, ``'sgd'``, ``'adam'``)."""
    if solver == "adam":
        return Adam(beta_1, beta_2, epsilon)
    if solver == "sgd" and momentum > 0:
        return Momentum(momentum, nesterovs_momentum)
    return GradientDescent()


def state_template(rule, params):
    """``rule.init_state`` on empty arrays: its keys, in order, and its scalars, free of cost."""
    xp = namespace(params["W1"])
    empty = {name: xp.empty((0,) * P.ndim, dtype=P.dtype) for name, P in params.items()}
    return rule.init_state(empty)


def continues(opt_state, template):
    """Whether ``opt_state`` is a state to continue from: not None, keyed as ``template``.

    ``template`` is the rule's :func:`state_template`.
    """
    return opt_state is not None and opt_state.keys() == template.keys()


class InPlaceUpdate:
    """What :meth:`step_inplace` needs besides the rule's state: scratch vectors and constants.

    The constants are numpy scalars of the parameters' dtype: the value a Python
    float takes when it meets such an array, without the cost of converting it
    on every call.

    Parameters
    ----------
    size : int
        Length of the parameter vector.
    dtype : numpy dtype
        Its dtype.
    rule : GradientDescent, Momentum or Adam
        The update rule whose constants are read.
    """

    def __init__(self, size, dtype, rule):
        self.scalar = np.dtype(dtype).type
        self.constants = {
            name: self.scalar(value)
            for name, value in vars(rule).items()
            if isinstance(value, float | int) and not isinstance(value, bool)
        }
        for beta in ("beta_1", "beta_2"):
            if beta in self.constants:
                self.constants["1 - " + beta] = self.scalar(1 - getattr(rule, beta))
        self.scratch = None  # see use_scratch
        self.mask = np.empty(size, bool)
        self.tiny = np.finfo(dtype).smallest_normal

    def use_scratch(self, spare):
        """Take the scratch vector from ``spare`` (a free buffer) if it is long enough.

        Between two batches the hidden-layer buffer of the batch workspace is
        free; when it holds as many values as the parameters, the update
        borrows it instead of holding a vector of its own.
        """
        size = self.mask.size
        if spare is not None and spare.size >= size:
            self.scratch = spare[:size]
        elif self.scratch is None or self.scratch.base is not None:
            self.scratch = np.empty(size, self.scalar)  # a vector of its own

    def set_learning_rate(self, learning_rate):
        """The learning rate of the coming epoch."""
        self.alpha = float(learning_rate)  # Adam's step size is computed in float64
        self.learning_rate = self.scalar(learning_rate)

    def flush_subnormal(self, P, nonnegative=False):
        """Set ``|P| < tiny`` to zero in place (see :func:`._array_api.flush_subnormal`)."""
        magnitude = P if nonnegative else np.abs(P, out=self.scratch)
        if np.less(magnitude, self.tiny, out=self.mask).any():
            np.copyto(P, 0, where=self.mask)


class LearningRateSchedule:
    """The learning rate of the iterative solvers, and what a stalled loss does to it.

    Parameters
    ----------
    kind : {'constant', 'invscaling', 'adaptive'}
        ``'constant'`` keeps ``alpha``; ``'invscaling'`` gives
        ``alpha / (samples_seen + 1) ** power_t`` at the start of each epoch, as
        ``MLPClassifier`` does; ``'adaptive'`` keeps the rate until the loss
        stalls, then divides it by 5.
    alpha : float
        The initial learning rate.
    power_t : float
        Exponent of ``'invscaling'``.
    learning_rate : float, default=None
        The current rate, to continue a schedule (``partial_fit``). ``None``
        starts it afresh at ``alpha``, as ``MLPClassifier`` does at every
        ``fit``, a warm-started one included: its first epoch runs at ``alpha``.
    """

    def __init__(self, kind, alpha, power_t, learning_rate=None):
        self.kind, self.alpha, self.power_t = kind, alpha, power_t
        self.learning_rate = alpha if learning_rate is None else learning_rate
        self.restarted = learning_rate is None

    def start_epoch(self, samples_seen):
        """The learning rate of the epoch that starts after ``samples_seen`` samples."""
        if self.kind == "invscaling" and not self.restarted:
            self.learning_rate = self.alpha / (samples_seen + 1) ** self.power_t
        elif self.kind == "constant":
            self.learning_rate = self.alpha
        self.restarted = False
        return self.learning_rate

    def trigger_stopping(self, verbose):
        """The loss has stalled: True to stop, or False once ``'adaptive'`` divided the rate.

        As ``MLPClassifier``: a rate at or below ``MIN_ADAPTIVE_LEARNING_RATE``
        stops training; a larger one is divided by 5 (and may end below it).
        """
        if self.kind != "adaptive" or self.learning_rate <= MIN_ADAPTIVE_LEARNING_RATE:
            return True
        self.learning_rate /= 5
        if verbose >= 2:
            print(f"Learning rate set to {self.learning_rate:g}")
        return False


# ------------------------------------------------------------------ L-BFGS


def pack(params):
    """Flatten a parameter dict into one float64 vector (for scipy)."""
    return np.concatenate([np.asarray(P, dtype=np.float64).ravel() for P in params.values()])


def unpack(theta, like):
    """Inverse of :func:`pack`: a dict shaped and typed like ``like``."""
    params, start = {}, 0
    for name, P in like.items():
        stop = start + P.size
        params[name] = theta[start:stop].reshape(P.shape).astype(P.dtype, copy=False)
        start = stop
    return params


def minimize_lbfgs(objective, params, *, max_iter, max_fun, tol, callback=None):
    """Minimise ``objective(params) -> (J, grads)`` with scipy's L-BFGS-B.

    Returns the optimal parameters (shaped like ``params``) and scipy's result.
    ``callback(params)`` is called after every iteration; returning ``True`` stops.
    """

    def fun(theta):
        J, grads = objective(unpack(theta, params))
        return J, pack({name: grads["d" + name] for name in params})

    def on_iteration(intermediate_result):
        if callback is not None and callback(unpack(intermediate_result.x, params)):
            raise StopIteration

    with _scipy_blas_single_threaded():
        result = scipy.optimize.minimize(
            fun,
            pack(params),
            method="L-BFGS-B",
            jac=True,
            callback=on_iteration,
            # scipy's relative-change test (ftol, 2.2e-9 by default) would stop before
            # a tighter tol could be met; it follows tol when tol asks for more.
            options={
                "maxiter": max_iter,
                "maxfun": max_fun,
                "gtol": tol,
                "ftol": min(tol, 2.2e-9),
            },
        )
    return unpack(result.x, params), result


def _scipy_blas_single_threaded():
    """Limit to one thread the BLAS that scipy's wheels bring besides numpy's.

    L-BFGS-B's own work is vector operations on the parameters, run by scipy's
    BLAS; where that is a second OpenBLAS (pip wheels), its threads keep
    spinning for a while after each call and take cores from the matrix
    products of the next objective, run by numpy's BLAS (measured on digits,
    2 cores: 0.66 s per fit, 0.21 s with this limit). With one thread that BLAS
    wakes no thread. A BLAS shared with numpy (conda, system libraries) is left
    as it is.
    """
    blas = scipy_blas()
    return contextlib.nullcontext() if blas is None else single_threaded("scipy", blas)
