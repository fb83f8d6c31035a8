"""Activation functions: one registry entry per activation, everything about it in one place.

``ACTIVATIONS`` is keyed by the strings that the estimator validates. Each entry
holds, side by side:

- ``function`` ``g(Z, xp)`` and ``derivative`` ``g'(Z, A, xp)``, pure and written
  for any array namespace ``xp`` (the reference steps of :mod:`.network`); the
  derivative receives both ``Z`` and ``A = g(Z)`` because for sigmoid and tanh it
  is cheapest written in terms of ``A``;
- ``inplace`` and ``inplace_derivative``, the same maths on numpy buffers for
  the private fast path (:mod:`._fast`): ``inplace(H, view)`` turns ``Z1ᵀ`` into
  ``A1ᵀ`` in ``H``; ``inplace_derivative(H, dH, view)`` multiplies ``dH`` by
  ``g'(Z1)ᵀ`` and may overwrite ``H``. ``view`` holds the extra buffers named in
  ``buffers`` (``"mask"``: booleans, ``"scratch"``: floats, both shaped as ``H``);
- ``derivative_reads_A``: False when ``g'`` needs only what ``inplace`` kept (a
  mask), so that ``dH`` may be written over ``H``;
- ``onnx``: the ONNX operator and its attributes (:mod:`.onnx`).

A new activation is one entry here: the estimator's parameter constraints, the
fast path and the ONNX converter read this registry.

``OUTPUTS`` holds the output activations ``σ``: sigmoid and softmax for
classifiers, identity and exp for regressors; each is paired with the cost whose
canonical link it is in :mod:`._objective`, so that ``dZ2 = A2 - Y`` for all.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit, log_expit

from ._array_api import is_numpy

#: Slope of ``leaky_relu`` for negative inputs.
LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    """A hidden activation ``g``: its pure and in-place forms and its ONNX operator."""

    function: Callable
    derivative: Callable
    inplace: Callable
    inplace_derivative: Callable
    derivative_reads_A: bool
    buffers: tuple
    onnx: tuple


# ---------------------------------------------------------------- sigmoid


def sigmoid(Z, xp):
    """Logistic sigmoid ``1 / (1 + exp(-Z))``, computed without overflow."""
    if is_numpy(xp):
        # scipy's expit is exact in both tails and faster than the branches below.
        return expit(Z)
    # exp(-|Z|) lies in (0, 1], so neither branch can overflow for any finite Z.
    E = xp.exp(-xp.abs(Z))
    return xp.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))


def sigmoid_derivative(Z, A, xp):
    """``g'(Z) = A (1 - A)`` for ``A = sigmoid(Z)``."""
    return A * (1.0 - A)


def _sigmoid_inplace(H, view):
    expit(H, out=H)


def _sigmoid_derivative_inplace(H, dH, view):
    # A (1 - A), rounded as in the pure form: the product needs a second buffer.
    np.multiply(H, np.subtract(1, H, out=view["scratch"]), out=H)
    np.multiply(dH, H, out=dH)


_SIGMOID = (sigmoid, sigmoid_derivative, _sigmoid_inplace, _sigmoid_derivative_inplace)


# ------------------------------------------------------------------- tanh


def tanh(Z, xp):
    """Hyperbolic tangent."""
    return xp.tanh(Z)


def tanh_derivative(Z, A, xp):
    """``g'(Z) = 1 - A**2`` for ``A = tanh(Z)``."""
    return 1.0 - A * A


def _tanh_inplace(H, view):
    np.tanh(H, out=H)


def _tanh_derivative_inplace(H, dH, view):
    np.multiply(H, H, out=H)
    np.multiply(dH, np.subtract(1, H, out=H), out=dH)


_TANH = (tanh, tanh_derivative, _tanh_inplace, _tanh_derivative_inplace)


# ------------------------------------------------------------------- relu


def relu(Z, xp):
    """Rectified linear unit ``max(Z, 0)``."""
    return xp.maximum(Z, xp.zeros_like(Z))


def relu_derivative(Z, A, xp):
    """``g'(Z) = 1`` where ``Z > 0``, else ``0`` (the sub-gradient at 0 is 0)."""
    return xp.astype(Z > 0, Z.dtype)


def _relu_inplace(H, view):
    np.maximum(H, H.dtype.type(0), out=H)
    # A1 > 0 exactly where Z1 > 0: the derivative, kept for the backward pass,
    # which then may write dZ1 over A1.
    np.greater(H, 0, out=view["mask"])


def _relu_derivative_inplace(H, dH, view):
    # Multiplying by the boolean mask is multiplying by the 0/1 derivative, as
    # the pure form does.
    np.multiply(dH, view["mask"], out=dH)


_RELU = (relu, relu_derivative, _relu_inplace, _relu_derivative_inplace)


# ------------------------------------------------------------- leaky relu


def leaky_relu(Z, xp):
    """Leaky rectified linear unit: ``Z`` where ``Z > 0``, else ``0.01 Z``."""
    return xp.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_derivative(Z, A, xp):
    """``g'(Z) = 1`` where ``Z > 0``, else ``0.01``."""
    return xp.where(Z > 0, xp.ones_like(Z), xp.full_like(Z, LEAKY_SLOPE))


def _leaky_relu_inplace(H, view):
    # The mask marks Z1 <= 0, where both g and g' take the slope.
    mask = np.less_equal(H, 0, out=view["mask"])
    np.multiply(H, H.dtype.type(LEAKY_SLOPE), out=H, where=mask)


def _leaky_relu_derivative_inplace(H, dH, view):
    # Elsewhere g' = 1: dH is kept as it is, which is what multiplying by 1 gives.
    np.multiply(dH, dH.dtype.type(LEAKY_SLOPE), out=dH, where=view["mask"])


_LEAKY_RELU = (
    leaky_relu,
    leaky_relu_derivative,
    _leaky_relu_inplace,
    _leaky_relu_derivative_inplace,
)
_LEAKY_ONNX = {"alpha": LEAKY_SLOPE}  # ONNX's LeakyRelu calls its slope alpha


# --------------------------------------------------------------- identity


def identity(Z, xp):
    """Identity ``g(Z) = Z``."""
    return Z


def identity_derivative(Z, A, xp):
    """``g'(Z) = 1``."""
    return xp.ones_like(Z)


def _identity_inplace(H, view):
    pass


def _identity_derivative_inplace(H, dH, view):
    pass


_IDENTITY = (identity, identity_derivative, _identity_inplace, _identity_derivative_inplace)


#: ``Activation(g, g', in-place g, in-place g', g' reads A1, buffers, ONNX operator)``
ACTIVATIONS = {
    "sigmoid": Activation(*_SIGMOID, True, ("scratch",), ("Sigmoid", {})),
    "tanh": Activation(*_TANH, True, (), ("Tanh", {})),
    "relu": Activation(*_RELU, False, ("mask",), ("Relu", {})),
    "leaky_relu": Activation(*_LEAKY_RELU, False, ("mask",), ("LeakyRelu", _LEAKY_ONNX)),
    "identity": Activation(*_IDENTITY, False, (), ("Identity", {})),
}


# ----------------------------------------------------------------- outputs


def softmax(Z, xp):
    """Softmax over the rows of ``Z`` (classes are rows, samples are columns).

    Subtracting each column's maximum leaves the result unchanged and keeps every
    exponent <= 0, so nothing overflows.
    """
    E = xp.exp(Z - xp.max(Z, axis=0, keepdims=True))
    return E / xp.sum(E, axis=0, keepdims=True)


def log_sigmoid(Z, xp):
    """``log σ(Z) = -log(1 + exp(-Z))``, finite where ``σ(Z)`` underflows to 0."""
    if is_numpy(xp):
        return log_expit(Z)
    # min(z, 0) - log(1 + exp(-|z|)): the exponent is <= 0, nothing overflows.
    return xp.where(Z < 0, Z, xp.zeros_like(Z)) - xp.log1p(xp.exp(-xp.abs(Z)))


def log_softmax(Z, xp):
    """``log softmax(Z)`` over the rows of ``Z``: ``Z - max - log Σ exp(Z - max)``."""
    shifted = Z - xp.max(Z, axis=0, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=0, keepdims=True))


def exponential(Z, xp):
    """``exp(Z)``: the output of a Poisson regression (positive, the mean of a count)."""
    return xp.exp(Z)


#: Output activations ``σ``, keyed by name: the classifiers' sigmoid and softmax,
#: the regressors' identity (squared error) and exp (Poisson deviance).
OUTPUTS = {"sigmoid": sigmoid, "softmax": softmax, "identity": identity, "exp": exponential}
