"""Persistence: pickle, joblib and skops round-trips, and a fitted state of plain data."""

import contextlib
import errno
import io
import os
import pickle
import signal
import stat
import subprocess
import sys
import tempfile
import zipfile

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor
from sklearn_shallow import io as shallow_io

SOLVERS = ["gd", "sgd", "adam", "lbfgs"]
PLAIN_SCALARS = (int, float, str, bool, type(None), np.ndarray)


def _targets(kind, rng, m):
    if kind == "binary":
        return rng.randint(2, size=m)
    if kind == "strings":
        return np.array(["cat", "dog", "emu"])[rng.randint(3, size=m)]
    return rng.randint(2, size=(m, 3))  # multilabel


@pytest.fixture(params=["binary", "strings", "multilabel"])
def fitted(request, rng):
    X = rng.rand(40, 4)
    y = _targets(request.param, rng, 40)
    model = ShallowNNClassifier(n1=5, max_iter=4, tol=None, random_state=0, early_stopping=True)
    return model.fit(X, y), X


def _assert_same_predictions(model, other, X):
    assert_array_equal(other.predict(X), model.predict(X), strict=True)
    assert_array_equal(other.predict_proba(X), model.predict_proba(X), strict=True)


def test_pickle_round_trip_gives_identical_predictions(fitted):
    model, X = fitted
    _assert_same_predictions(model, pickle.loads(pickle.dumps(model)), X)


def test_joblib_round_trip_gives_identical_predictions(fitted, tmp_path):
    model, X = fitted
    joblib.dump(model, tmp_path / "model.joblib")
    _assert_same_predictions(model, joblib.load(tmp_path / "model.joblib"), X)


def _assert_plain(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str | int), f"{path} has key {key!r}"
            _assert_plain(item, f"{path}[{key!r}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _assert_plain(item, f"{path}[{i}]")
    else:
        assert type(value) in PLAIN_SCALARS, f"{path} is a {type(value).__name__}"
        if isinstance(value, np.ndarray):
            assert value.dtype != object or all(type(v) is str for v in value.flat), path


@pytest.mark.parametrize("solver", SOLVERS)
def test_fitted_state_is_plain_arrays_and_scalars(solver, rng):
    X, y = rng.rand(40, 4), rng.randint(3, size=40)
    model = ShallowNNClassifier(n1=5, solver=solver, max_iter=4, tol=None, random_state=0)
    model.fit(X, y)
    if solver != "lbfgs":
        model.partial_fit(X, y)  # the optimiser state of a continued fit is plain too
    state = {key: value for key, value in vars(model).items() if key != "callback"}
    assert {"params_", "classes_", "_optimizer_state", "history_"} <= state.keys()
    _assert_plain(state, "estimator")


# ------------------------------------------------------------------- skops


@pytest.fixture
def skops_io():
    return pytest.importorskip("skops.io", reason="skops is not installed (the [skops] extra)")


def test_skops_round_trip_gives_identical_predictions(skops_io, fitted, tmp_path):
    model, X = fitted
    shallow_io.dump(model, tmp_path / "model.skops")
    _assert_same_predictions(model, shallow_io.load(tmp_path / "model.skops"), X)


@pytest.mark.parametrize("solver", SOLVERS)
def test_skops_finds_no_untrusted_type_beyond_ours(skops_io, solver, rng, tmp_path):
    X = rng.rand(40, 4).astype(np.float32)
    y = np.array(["a", "b", "c"])[rng.randint(3, size=40)]
    model = make_pipeline(
        MinMaxScaler(),
        ShallowNNClassifier(
            n1=5,
            solver=solver,
            max_iter=4,
            tol=None,
            random_state=np.random.RandomState(0),
            class_weight={"a": 1.0, "b": 2, "c": np.float64(0.5)},
        ),
    ).fit(X, y)
    path = tmp_path / "model.skops"
    shallow_io.dump(model, path)
    assert skops_io.get_untrusted_types(file=path) == [shallow_io.TRUSTED_TYPES[0]]
    _assert_same_predictions(model, shallow_io.load(path), X)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_skops_round_trip_of_a_regressor(skops_io, solver, loss, rng, tmp_path):
    X = rng.rand(40, 4)
    Y = np.exp(X[:, :2]) * [1.0, 30.0]  # two targets, on different scales
    model = make_pipeline(
        MinMaxScaler(),
        ShallowNNRegressor(n1=5, loss=loss, solver=solver, max_iter=4, tol=None, random_state=0),
    ).fit(X, Y)
    path = tmp_path / "model.skops"
    shallow_io.dump(model, path)
    assert skops_io.get_untrusted_types(file=path) == [shallow_io.TRUSTED_TYPES[1]]
    loaded = shallow_io.load(path)
    assert_array_equal(loaded.predict(X), model.predict(X), strict=True)
    assert_array_equal(loaded[-1].y_scale_, model[-1].y_scale_, strict=True)


def _no_op(estimator, record):
    return False


def test_skops_load_refuses_a_callback_function(skops_io, rng):
    X, y = rng.rand(20, 2), np.tile([0, 1], 10)
    model = ShallowNNClassifier(n1=2, max_iter=2, tol=None, callback=_no_op).fit(X, y)
    buffer = io.BytesIO()
    shallow_io.dump(model, buffer)
    buffer.seek(0)
    with pytest.raises(TypeError, match="_no_op"):
        shallow_io.load(buffer)


@pytest.mark.parametrize("function", [shallow_io.dump, shallow_io.load])
def test_io_without_skops_names_the_extra(function, monkeypatch):
    for name in ["skops", "skops.io"]:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import skops.io` fail
    args = (
        (ShallowNNClassifier(), io.BytesIO()) if function is shallow_io.dump else (io.BytesIO(),)
    )
    with pytest.raises(ImportError, match=r'pip install "sklearn-shallow\[skops\]"'):
        function(*args)


# ------------------------------------------------- a save never destroys the previous file


@pytest.fixture
def saved(skops_io, rng, tmp_path):
    """A model saved at a path, and another model to save over it."""
    X, y = rng.rand(40, 4), rng.randint(3, size=40)
    old, new = (
        ShallowNNClassifier(n1=5, max_iter=4, tol=None, random_state=seed).fit(X, y)
        for seed in (0, 1)
    )
    path = tmp_path / "model.skops"
    shallow_io.dump(old, path)
    return path, old, new, X


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def _write_half_then(error):
    write = os.write

    def write_half_then_fail(descriptor, data):
        write(descriptor, bytes(data[: len(data) // 2]))
        raise error

    return write_half_then_fail


def _close_then(error):
    close = os.close

    def close_then_fail(descriptor):
        close(descriptor)
        raise error

    return close_then_fail


def _no_space():
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _deny(error):
    return lambda path, mode: False


def _io_error():
    return OSError(errno.EIO, os.strerror(errno.EIO))


# where -> (the function patched, what its replacement does, the error): each stops the save at
# another step, with an OSError or with an exception that is no Exception (KeyboardInterrupt)
FAILURES = {
    "serialising, disk full": ("skops.io.dumps", _raise, _no_space()),
    "serialising, interrupted": ("skops.io.dumps", _raise, KeyboardInterrupt()),
    "serialising, out of memory": ("skops.io.dumps", _raise, MemoryError()),
    "creating the temporary, denied": (
        "tempfile.mkstemp",
        _raise,
        PermissionError(errno.EACCES, "no"),
    ),
    "setting its mode, denied": ("os.chmod", _raise, PermissionError(errno.EPERM, "no")),
    "writing, disk full half-way": ("os.write", _write_half_then, _no_space()),
    "writing, file size limit half-way": ("os.write", _write_half_then, OSError(errno.EFBIG, "")),
    "writing, interrupted half-way": ("os.write", _write_half_then, KeyboardInterrupt()),
    "syncing, I/O error": ("os.fsync", _raise, _io_error()),
    "syncing, interrupted": ("os.fsync", _raise, KeyboardInterrupt()),
    "closing, I/O error": ("os.close", _close_then, _io_error()),
    "closing, interrupted": ("os.close", _close_then, KeyboardInterrupt()),
    "renaming, cross-device": ("os.replace", _raise, OSError(errno.EXDEV, "cross-device")),
    "renaming, interrupted": ("os.replace", _raise, KeyboardInterrupt()),
    "the target is read-only": ("os.access", _deny, PermissionError),
}


@pytest.mark.parametrize("where", FAILURES)
def test_a_failed_dump_keeps_the_previous_file_and_leaves_no_temporary(saved, where):
    path, old, new, X = saved
    before = path.read_bytes()
    target, replacement, error = FAILURES[where]
    created = []
    mkstemp = tempfile.mkstemp

    def spied_mkstemp(*args, **kwargs):
        descriptor, temporary = mkstemp(*args, **kwargs)
        created.append(temporary)
        return descriptor, temporary

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", spied_mkstemp)
        patch.setattr(target, replacement(error))
        with pytest.raises(error if isinstance(error, type) else type(error)):
            shallow_io.dump(new, path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.skops"]
    for temporary in created:  # where the save got that far, it wrote beside the target
        assert os.path.dirname(temporary) == str(path.parent)
        assert os.path.basename(temporary).startswith(".model.skops.")
        assert temporary.endswith(".tmp")
    _assert_same_predictions(old, shallow_io.load(path), X)


_DUMP_UNDER_A_SIZE_LIMIT = """
import pickle, resource, signal, sys
from sklearn_shallow import io

with open(sys.argv[1], "rb") as file:
    model = pickle.load(file)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), resource.RLIM_INFINITY))
try:
    io.dump(model, sys.argv[2])
except OSError as error:
    sys.exit(error.errno)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_a_dump_past_the_file_size_limit_keeps_the_previous_file(saved, tmp_path_factory):
    """A real failure, not a patched one: the system refuses to write past a size limit."""
    path, old, new, X = saved
    before = path.read_bytes()
    pickled = tmp_path_factory.mktemp("new") / "new.pickle"
    pickled.write_bytes(pickle.dumps(new))
    limit = str(len(before) // 2)
    command = [sys.executable, "-c", _DUMP_UNDER_A_SIZE_LIMIT, str(pickled), str(path), limit]
    assert subprocess.run(command, check=False).returncode == errno.EFBIG
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.skops"]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write in any directory"
)
def test_a_dump_into_a_read_only_directory_keeps_the_previous_file(saved):
    path, old, new, X = saved
    before = path.read_bytes()
    path.parent.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            shallow_io.dump(new, path)
    finally:
        path.parent.chmod(0o755)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.skops"]


def test_a_dump_onto_a_directory_leaves_it_and_no_temporary(saved):
    path, old, new, X = saved
    target = path.parent / "folder"
    target.mkdir()
    with pytest.raises(IsADirectoryError):
        shallow_io.dump(new, target)
    assert target.is_dir() and not any(target.iterdir())
    assert sorted(os.listdir(path.parent)) == ["folder", "model.skops"]


def test_a_dump_into_a_missing_directory_raises_file_not_found(saved):
    path, old, new, X = saved
    with pytest.raises(FileNotFoundError):
        shallow_io.dump(new, path.parent / "missing" / "model.skops")
    assert os.listdir(path.parent) == ["model.skops"]


def test_a_dump_over_a_file_replaces_it(saved):
    path, old, new, X = saved
    shallow_io.dump(new, path)
    _assert_same_predictions(new, shallow_io.load(path), X)
    assert not np.array_equal(new.predict_proba(X), old.predict_proba(X))
    assert os.listdir(path.parent) == ["model.skops"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o755])
def test_a_dump_keeps_the_mode_of_the_file_it_replaces(saved, mode):
    path, old, new, X = saved
    path.chmod(mode)
    shallow_io.dump(new, path)
    assert stat.S_IMODE(path.stat().st_mode) == mode


@contextlib.contextmanager
def _umask(mask):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
@pytest.mark.parametrize("proc", [True, False], ids=["umask from /proc", "umask from os"])
def test_a_dump_gives_a_new_file_the_mode_open_would(saved, umask, proc, monkeypatch):
    path, old, new, X = saved
    if not proc:  # the io module opens a file only to read the umask
        monkeypatch.setattr(shallow_io, "open", _raise(OSError("no /proc")), raising=False)
    with _umask(umask):
        shallow_io.dump(new, path.parent / "new.skops")
        (path.parent / "opened").open("wb").close()
    modes = {stat.S_IMODE((path.parent / name).stat().st_mode) for name in ["new.skops", "opened"]}
    assert modes == {0o666 & ~umask}


def test_a_dump_through_a_link_replaces_the_file_it_points_to(saved):
    path, old, new, X = saved
    link = path.parent / "link.skops"
    link.symlink_to(path.name)
    shallow_io.dump(new, link)
    assert link.is_symlink()
    _assert_same_predictions(new, shallow_io.load(path), X)
    assert sorted(os.listdir(path.parent)) == ["link.skops", "model.skops"]


def test_a_dump_writes_everything_when_the_system_writes_in_pieces(saved, monkeypatch):
    path, old, new, X = saved
    write = os.write
    calls = []

    def write_a_little(descriptor, data):
        calls.append(len(data))
        return write(descriptor, bytes(data[:1000]))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "write", write_a_little)
        shallow_io.dump(new, path)
    assert len(calls) > 2
    _assert_same_predictions(new, shallow_io.load(path), X)


def test_a_dump_succeeds_where_the_directory_cannot_be_synced(saved):
    path, old, new, X = saved
    open_ = os.open

    def no_directories(file, flags, *args, **kwargs):
        if os.path.isdir(file):
            raise PermissionError(errno.EACCES, "cannot open a directory here")
        return open_(file, flags, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", no_directories)
        shallow_io.dump(new, path)
    _assert_same_predictions(new, shallow_io.load(path), X)


class _PathLike:
    def __init__(self, path):
        self.path = path

    def __fspath__(self):
        return str(self.path)


@pytest.mark.parametrize("kind", [str, _PathLike])
def test_a_dump_takes_a_string_or_any_path_like(saved, kind):
    path, old, new, X = saved
    shallow_io.dump(new, kind(path))
    _assert_same_predictions(new, shallow_io.load(kind(path)), X)


# --------------------------------------------------------- loading what is not a skops file


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _flip_middle_of_largest_member(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = max(archive.infolist(), key=lambda info: info.compress_size)
    damaged = bytearray(data)
    damaged[member.header_offset + 30 + len(member.filename) + member.compress_size // 2] ^= 0xFF
    return bytes(damaged)


NOT_SKOPS = {
    "random bytes": lambda model: np.random.RandomState(0).bytes(1000),
    "empty": lambda model: b"",
    "a zip without schema.json": lambda model: _zip({"model.json": "{}"}),
    "a schema.json that is not JSON": lambda model: _zip({"schema.json": b"\x00\xff{"}),
    "a schema.json without a protocol": lambda model: _zip({"schema.json": '{"a": 1}'}),
    "half a skops file": lambda model: model[: len(model) // 2],
    "a skops file short of its last byte": lambda model: model[:-1],
    "a skops file with a damaged array": _flip_middle_of_largest_member,
}


@pytest.fixture
def model_bytes(skops_io, rng):
    X, y = rng.rand(40, 4), rng.randint(3, size=40)
    return skops_io.dumps(ShallowNNClassifier(n1=5, max_iter=4, tol=None).fit(X, y))


@pytest.mark.parametrize("content", NOT_SKOPS)
def test_load_of_what_is_not_a_skops_file_names_the_file(model_bytes, content, tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(NOT_SKOPS[content](model_bytes))
    with pytest.raises(ValueError, match="is not a skops file") as error:
        shallow_io.load(path)
    assert str(path) in str(error.value)
    assert error.value.__cause__ is not None
    with pytest.raises(ValueError, match="^the file object is not a skops file"):
        shallow_io.load(io.BytesIO(path.read_bytes()))


def test_load_of_a_missing_file_raises_file_not_found(skops_io, tmp_path):
    with pytest.raises(FileNotFoundError):
        shallow_io.load(tmp_path / "missing.skops")
