"""Thread limits on the BLAS libraries, shared by the fits that run at once in one process.

Two places limit a BLAS library to one thread while they run: the chunked
epochs of :mod:`._fast` (numpy's BLAS: each of our threads runs its own
products) and L-BFGS-B in :mod:`._solvers` (the second BLAS that scipy's wheels
bring). threadpoolctl's limiters restore what they found when they started, so
two fits overlapping in time (a threading joblib backend, a user's threads)
would leave the library limited if the first one in were not the last one out.
Here the first user sets the limit and the last one restores the setting found
before the first.
"""

import contextlib
import functools
import threading
from pathlib import Path

import scipy
from threadpoolctl import ThreadpoolController

_lock = threading.Lock()
_users = {}  # key -> [number of users, limiter]


def _blas_paths(controller):
    """Paths of the BLAS libraries: scipy's wheel's own, and the others (numpy's)."""
    scipy_dir = Path(scipy.__file__).resolve().parent
    homes = (scipy_dir, scipy_dir.parent / "scipy.libs")
    paths = {"scipy": [], "numpy": []}
    for lib in controller.info():
        if lib["user_api"] == "blas":
            path = Path(lib["filepath"]).resolve()
            paths["scipy" if any(home in path.parents for home in homes) else "numpy"].append(
                lib["filepath"]
            )
    return paths


@functools.cache
def _controllers():
    controller = ThreadpoolController()
    return {
        name: controller.select(filepath=paths) if paths else None
        for name, paths in _blas_paths(controller).items()
    }


def numpy_blas():
    """threadpoolctl's controller of numpy's BLAS (every BLAS but the one in scipy's wheel)."""
    return _controllers()["numpy"]


def scipy_blas():
    """The BLAS that scipy's wheel brings besides numpy's, or None (a shared library)."""
    return _controllers()["scipy"]


def blas_threads():
    """How many threads numpy's BLAS may use now (what ``threadpoolctl`` limits)."""
    blas = numpy_blas()
    return 1 if blas is None else max((lib["num_threads"] for lib in blas.info()), default=1)


@contextlib.contextmanager
def single_threaded(key, controller):
    """Limit the libraries of ``controller`` to one thread, shared with other users of ``key``.

    Parameters
    ----------
    key : {"numpy", "scipy"}
        Names the libraries (:func:`numpy_blas`, :func:`scipy_blas`, which do not
        overlap): users with the same key share one limit.
    controller : threadpoolctl.ThreadpoolController
        The libraries (used by the first user in only).
    """
    with _lock:
        entry = _users.setdefault(key, [0, None])
        if entry[0] == 0:
            entry[1] = controller.limit(limits=1)
        entry[0] += 1
    try:
        yield
    finally:
        with _lock:
            entry[0] -= 1
            if entry[0] == 0:
                entry[1].restore_original_limits()
                del _users[key]
