"""Activation functions, each beside its derivative, and the output layers.

Every function takes its array namespace ``xp`` explicitly so that the same code
runs on numpy, array-api-strict, PyTorch or CuPy arrays.

``ACTIVATIONS`` is keyed by the strings that the estimator validates
(``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"``). Each entry holds the
function ``g(Z, xp)`` and its derivative ``g_prime(Z, A, xp)``; the derivative
receives both ``Z`` and ``A = g(Z)`` because for sigmoid and tanh it is cheapest
written in terms of ``A``.
"""

from collections.abc import Callable
from typing import NamedTuple

from scipy.special import expit
from sklearn.utils._array_api import _is_numpy_namespace


class Activation(NamedTuple):
    """An activation ``g`` and its derivative ``g'``."""

    function: Callable
    derivative: Callable


def sigmoid(Z, xp):
    """Logistic sigmoid ``1 / (1 + exp(-Z))``, computed without overflow."""
    if _is_numpy_namespace(xp):
        # scipy's expit is exact in both tails and faster than the branches below.
        return expit(Z)
    # exp(-|Z|) lies in (0, 1], so neither branch can overflow for any finite Z.
    E = xp.exp(-xp.abs(Z))
    return xp.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))


def sigmoid_derivative(Z, A, xp):
    """``g'(Z) = A (1 - A)`` for ``A = sigmoid(Z)``."""
    return A * (1.0 - A)


def tanh(Z, xp):
    """Hyperbolic tangent."""
    return xp.tanh(Z)


def tanh_derivative(Z, A, xp):
    """``g'(Z) = 1 - A**2`` for ``A = tanh(Z)``."""
    return 1.0 - A * A


def relu(Z, xp):
    """Rectified linear unit ``max(Z, 0)``."""
    return xp.maximum(Z, xp.zeros_like(Z))


def relu_derivative(Z, A, xp):
    """``g'(Z) = 1`` where ``Z > 0``, else ``0`` (the sub-gradient at 0 is 0)."""
    return xp.astype(Z > 0, Z.dtype)


def identity(Z, xp):
    """Identity ``g(Z) = Z``."""
    return Z


def identity_derivative(Z, A, xp):
    """``g'(Z) = 1``."""
    return xp.ones_like(Z)


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_derivative),
    "tanh": Activation(tanh, tanh_derivative),
    "relu": Activation(relu, relu_derivative),
    "identity": Activation(identity, identity_derivative),
}


def softmax(Z, xp):
    """Softmax over the rows of ``Z`` (classes are rows, samples are columns).

    Subtracting each column's maximum leaves the result unchanged and keeps every
    exponent <= 0, so nothing overflows.
    """
    E = xp.exp(Z - xp.max(Z, axis=0, keepdims=True))
    return E / xp.sum(E, axis=0, keepdims=True)


OUTPUTS = {"sigmoid": sigmoid, "softmax": softmax}
