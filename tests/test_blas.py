"""The shared one-thread BLAS limit: a KeyboardInterrupt anywhere in entering or leaving it
leaves neither the limit nor its bookkeeping behind."""

import contextlib
import dis
import functools
import inspect
import itertools
import sys
import threading

import pytest
from threadpoolctl import threadpool_limits

from sklearn_shallow import _blas

ORIGINAL_THREADS = 4


class FakeLimiter:
    """What threadpoolctl's ``limit`` returns: it applies ``limits`` and can undo it."""

    def __init__(self, controller, limits):
        self.controller = controller
        self.original = controller.num_threads
        if limits is not None:
            controller.num_threads = limits

    def restore_original_limits(self):
        self.controller.num_threads = self.original


class FakeController:
    """One library with a thread count, controlled like threadpoolctl's controllers."""

    def __init__(self):
        self.num_threads = ORIGINAL_THREADS

    def limit(self, *, limits=None):
        return FakeLimiter(self, limits)


# The fake's own code is watched too: an interrupt inside ``limit`` or
# ``restore_original_limits`` stands for one between threadpoolctl's C calls.
FAKE_CODE = {
    FakeController.limit.__code__,
    FakeLimiter.__init__.__code__,
    FakeLimiter.restore_original_limits.__code__,
}
# contextlib's side of the ``with``: an interrupt after ``next`` returns in
# ``__enter__`` leaves the generator suspended; closing it runs its ``finally``.
CONTEXTLIB_CODE = {
    contextlib._GeneratorContextManager.__enter__.__code__,
    contextlib._GeneratorContextManager.__exit__.__code__,
}


@functools.cache
def _interruptible(code):
    """Offsets of the bytecodes before which CPython may raise a signal's exception.

    Its eval loop checks for pending signals on entering a function (the trace's
    call event) and after a call or a backward jump, and nowhere else: never
    between a ``with`` statement's ``__enter__`` and the protection of its block,
    nor between the end of the block and ``__exit__`` (bpo-29988). Raising at
    every bytecode would hold ``_lock`` for ever by skipping ``__exit__``, which
    no signal can do.
    """
    return {
        after.offset
        for before, after in itertools.pairwise(dis.get_instructions(code))
        if before.opname.startswith("CALL") or before.opname in ("JUMP_BACKWARD", "JUMP_ABSOLUTE")
    }


class Interrupt:
    """A trace function raising KeyboardInterrupt at the ``n``-th interruptible point.

    The points, in the watched code, are function entries, the bytecodes where
    CPython checks for signals, and returns (an interrupt on the way back from a
    call whose work is done). Not a generator's returns: raising there discards
    the suspended generator without running its ``finally``, which no signal
    can do (the same point is reached after ``next`` returns in contextlib).
    Python unsets a trace function that raises: one interrupt per run.
    """

    def __init__(self, n, watched):
        self.remaining = n
        self.watched = watched
        self.point = None

    def __call__(self, frame, event, arg):
        if not self.watched(frame.f_code):
            return None
        frame.f_trace_opcodes = True
        return self.local(frame, event, arg)

    def local(self, frame, event, arg):
        if (
            event == "call"
            or (event == "return" and not frame.f_code.co_flags & inspect.CO_GENERATOR)
            or (event == "opcode" and frame.f_lasti in _interruptible(frame.f_code))
        ):
            self.remaining -= 1
            if self.remaining == 0:
                self.point = f"{event} {frame.f_code.co_name}:{frame.f_lineno}@{frame.f_lasti}"
                raise KeyboardInterrupt
        return self.local


def _in_blas(blas):
    return lambda code: (
        code.co_filename == blas.__file__ or code in FAKE_CODE or code in CONTEXTLIB_CODE
    )


def _run_interrupted(blas, controller, threads, n, watched):
    """Enter and leave ``single_threaded`` with an interrupt at the ``n``-th point.

    Returns the injection point (None when the run ended before it) and the
    thread count seen inside the block (None when the block did not run).
    """
    interrupt = Interrupt(n, watched)
    inside = None
    previous = sys.gettrace()  # a coverage tool's, say
    sys.settrace(interrupt)
    try:
        with blas.single_threaded("numpy", controller):
            inside = threads(controller)
    except KeyboardInterrupt:
        pass
    finally:
        sys.settrace(previous)
    return interrupt.point, inside


def injection_leaks(blas, make_controller, threads, watched=None, nested=False):
    """Interrupt ``single_threaded`` at each point in turn; list the points that leak.

    ``make_controller()`` gives a controller in its original state for each
    run, whatever the previous run left; ``threads(controller)`` reads the
    thread counts that must come back once the last user is out; with
    ``nested``, another user holds the limit throughout, so it must stay at one
    thread until that user leaves.
    Returns the injection points and the leaking ones.
    """
    watched = _in_blas(blas) if watched is None else watched
    points, leaks = [], []
    for n in range(1, 100_000):
        controller = make_controller()
        before = threads(controller)
        outer = blas.single_threaded("numpy", controller) if nested else contextlib.nullcontext()
        with outer:
            point, inside = _run_interrupted(blas, controller, threads, n, watched)
            held = threads(controller)
        after, users = threads(controller), dict(blas._users)
        blas._users.clear()  # the next run starts clean whatever this one left
        if nested and set(held) != {1}:
            leaks.append(f"{point}: the limit was lifted under another user ({held})")
        if after != before or users:
            leaks.append(f"{point}: threads {after} (before {before}), users {users}")
        if point is None:
            assert set(inside) == {1}, "the block ran without the limit"
            return points, leaks
        points.append(point)
    raise AssertionError("the run never ended")


def _fake_threads(controller):
    return [controller.num_threads]


@pytest.mark.parametrize("nested", [False, True])
def test_an_interrupt_anywhere_in_single_threaded_leaves_no_limit(nested):
    points, leaks = injection_leaks(_blas, FakeController, _fake_threads, nested=nested)
    assert leaks == []
    # the interrupts did reach both ends, and the limit itself when it is this user's to set
    assert any("_join" in point for point in points)
    assert any("_leave" in point for point in points)
    assert any("restore_original_limits" in point for point in points) is not nested


def _real_threads(controller):
    return [lib["num_threads"] for lib in controller.info()]


def _numpy_blas_on_two_threads():
    controller = _blas.numpy_blas()
    controller.limit(limits=2)
    return controller


@pytest.mark.parametrize("nested", [False, True])
def test_an_interrupt_anywhere_leaves_numpys_blas_as_it_was(nested):
    """The real controller: interrupts inside threadpoolctl's own code too."""
    if _blas.numpy_blas() is None:
        pytest.skip("numpy has no BLAS that threadpoolctl controls")
    threadpoolctl = sys.modules["threadpoolctl"]

    def watched(code):
        return (
            code.co_filename in (_blas.__file__, threadpoolctl.__file__) or code in CONTEXTLIB_CODE
        )

    with threadpool_limits(2, user_api="blas"):
        points, leaks = injection_leaks(
            _blas, _numpy_blas_on_two_threads, _real_threads, watched, nested
        )
        assert set(_real_threads(_blas.numpy_blas())) == {2}
    assert leaks == []
    assert any("set_num_threads" in point for point in points) is not nested


def test_an_interrupted_restore_is_finished():
    controller = FakeController()
    restore = FakeLimiter.restore_original_limits
    calls = []

    def interrupted_once(limiter):
        calls.append(limiter)
        if len(calls) == 1:
            raise KeyboardInterrupt
        restore(limiter)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FakeLimiter, "restore_original_limits", interrupted_once)
        with pytest.raises(KeyboardInterrupt):
            with _blas.single_threaded("numpy", controller):
                assert controller.num_threads == 1
    assert len(calls) == 2
    assert controller.num_threads == ORIGINAL_THREADS
    assert _blas._users == {}


def test_an_error_in_the_block_restores_the_limit():
    controller = FakeController()
    with pytest.raises(ValueError, match="in the block"):
        with _blas.single_threaded("numpy", controller):
            raise ValueError("in the block")
    assert controller.num_threads == ORIGINAL_THREADS
    assert _blas._users == {}


def test_the_last_user_out_restores_whichever_thread_it_runs_in():
    controller = FakeController()
    first = _blas.single_threaded("numpy", controller)
    first.__enter__()
    second_in, first_out = threading.Event(), threading.Event()
    seen_by_second = []

    def second_user():
        with _blas.single_threaded("numpy", controller):
            second_in.set()
            first_out.wait()
            seen_by_second.append(controller.num_threads)

    thread = threading.Thread(target=second_user)
    thread.start()
    second_in.wait()
    first.__exit__(None, None, None)
    assert controller.num_threads == 1
    first_out.set()
    thread.join()
    assert seen_by_second == [1]
    assert controller.num_threads == ORIGINAL_THREADS
    assert _blas._users == {}


def _numpy_blas_threads():
    return [lib["num_threads"] for lib in _blas.numpy_blas().info()]


@pytest.fixture
def main_thread_controls_openblas():
    """The main thread sets a limit without a ``with`` block, as ``threadpool_limits(2)`` does.

    threadpoolctl 3.8 then keeps the main thread as the one thread whose limits
    take effect on OpenBLAS; every other thread's calls silently do nothing.
    """
    controller = pytest.importorskip("threadpoolctl").OpenBLASController
    if not hasattr(controller, "clear_controlling_thread") or _blas.numpy_blas() is None:
        pytest.skip("threadpoolctl < 3.8 has no controlling thread, or no numpy BLAS")
    limiter = _blas.numpy_blas().limit(limits=2)
    yield
    controller.clear_controlling_thread(force=True)
    limiter.restore_original_limits()
    controller.clear_controlling_thread(force=True)


def test_a_limit_taken_in_a_worker_thread_takes_effect(main_thread_controls_openblas):
    seen = []

    def worker():
        with _blas.single_threaded("numpy", _blas.numpy_blas()):
            seen.append(_numpy_blas_threads())
        seen.append(_numpy_blas_threads())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert set(seen[0]) == {1}
    assert set(seen[1]) == {2}


def test_a_limit_set_in_one_thread_is_restored_by_the_last_user_in_another(
    main_thread_controls_openblas,
):
    joined, release = threading.Event(), threading.Event()

    def first_user():
        with _blas.single_threaded("numpy", _blas.numpy_blas()):
            joined.set()
            release.wait()

    thread = threading.Thread(target=first_user)
    thread.start()
    joined.wait()
    with _blas.single_threaded("numpy", _blas.numpy_blas()):
        release.set()
        thread.join()  # the first user leaves: the limit stays for this one
        assert set(_numpy_blas_threads()) == {1}
    assert set(_numpy_blas_threads()) == {2}


def test_a_fit_in_a_worker_thread_gives_the_bits_of_one_in_the_main_thread(
    main_thread_controls_openblas,
):
    """Chunked full batches hold BLAS at one thread in any thread (their bits depend on it)."""
    from sklearn.datasets import make_classification

    from sklearn_shallow import ShallowNNClassifier

    X, y = make_classification(n_samples=50_000, n_features=100, random_state=0)
    model = ShallowNNClassifier(128, solver="gd", max_iter=1, tol=None, random_state=0)
    in_main = model.fit(X, y).params_
    result = {}
    thread = threading.Thread(target=lambda: result.update(model.fit(X, y).params_))
    thread.start()
    thread.join()
    for name, P in in_main.items():
        assert (result[name] == P).all(), name
