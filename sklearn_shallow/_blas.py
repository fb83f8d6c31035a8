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
import dataclasses
import functools
import threading
from pathlib import Path

import scipy
from threadpoolctl import ThreadpoolController

try:
    from threadpoolctl import OpenBLASController as _OpenBLASController
except ImportError:  # threadpoolctl < 3.8 has no controlling thread
    _OpenBLASController = None

_lock = threading.Lock()
_users = {}  # key -> _Limit


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


@dataclasses.dataclass
class _Limit:
    """The one-thread limit on the libraries of one key, and who uses it."""

    original: object  # a threadpoolctl limiter holding the settings found before the first user
    users: set = dataclasses.field(default_factory=set)


# A KeyboardInterrupt can arrive on the return of any call, threadpoolctl's own included:
# between changing the limit and recording the change, or in the middle of a restore. So the
# record never lags the limit: an entry is in _users from before the limit is changed until after
# it is restored, a user joins its set only once the limit is set, and whoever finds the set empty
# on leaving restores the original settings. Leaving is idempotent (it removes only what is
# there), so calling it again after an interrupt finishes whatever the interrupt cut short.


@contextlib.contextmanager
def _in_control():
    """Let this thread change OpenBLAS's thread pool, and leave no thread in control after.

    threadpoolctl (3.8 and later) lets only one "controlling" thread change the
    process-wide thread pool of a pthreads OpenBLAS: the first thread to set a
    limit keeps control while it lives, unless it leaves a ``with`` block of
    threadpoolctl, and the calls of every other thread silently do nothing. Our
    limits are shared across threads (the first user in sets, the last one out
    restores, often in another thread), and a fit in a worker thread must limit
    BLAS as one in the main thread does: under ``_lock``, the thread that changes
    the pool takes control for that change and gives it back.
    """
    clear = getattr(_OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)
    try:
        yield
    finally:
        if clear is not None:
            clear(force=True)


def _join(key, controller, user):
    with _lock:
        limit = _users.get(key)
        if limit is None:
            # limits=None changes nothing: it records the settings to restore before any change.
            limit = _users[key] = _Limit(controller.limit(limits=None))
        if not limit.users:
            with _in_control():
                controller.limit(limits=1)
        limit.users.add(user)


def _leave(key, user):
    with _lock:
        limit = _users.get(key)
        if limit is None:
            return
        limit.users.discard(user)
        if not limit.users:
            with _in_control():
                limit.original.restore_original_limits()
            del _users[key]


@contextlib.contextmanager
def single_threaded(key, controller):
    """Limit the libraries of ``controller`` to one thread, shared with other users of ``key``.

    The first user in sets the limit and the last one out restores the settings
    found before the first, whichever threads they run in; an exception
    (``KeyboardInterrupt`` included) at any point of entering or leaving leaves
    no limit behind.

    Parameters
    ----------
    key : {"numpy", "scipy"}
        Names the libraries (:func:`numpy_blas`, :func:`scipy_blas`, which do not
        overlap): users with the same key share one limit.
    controller : threadpoolctl.ThreadpoolController
        The libraries (used by the first user in only).

    Examples
    --------
    >>> from sklearn_shallow._blas import blas_threads, numpy_blas, single_threaded
    >>> blas = numpy_blas()
    >>> if blas is not None:
    ...     with single_threaded("numpy", blas):
    ...         assert blas_threads() == 1
    """
    user = object()
    try:
        _join(key, controller, user)
        yield
    finally:
        try:
            _leave(key, user)
        except BaseException:
            _leave(key, user)  # an interrupt cut the first call short: finish its work
            raise
