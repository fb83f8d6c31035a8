"""How much memory a fit will take, checked before anything is allocated.

A network too large for the machine would otherwise draw its weights, build the
optimiser state and fail only when the batch buffers are allocated, seconds and
gigabytes later. :func:`check_fit_memory` compares an estimate of the fit's
arrays with what the process can still get, and refuses at once with a
``MemoryError`` that gives the estimate and names what to reduce.
"""

import math
from dataclasses import dataclass

from ._activations import ACTIVATIONS

try:
    import resource
except ImportError:  # not on Windows: no address-space limit to read
    resource = None

#: Moments per parameter kept by each iterative solver's update rule.
_MOMENTS = {"gd": 0, "sgd": 1, "adam": 2}
#: L-BFGS-B keeps 10 pairs of float64 vectors, plus its own work vectors.
_LBFGS_VECTORS = 2 * 10 + 6


@dataclass(frozen=True)
class FitSize:
    """The sizes that decide a fit's memory.

    ``batch_size`` is the number of samples the batch buffers hold at once
    (:func:`._fast.buffer_rows` on the fast path); ``fast`` says whether the fit
    runs on the fast path's buffers or through the pure steps.
    """

    n_samples: int
    n_features: int
    n1: int
    n_outputs: int
    batch_size: int
    n_val: int
    solver: str
    itemsize: int
    activation: str = "relu"
    fast: bool = True
    scaled_copy: bool = False

    @property
    def n_params(self):
        return self.n1 * self.n_features + self.n1 + self.n_outputs * self.n1 + self.n_outputs


def estimate(size):
    """Bytes of the arrays a fit holds at its peak, by part (a dict of what, bytes).

    The data is counted once (validation may copy ``X``; ``y`` is encoded as
    ``Y``), and ``X`` once more where ``input_scaling`` makes a scaled copy. The
    parameters are counted three times (the initial draw, in float64, the
    trained copy and the copy kept as ``params_``), the gradients and scratch
    vector once each, and the moments of the update rule. The batch buffers hold
    the hidden layer of a batch as many times as the path needs: the fast path
    ``A1`` in place of ``Z1``, plus ``dZ1`` or the activation's mask or scratch
    buffer (see :data:`._activations.ACTIVATIONS`); the pure steps ``Z1``,
    ``A1``, ``g'(Z1)``, ``W2ᵀ · dZ2`` and ``dZ1``. Scoring the validation set
    holds its hidden layer twice.
    """
    P, item = size.n_params, size.itemsize
    n_X_copies = 1 + size.scaled_copy
    parts = {
        "weights and gradients": P * (8 + 4 * item),
        "optimiser state": P * item * _MOMENTS.get(size.solver, 0),
        "batch buffers": math.ceil(
            size.batch_size * (size.n1 * _hidden_copies(size) * item + size.n_outputs * 4 * item)
        ),
        "validation scores": 2 * size.n_val * (size.n1 + size.n_outputs) * item,
        "data": size.n_samples * (n_X_copies * size.n_features + size.n_outputs) * item,
    }
    if size.solver == "lbfgs":
        parts["optimiser state"] = 8 * P * _LBFGS_VECTORS
    return parts


def _hidden_copies(size):
    """How many arrays of the batch's hidden layer a step holds at once (masks count 1/8)."""
    if not size.fast:
        return 5
    g = ACTIVATIONS[size.activation]
    return 1 + g.derivative_reads_A + ("scratch" in g.buffers) + ("mask" in g.buffers) / 8


def available():
    """Bytes this process can still allocate, or None where that is not known.

    The smaller of the memory the system reports available (Linux's
    ``MemAvailable``) and what an address-space limit (``ulimit -v``) leaves.
    """
    limits = []
    meminfo = _read_kib("/proc/meminfo", "MemAvailable:")
    if meminfo is not None:
        limits.append(meminfo)
    if resource is not None:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        used = _read_kib("/proc/self/status", "VmSize:")
        if soft != resource.RLIM_INFINITY and used is not None:
            limits.append(max(soft - used, 0))
    return min(limits) if limits else None


def _read_kib(path, field):
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(field):
                    return 1024 * int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_fit_memory(size, name):
    """Raise ``MemoryError`` when a fit of ``size`` needs more than the process can get.

    Parameters
    ----------
    size : FitSize
        The sizes of the fit.
    name : str
        The estimator, for the message.
    """
    parts = estimate(size)
    needed = sum(parts.values())
    can_get = available()
    if can_get is None or needed <= can_get:
        return
    largest = ", ".join(
        f"{what} {_gib(value)}" for what, value in sorted(parts.items(), key=lambda p: -p[1])
    )
    raise MemoryError(
        f"{name}(n1={size.n1}) on {size.n_samples} samples x {size.n_features} features "
        f"needs about {_gib(needed)} ({largest}), more than the {_gib(can_get)} this "
        f"process can get. Reduce n1 (the weights are {size.n_params:,} numbers) or "
        "batch_size, or use float32 data; nothing was allocated and the estimator is "
        "unchanged."
    )


def _gib(n_bytes):
    return (
        f"{n_bytes / 2**30:.3g} GiB" if n_bytes >= 2**30 else f"{math.ceil(n_bytes / 2**20)} MiB"
    )
