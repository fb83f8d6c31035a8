"""The cost ``J`` that training minimises: each output's cross-entropy, weights and the L2 term.

:func:`.network.loss` returns :func:`cost` as a Python float; the training loop
keeps it as a 0-d array of the data's namespace, so that a GPU is not made to
wait for a float at every batch.
"""

from ._array_api import namespace


def _binary_cross_entropy(A, Y, xp):
    """``-[y log a + (1 - y) log(1 - a)]`` per sample, summed over its output units."""
    return -xp.sum(Y * xp.log(A) + (1.0 - Y) * xp.log(1.0 - A), axis=0)


def _categorical_cross_entropy(A, Y, xp):
    """``-Σ_k y_k log a_k`` per sample."""
    return -xp.sum(Y * xp.log(A), axis=0)


#: The cost per sample of each output activation: the pair for which ``dZ2 = A2 - Y``.
PER_SAMPLE_COSTS = {"sigmoid": _binary_cross_entropy, "softmax": _categorical_cross_entropy}


def cost(A_out, Y, output, sample_weight, params, l2):
    """:func:`.network.loss` as a 0-d array of ``A_out``'s namespace (no copy to the host).

    ``A_out`` is clipped to ``[eps, 1 - eps]`` so that a saturated output gives a
    large, finite cost rather than ``inf``.
    """
    xp = namespace(A_out)
    eps = xp.finfo(A_out.dtype).eps
    per_sample = PER_SAMPLE_COSTS[output](xp.clip(A_out, eps, 1.0 - eps), Y, xp)
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
