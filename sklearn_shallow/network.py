"""The four steps of gradient descent for a neural network, as pure functions.

This module is the course's algorithm, written so that it can be read against the
equations. Samples are **columns**: ``X`` has shape ``(n0, m)`` and ``Y`` has
shape ``(n_out, m)``. For the one-hidden-layer network of the course
(``layer_sizes = [n0, n1, n2]``)::

    Z1 = W1 · X + b1              dZ2 = A2 - Y
    A1 = g(Z1)                    dW2 = (1/m) dZ2 · A1ᵀ
    Z2 = W2 · A1 + b2             db2 = (1/m) Σ_columns dZ2
    A2 = σ(Z2)                    dZ1 = (W2ᵀ · dZ2) * g'(Z1)
                                  dW1 = (1/m) dZ1 · Xᵀ
                                  db1 = (1/m) Σ_columns dZ1

    W := W - alpha · dW           b := b - alpha · db

The same functions handle any number of layers (``layer_sizes = [n0, n1, ...,
nC]``, parameters ``W1, b1, ..., WC, bC``), as in the course's last section.

Every function returns new arrays and never modifies its arguments. None of them
validates its input the way an estimator does: they are the inner loop. They work
on numpy arrays (``X`` may also be a scipy sparse matrix) and on any array
namespace that follows the array API standard (the namespace is taken from the
parameters).
"""

import numpy as np
from sklearn.utils import check_random_state

from ._activations import ACTIVATIONS, OUTPUTS
from ._array_api import flush_subnormal, namespace
from ._objective import cost

__all__ = ["initialize", "forward", "backward", "update", "loss", "gradient_check"]


def _n_layers(params):
    return len(params) // 2


def _column_weights(Y, sample_weight, xp):
    """Return ``m`` (the total weight) and the per-column factor ``w / m``.

    Without weights every column counts once, so ``m`` is the number of samples
    and the factor is the scalar ``1 / m``.
    """
    if sample_weight is None:
        m = Y.shape[1]
        return m, 1.0 / m
    w = xp.reshape(sample_weight, (1, -1))
    m = xp.sum(w)
    return m, w / m


def initialize(layer_sizes, *, random_state=None, dtype=np.float64):
    """Initialise the weights at random and the biases at zero.

    Weights are drawn uniformly in ``[-r, r]`` with ``r = sqrt(6 / (n_in + n_out))``
    (Glorot & Bengio, 2010): random, so that the hidden units do not all compute
    the same function (symmetry is broken), and small enough that no unit starts
    deep in the flat part of its activation.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n0, n1, n2]`` for the course's network (inputs, hidden units,
        outputs); a longer sequence gives more hidden layers.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of the weights.
    dtype : numpy dtype, default=numpy.float64
        Floating dtype of every parameter.

    Returns
    -------
    params : dict of ndarray
        ``{"W1": (n1, n0), "b1": (n1, 1), "W2": (n2, n1), "b2": (n2, 1), ...}``.

    Examples
    --------
    >>> from sklearn_shallow.network import initialize
    >>> params = initialize([4, 3, 1], random_state=0)
    >>> {name: P.shape for name, P in params.items()}
    {'W1': (3, 4), 'b1': (3, 1), 'W2': (1, 3), 'b2': (1, 1)}
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            "layer_sizes must hold at least two positive sizes "
            f"([n0, n1, ...]); got layer_sizes={list(layer_sizes)!r}."
        )
    rng = check_random_state(random_state)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        bound = np.sqrt(6.0 / (n_in + n_out))
        W = rng.uniform(-bound, bound, size=(n_out, n_in))
        params[f"W{l}"] = W.astype(dtype, copy=False)
        params[f"b{l}"] = np.zeros((n_out, 1), dtype=dtype)
    return params


def forward(X, params, *, activation="tanh", output="sigmoid"):
    """Forward propagation: ``Z = W · A_prev + b``, ``A = g(Z)``, layer by layer.

    Parameters
    ----------
    X : array of shape (n0, m)
        Inputs, one sample per column (a scipy sparse matrix is accepted).
    params : dict of arrays
        ``W1, b1, ..., WC, bC`` as returned by :func:`initialize`.
    activation : {'tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity'}, default='tanh'
        Hidden-layer activation ``g``.
    output : {'sigmoid', 'softmax', 'identity', 'exp'}, default='sigmoid'
        Output activation ``σ``: sigmoid for binary and multilabel targets,
        softmax for multiclass targets, identity (squared error) and exp
        (Poisson deviance) for regression.

    Returns
    -------
    A_out : array of shape (n_out, m)
        The network's output ``A2`` (``AC`` for C layers).
    cache : dict of arrays
        ``Z1, A1, ..., ZC, AC``: what :func:`backward` needs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.network import initialize, forward
    >>> params = initialize([2, 3, 1], random_state=0)
    >>> X = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.5]])
    >>> A2, cache = forward(X, params)
    >>> A2.shape, cache["A1"].shape
    ((1, 3), (3, 3))
    """
    xp = namespace(params["W1"])
    g = ACTIVATIONS[activation].function
    L = _n_layers(params)
    cache = {}
    A = X
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = g(Z, xp) if l < L else OUTPUTS[output](Z, xp)
        cache[f"Z{l}"] = Z
        cache[f"A{l}"] = A
    return A, cache


def backward(
    X,
    Y,
    params,
    cache,
    *,
    activation="tanh",
    output="sigmoid",
    sample_weight=None,
    l2=0.0,
):
    """Backward propagation: the gradients of :func:`loss` for every parameter.

    With sample weights ``w``, ``m`` stands for ``Σ w`` and each column of ``dZ``
    is weighted by its sample's weight.

    Parameters
    ----------
    X : array of shape (n0, m)
        The inputs given to :func:`forward`.
    Y : array of shape (n_out, m)
        Targets: 0/1 indicators (one-hot columns for softmax), or real values
        for the regression outputs (``y >= 0`` for exp).
    params : dict of arrays
        The parameters given to :func:`forward`.
    cache : dict of arrays
        The cache returned by :func:`forward`.
    activation : {'tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity'}, default='tanh'
        Hidden-layer activation (its derivative ``g'`` is used).
    output : {'sigmoid', 'softmax', 'identity', 'exp'}, default='sigmoid'
        Output activation used in :func:`forward`.
    sample_weight : array of shape (m,), default=None
        Non-negative weight of each sample.
    l2 : float, default=0.0
        Strength of the L2 penalty ``(l2 / 2m) Σ ‖W‖²`` (biases not penalised).

    Returns
    -------
    grads : dict of arrays
        ``dW1, db1, ..., dWC, dbC``, each of its parameter's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.network import initialize, forward, backward
    >>> params = initialize([2, 3, 1], random_state=0)
    >>> X = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.5]])
    >>> Y = np.array([[1.0, 0.0, 1.0]])
    >>> A2, cache = forward(X, params)
    >>> grads = backward(X, Y, params, cache)
    >>> grads["db1"].shape
    (3, 1)
    """
    xp = namespace(params["W1"])
    g_prime = ACTIVATIONS[activation].derivative
    L = _n_layers(params)
    m, column_weight = _column_weights(Y, sample_weight, xp)

    # With sigmoid + binary cross-entropy, softmax + categorical cross-entropy,
    # identity + half squared error and exp + half Poisson deviance (each cost
    # with its canonical link), dJ/dZ for one sample is A - Y: the output
    # derivative cancels the loss's. Every later gradient is linear in dZ, so the factor
    # w / m (1/m without weights) is applied once here and carried down.
    dZ = (cache[f"A{L}"] - Y) * column_weight
    grads = {}
    for l in range(L, 0, -1):
        A_prev = X if l == 1 else cache[f"A{l - 1}"]
        W = params[f"W{l}"]
        dW = dZ @ A_prev.T
        if l2:
            dW = dW + (l2 / m) * W
        grads[f"dW{l}"] = dW
        # keepdims: db must stay a column (n_l, 1), never a rank-1 array that
        # would broadcast into an (n_l, n_l) matrix in the update.
        grads[f"db{l}"] = xp.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dZ = (W.T @ dZ) * g_prime(cache[f"Z{l - 1}"], cache[f"A{l - 1}"], xp)
    return {"d" + name: grads["d" + name] for name in params}


def update(params, grads, alpha):
    """Gradient-descent update ``W := W - alpha · dW``, ``b := b - alpha · db``.

    Entries that fall below the smallest normal float are set to zero (see
    the User Guide on subnormal numbers); nothing else is changed.

    Parameters
    ----------
    params : dict of arrays
        Current parameters.
    grads : dict of arrays
        Gradients from :func:`backward` (keys ``"d" + name``).
    alpha : float
        Learning rate.

    Returns
    -------
    new_params : dict of arrays
        New arrays; ``params`` and ``grads`` are left unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.network import update
    >>> update({"W1": np.ones((1, 1)), "b1": np.zeros((1, 1))},
    ...        {"dW1": np.full((1, 1), 2.0), "db1": np.ones((1, 1))}, 0.1)
    {'W1': array([[0.8]]), 'b1': array([[-0.1]])}
    """
    xp = namespace(params["W1"])
    return {name: flush_subnormal(P - alpha * grads["d" + name], xp) for name, P in params.items()}


def loss(A_out, Y, *, output="sigmoid", sample_weight=None, params=None, l2=0.0):
    """Mean cost of the outputs (cross-entropy, squared error or Poisson), plus the L2 penalty.

    For ``output='sigmoid'``: ``J = -(1/m) Σ_samples Σ_units [y log a + (1-y)
    log(1-a)]`` (summed over the labels of a multilabel sample). For
    ``output='softmax'``: ``J = -(1/m) Σ_samples Σ_k y_k log a_k``. For
    ``output='identity'``: ``J = (1/2m) Σ_samples ‖a - y‖²``. For
    ``output='exp'``: ``J = (1/m) Σ_samples Σ_units (a - y log a)``, the half
    Poisson deviance less a term in ``y`` alone. With ``params`` and ``l2 > 0``
    the term ``(l2 / 2m) Σ ‖W‖²`` is added. Probabilities are clipped to
    ``[eps, 1 - eps]`` so that a saturated output gives a large, finite loss
    rather than ``inf``.

    Parameters
    ----------
    A_out : array of shape (n_out, m)
        Output of :func:`forward`.
    Y : array of shape (n_out, m)
        Targets (0/1 indicators, or real values for regression outputs).
    output : {'sigmoid', 'softmax', 'identity', 'exp'}, default='sigmoid'
        Output activation that produced ``A_out``.
    sample_weight : array of shape (m,), default=None
        Non-negative weight of each sample; ``m`` then means ``Σ w``.
    params : dict of arrays, default=None
        Parameters, needed only for the L2 term.
    l2 : float, default=0.0
        L2 penalty strength.

    Returns
    -------
    J : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.network import loss
    >>> round(loss(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])), 6)
    0.693147
    """
    return float(cost(A_out, Y, output, sample_weight, params, l2))


def gradient_check(
    X,
    Y,
    params,
    *,
    activation="tanh",
    output="sigmoid",
    sample_weight=None,
    l2=0.0,
    epsilon=1e-6,
):
    """Compare :func:`backward` with central finite differences of :func:`loss`.

    Each parameter entry ``θ`` is moved by ``±epsilon`` and
    ``(J(θ + ε) - J(θ - ε)) / 2ε`` is compared with the analytic gradient. For each
    parameter array the relative difference ``‖num - ana‖ / (‖num‖ + ‖ana‖)`` is
    computed; the largest one is returned. Values around ``1e-7`` or below mean
    the gradients agree; ``1e-3`` or more points to a bug. Use float64 arrays
    and a small network: the cost is two forward passes per parameter entry.

    Parameters
    ----------
    X : ndarray of shape (n0, m)
    Y : ndarray of shape (n_out, m)
    params : dict of ndarray
    activation : {'tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity'}, default='tanh'
    output : {'sigmoid', 'softmax', 'identity', 'exp'}, default='sigmoid'
    sample_weight : ndarray of shape (m,), default=None
    l2 : float, default=0.0
    epsilon : float, default=1e-6
        Step of the finite differences.

    Returns
    -------
    difference : float
        Largest relative difference over the parameter arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.network import initialize, gradient_check
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.randn(3, 10), (rng.rand(1, 10) > 0.5).astype(float)
    >>> params = initialize([3, 4, 1], random_state=0)
    >>> gradient_check(X, Y, params) < 1e-7
    True
    """
    options = dict(activation=activation, output=output)
    weighting = dict(sample_weight=sample_weight, l2=l2)

    def cost(candidate):
        A_out, _ = forward(X, candidate, **options)
        return loss(A_out, Y, output=output, params=candidate, **weighting)

    _, cache = forward(X, params, **options)
    grads = backward(X, Y, params, cache, **options, **weighting)
    worst = 0.0
    for name, P in params.items():
        P = np.asarray(P)
        numeric = np.empty(P.shape)
        for index in np.ndindex(P.shape):
            plus, minus = P.copy(), P.copy()
            plus[index] += epsilon
            minus[index] -= epsilon
            numeric[index] = (cost({**params, name: plus}) - cost({**params, name: minus})) / (
                2 * epsilon
            )
        analytic = np.asarray(grads["d" + name])
        scale = np.linalg.norm(numeric) + np.linalg.norm(analytic)
        if scale > 0:
            worst = max(worst, float(np.linalg.norm(numeric - analytic) / scale))
    return worst
