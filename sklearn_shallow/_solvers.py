"""Update rules: what replaces the course's last step, ``W := W - alpha · dW``.

Each rule is a small object with the same two methods:

- ``init_state(params) -> state``: the optimiser's memory (a dict of arrays and
  scalars, empty for plain gradient descent);
- ``step(params, grads, state, learning_rate) -> (params, state)``: one update,
  returning new dicts and leaving its arguments unchanged.

The L-BFGS solver is not a per-step rule; :func:`minimize_lbfgs` runs scipy's
L-BFGS-B over the flattened parameters with the same ``loss`` and ``backward``.
"""

import contextlib
import math

import numpy as np
import scipy.optimize

from ._blas import scipy_blas, single_threaded
from .network import _flush_subnormal, _namespace, update


class GradientDescent:
    """The course's update: ``W := W - alpha · dW`` (:func:`network.update`)."""

    def init_state(self, params):
        return {}

    def step(self, params, grads, state, learning_rate):
        return update(params, grads, learning_rate), state


class Momentum:
    """Gradient descent with (Nesterov's) momentum, as in ``MLPClassifier``.

    ``V := momentum · V - alpha · dW`` then ``W := W + V`` (classical), or
    ``W := W + momentum · V - alpha · dW`` (Nesterov's look-ahead form).
    """

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = momentum
        self.nesterov = nesterov

    def init_state(self, params):
        xp = _namespace(params["W1"])
        return {"V" + name: xp.zeros_like(P) for name, P in params.items()}

    def step(self, params, grads, state, learning_rate):
        xp = _namespace(params["W1"])
        new_params, new_state = {}, {}
        for name, P in params.items():
            dP = grads["d" + name]
            V = _flush_subnormal(self.momentum * state["V" + name] - learning_rate * dP, xp)
            if self.nesterov:
                P = P + self.momentum * V - learning_rate * dP
            else:
                P = P + V
            new_params[name] = _flush_subnormal(P, xp)
            new_state["V" + name] = V
        return new_params, new_state


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
        xp = _namespace(params["W1"])
        state = {"t": 0}
        for name, P in params.items():
            state["M" + name] = xp.zeros_like(P)
            state["S" + name] = xp.zeros_like(P)
        return state

    def step(self, params, grads, state, learning_rate):
        xp = _namespace(params["W1"])
        t = state["t"] + 1
        # A Python float, so that float32 parameters stay float32 (NEP 50).
        step_size = float(learning_rate) * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        new_params, new_state = {}, {"t": t}
        for name, P in params.items():
            dP = grads["d" + name]
            M = self.beta_1 * state["M" + name] + (1 - self.beta_1) * dP
            S = self.beta_2 * state["S" + name] + (1 - self.beta_2) * (dP * dP)
            P = P - step_size * M / (xp.sqrt(S) + self.epsilon)
            new_params[name] = _flush_subnormal(P, xp)
            new_state["M" + name] = _flush_subnormal(M, xp)
            new_state["S" + name] = _flush_subnormal(S, xp)
        return new_params, new_state


def make_update_rule(solver, *, momentum, nesterovs_momentum, beta_1, beta_2, epsilon):
    """The update rule for an iterative solver name (``'gd'``, ``'sgd'``, ``'adam'``)."""
    if solver == "adam":
        return Adam(beta_1, beta_2, epsilon)
    if solver == "sgd" and momentum > 0:
        return Momentum(momentum, nesterovs_momentum)
    return GradientDescent()


def scheduled_learning_rate(schedule, alpha, samples_seen, power_t):
    """Learning rate at the start of an epoch (``'constant'`` or ``'invscaling'`` schedule).

    ``'constant'`` keeps ``alpha``; ``'invscaling'`` gives
    ``alpha / (samples_seen + 1) ** power_t``, as ``MLPClassifier`` does. (The
    ``'adaptive'`` rate is divided by 5 by the stopping logic, not here.)
    """
    if schedule == "invscaling":
        return alpha / (samples_seen + 1) ** power_t
    return alpha


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
