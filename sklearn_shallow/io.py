"""Secure persistence of fitted models with skops, without pickle.

A pickle file runs arbitrary code when it is loaded. The skops format stores
objects as data and refuses, when loaded, any type that has not been trusted
explicitly. :func:`load` trusts exactly :data:`TRUSTED_TYPES`: the estimators of
this package. Everything its fitted state holds (numpy arrays and scalars, lists,
dicts, ``str``, ``int``, ``float``, ``bool``, ``None``) and scikit-learn's own
estimators (a ``Pipeline`` with a ``MinMaxScaler``, say) are trusted by skops
itself, so nothing else is needed. A model whose ``callback`` is a function is
refused: a function is code, not data.

skops is optional: ``pip install "sklearn-shallow[skops]"``.
"""

import contextlib
import errno
import json
import os
import stat
import tempfile
import zipfile
import zlib

__all__ = ["TRUSTED_TYPES", "dump", "load"]

#: The only types, beyond skops's defaults, that :func:`load` accepts.
TRUSTED_TYPES = (
    "sklearn_shallow._classifier.ShallowNNClassifier",
    "sklearn_shallow._regressor.ShallowNNRegressor",
)

# What reading a zip file that is truncated or damaged raises: BadZipFile (no zip
# structure, a bad CRC), EOFError, zlib.error, NotImplementedError (a header that
# names an unknown zip version or compression), KeyError (a member missing).
_DAMAGED_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, KeyError)


def _skops_io():
    try:
        import skops.io
    except ImportError as error:
        raise ImportError(
            "sklearn_shallow.io needs skops, which is not installed; install it with "
            'pip install "sklearn-shallow[skops]"'
        ) from error
    return skops.io


def dump(estimator, file):
    """Save a fitted estimator (or a pipeline holding one) in the skops format.

    Saving to a path never destroys the file already there: the model is
    written to a temporary file in the same directory, synced to disk, then
    renamed over the target in one step. If anything fails on the way (a full
    disk, an error, a ``KeyboardInterrupt``), the previous file is left as it
    was, the temporary file is removed and the exception propagates. The new
    file keeps the permission bits of the one it replaces, not its owner or its
    other hard links (a new file gets the bits ``open`` gives: ``0o666`` less
    the umask); a symbolic link is followed, so the file it points to is the one
    replaced. A read-only file is refused, as ``open`` refuses it.

    Parameters
    ----------
    estimator : object
        The model to save, e.g. a fitted :class:`~sklearn_shallow.ShallowNNClassifier`.
    file : str, path-like or binary file object
        Where to write. A file object is written to as it is, with none of the
        guarantees above: what it held before is its caller's to keep.

    Raises
    ------
    ImportError
        When skops is not installed.
    OSError
        When the file cannot be written (the previous file, if any, is intact).

    See Also
    --------
    load : Read the file back, trusting only this package's types.

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> from sklearn_shallow.io import dump, load
    >>> X, y = load_iris(return_X_y=True)
    >>> model = ShallowNNClassifier(n1=5, solver="lbfgs", random_state=0).fit(X, y)
    >>> buffer = io.BytesIO()  # or a path such as "model.skops"
    >>> dump(model, buffer)
    >>> _ = buffer.seek(0)
    >>> bool((load(buffer).predict(X) == model.predict(X)).all())
    True
    """
    data = _skops_io().dumps(estimator)
    if isinstance(file, str | os.PathLike):
        _replace(os.fsdecode(file), data)
    else:
        file.write(data)


def _replace(path, data):
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = os.path.realpath(path)
    directory, name = os.path.split(path)
    # A rename needs only a writable directory: refuse, as open does, a file that is read-only.
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    mode = _mode(path)
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
        try:
            os.chmod(temporary, mode)
            _write_all(descriptor, data)
            # Without it, a crash after the rename can leave the new name on empty content.
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        if temporary is not None:
            # Once renamed, the temporary is gone (FileNotFoundError); a failure to remove it must
            # not hide the error that stopped the save.
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    _sync_directory(directory)


def _mode(path):
    """The permission bits for ``path``: those of the file there, or those ``open`` would give."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask():
    """The process's umask."""
    # os.umask reads the umask only by setting it, for every thread at once; Linux shows it in
    # /proc without changing it.
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def _write_all(descriptor, data):
    """Write all of ``data`` (``os.write`` may write only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _sync_directory(directory):
    """Make a rename in ``directory`` durable, where the system can."""
    # Windows cannot open a directory, and some file systems refuse to sync one; the file is in
    # place either way, only the rename's durability across a power cut is then up to the system.
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def load(file):
    """Load a model saved by :func:`dump`, trusting only :data:`TRUSTED_TYPES`.

    Parameters
    ----------
    file : str, path-like or binary file object
        The file written by :func:`dump` (or by ``skops.io.dump``).

    Returns
    -------
    estimator : object
        The loaded model.

    Raises
    ------
    ImportError
        When skops is not installed.
    FileNotFoundError
        When there is no file at ``file``.
    ValueError
        When the file is not a skops file (not a zip file, a zip file without
        skops's ``schema.json``) or is truncated or damaged; the message names
        the file and the error that reading it raised is its ``__cause__``.
    skops.io.exceptions.UntrustedTypesFoundException
        A ``TypeError`` raised when the file holds a type that neither skops nor
        :data:`TRUSTED_TYPES` trusts; inspect it with
        ``skops.io.get_untrusted_types(file=file)`` and, if you trust it, load it
        with ``skops.io.load(file, trusted=[...])``.

    See Also
    --------
    dump : Save a model.

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> from sklearn_shallow.io import dump, load
    >>> X, y = load_iris(return_X_y=True)
    >>> model = ShallowNNClassifier(n1=5, solver="lbfgs", random_state=0).fit(X, y)
    >>> buffer = io.BytesIO()
    >>> dump(model, buffer)
    >>> _ = buffer.seek(0)
    >>> load(buffer).score(X, y) == model.score(X, y)
    True
    >>> load(io.BytesIO(b"not a model"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the file object is not a skops file (...), or it is truncated or damaged (...)
    """
    skops_io = _skops_io()
    try:
        _read_schema(file)
    # A damaged zip directory also raises ValueError (a negative seek), as does a schema.json
    # that is not JSON; skops's own ValueErrors (a newer protocol) come only from skops_io.load.
    except (*_DAMAGED_ZIP_ERRORS, ValueError) as error:
        raise _not_skops(file, error) from error
    try:
        return skops_io.load(file, trusted=list(TRUSTED_TYPES))
    except _DAMAGED_ZIP_ERRORS as error:
        raise _not_skops(file, error) from error


def _read_schema(file):
    """The ``schema.json`` of a skops file: raises if ``file`` is no zip file holding one."""
    with zipfile.ZipFile(file) as archive:
        schema = json.loads(archive.read("schema.json"))
    if not isinstance(schema, dict) or "protocol" not in schema:
        raise ValueError("its schema.json has no skops protocol")
    return schema


def _not_skops(file, error):
    return ValueError(
        f"{_name(file)} is not a skops file (one written by sklearn_shallow.io.dump or "
        f"skops.io.dump), or it is truncated or damaged ({type(error).__name__}: {error})"
    )


def _name(file):
    """How an error message names ``file``."""
    return os.fsdecode(file) if isinstance(file, str | os.PathLike) else "the file object"
