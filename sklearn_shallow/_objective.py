"""The cost ``J`` that training minimises: each output's cost, weights and the L2 term.

Every output activation is paired with the cost whose canonical link it is, so
that ``dJ/dZ2 = A2 - Y`` per sample for all of them (design.md, "Outputs and
costs: one rule"): the cross-entropies for sigmoid and softmax, half the squared
error for the identity, the half Poisson deviance (up to a term in ``y`` alone)
for exp.

:func:`.network.loss` returns :func:`cost` as a Python float; the training loop
keeps it as a 0-d array of the data's namespace, so that a GPU is not made to
wait for a float at every batch.
"""

from ._array_api import namespace


def _probabilities(A, xp):
    """``A`` clipped to ``[eps, 1 - eps]``: a saturated probability gives a large, finite cost."""
    eps = xp.finfo(A.dtype).eps
    return xp.clip(A, eps, 1.0 - eps)


def _binary_cross_entropy(A, Y, xp):
    """``-[y log a + (1 - y) log(1 - a)]`` per sample, summed over its output units."""
    A = _probabilities(A, xp)
    return -xp.sum(Y * xp.log(A) + (1.0 - Y) * xp.log(1.0 - A), axis=0)


def _categorical_cross_entropy(A, Y, xp):
    """``-Σ_k y_k log a_k`` per sample."""
    A = _probabilities(A, xp)
    return -xp.sum(Y * xp.log(A), axis=0)


def _half_squared_error(A, Y, xp):
    """``½ ‖a - y‖²`` per sample, summed over its outputs.

    ``MLPRegressor``'s squared loss also divides by the number of outputs; ours
    does not, so that ``dZ2 = A2 - Y`` holds unscaled for several outputs too.
    """
    return 0.5 * xp.sum((A - Y) ** 2, axis=0)


def _half_poisson_deviance(A, Y, xp):
    """``a - y log a`` per sample (half the Poisson deviance less a term in ``y`` only).

    ``a = exp(z)`` is never clipped (it is no probability); only the argument of
    the logarithm is kept at or above the smallest normal float, so that an
    output that underflowed to 0 gives a large cost instead of ``0 · log 0 = NaN``.
    """
    tiny = xp.finfo(A.dtype).smallest_normal
    return xp.sum(A - Y * xp.log(xp.clip(A, tiny, None)), axis=0)


#: The cost per sample of each output activation: the pair for which ``dZ2 = A2 - Y``.
PER_SAMPLE_COSTS = {
    "sigmoid": _binary_cross_entropy,
    "softmax": _categorical_cross_entropy,
    "identity": _half_squared_error,
    "exp": _half_poisson_deviance,
}


def cost(A_out, Y, output, sample_weight, params, l2):
    """:func:`.network.loss` as a 0-d array of ``A_out``'s namespace (no copy to the host).

    Probabilities (sigmoid and softmax outputs) are clipped to ``[eps, 1 - eps]``
    so that a saturated output gives a large, finite cost rather than ``inf``;
    regression outputs are not clipped.
    """
    xp = namespace(A_out)
    per_sample = PER_SAMPLE_COSTS[output](A_out, Y, xp)
    if sample_weight is None:
        m = Y.shape[1]
        J = xp.sum(per_sample) / m
    else:
        m = xp.sum(sample_weight)
        J = xp.sum(per_sample * sample_weight) / m
    if l2 and params is not None:
        n_layers = len(params) // 2
        squares = sum(xp.sum(params[f"W{l}"] ** 2) for l in range(1, n_layers + 1))
        J = J + (l2 / (2 * m)) * squares
    return J
