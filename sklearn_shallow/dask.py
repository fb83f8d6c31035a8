"""Train on data larger than memory, and predict lazily, with dask.

:func:`fit_incremental` streams the row blocks of a :class:`dask.array.Array`
(or the partitions of a dask DataFrame) through ``estimator.partial_fit``, one
block in memory at a time; :func:`predict` and :func:`predict_proba` map the
fitted estimator over the blocks and return dask arrays, computing nothing.
All of it works for :class:`~sklearn_shallow.ShallowNNClassifier` and
:class:`~sklearn_shallow.ShallowNNRegressor` alike, except
:func:`predict_proba`, which needs a classifier.

To spread a hyper-parameter search over a cluster instead, no code from this
module is needed: run scikit-learn's ``GridSearchCV`` inside
``joblib.parallel_backend("dask")`` with a ``distributed.Client`` open.

This module needs dask: ``pip install "sklearn-shallow[dask]"``.
"""

from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

try:
    import dask
    import dask.array as da
except ImportError as exc:
    raise ImportError(
        "sklearn_shallow.dask needs dask, which is not installed; install it with "
        'pip install "sklearn-shallow[dask]"'
    ) from exc

__all__ = ["fit_incremental", "predict", "predict_proba"]


def fit_incremental(
    estimator,
    X,
    y,
    *,
    classes=None,
    epochs=1,
    shuffle_blocks=True,
    random_state=None,
    sample_weight=None,
):
    """Train ``estimator`` on a dask collection, one row block at a time.

    Each epoch visits every row block of ``X`` once: the block (with its rows of
    ``y`` and ``sample_weight``) is computed, passed to ``estimator.partial_fit``
    and released before the next one is computed. Peak memory is therefore
    bounded by one block and the estimator, whatever the size of ``X``.

    Parameters
    ----------
    estimator : estimator with a ``partial_fit`` method
        Typically a :class:`~sklearn_shallow.ShallowNNClassifier` or a
        :class:`~sklearn_shallow.ShallowNNRegressor` with solver ``'adam'``,
        ``'sgd'`` or ``'gd'``. It is trained in place, continuing
        from its current state if it is already fitted (as ``partial_fit``
        does); pass ``sklearn.base.clone(estimator)`` for a fresh start.
    X : dask.array.Array of shape (n_samples, n_features), or dask DataFrame
        Training data. Its row blocks (partitions) are the units of work; for
        ``ShallowNNClassifier`` and ``ShallowNNRegressor``, each block is one
        ``partial_fit`` call, that is, one epoch of the solver over that block.
    y : dask.array.Array, dask Series or DataFrame, or array-like of shape \
(n_samples,) or (n_samples, n_outputs)
        For a classifier, class labels or a multilabel indicator matrix; for a
        regressor, target values, one column per output. A dask array is
        rechunked to the row blocks of ``X`` when its chunks differ; a dask
        Series or DataFrame must have as many partitions as ``X``; an in-memory
        array is sliced along the row blocks of ``X`` (which must have known
        sizes).
    classes : array-like of shape (n_classes,), default=None
        Every class of ``y``, for a classifier only. When ``None``, for a
        classifier not yet fitted and 1-D ``y``, the classes are found with one
        extra pass over ``y``, block by block (which computes ``X`` too when
        ``y`` is derived from it); a fitted classifier keeps its ``classes_``,
        even when the blocks hold only some of them. A regressor takes no
        ``classes``, and no extra pass is made over its ``y``.
    epochs : int, default=1
        Number of passes over all blocks.
    shuffle_blocks : bool, default=True
        Visit the blocks in a new random order at each epoch. The order of an
        epoch is ``rng.permutation(n_blocks)``, with
        ``rng = check_random_state(random_state)`` drawn once per epoch.
        Shuffling the rows inside a block is the estimator's business
        (``shuffle`` and ``random_state`` of ``ShallowNNClassifier``).
    random_state : int, RandomState instance or None, default=None
        Seeds the order of the blocks.
    sample_weight : dask.array.Array, dask Series or array-like of shape \
(n_samples,), default=None
        Sample weights, aligned with ``X`` as ``y`` is.

    Returns
    -------
    estimator : estimator
        The estimator, trained.

    Raises
    ------
    TypeError
        If ``estimator`` has no ``partial_fit`` method (e.g.
        ``ShallowNNClassifier(solver='lbfgs')``), if ``classes`` is given for
        an estimator that is not a classifier, if ``X`` is not a dask
        collection, or if ``epochs`` or ``shuffle_blocks`` has the wrong type.
    ValueError
        If ``epochs < 1``, if ``X`` is not 2-D, or if ``y`` or
        ``sample_weight`` cannot be aligned with the row blocks of ``X``.

    See Also
    --------
    predict, predict_proba : Lazy predictions on dask arrays.
    sklearn_shallow.ShallowNNClassifier.partial_fit : What runs on each block.
    sklearn_shallow.ShallowNNRegressor.partial_fit : The same, for regression.

    Notes
    -----
    Blocks are computed with dask's current scheduler: the threaded one by
    default, or the cluster of an open ``distributed.Client``, whose workers
    then compute the blocks and send them to this process, where training
    runs. Training itself is sequential, as stochastic gradient descent is;
    choose blocks of a few tens of megabytes so that each ``partial_fit`` call
    does enough work to hide the cost of computing the next block.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> from sklearn_shallow.dask import fit_incremental, predict
    >>> X = da.random.default_rng(0).uniform(-1, 1, size=(2_000, 2), chunks=(500, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)  # lazy too, computed block by block
    >>> # Centred inputs suit this XOR-like problem better than the default [0, 1].
    >>> model = ShallowNNClassifier(n1=16, alpha=0.01, input_scaling="standard", random_state=0)
    >>> model = fit_incremental(model, X, y, classes=[0, 1], epochs=20, random_state=0)
    >>> len(model.loss_curve_)  # one partial_fit call per block and epoch
    80
    >>> y_pred = predict(model, X)  # a dask array, nothing computed yet
    >>> bool((y_pred == y).mean().compute() > 0.9)
    True

    A regressor takes no ``classes``:

    >>> from sklearn_shallow import ShallowNNRegressor
    >>> target = X[:, 0] * X[:, 1]
    >>> regressor = ShallowNNRegressor(n1=16, l2=0.0, random_state=0)
    >>> regressor = fit_incremental(regressor, X, target, epochs=20, random_state=0)
    >>> predict(regressor, X)
    dask.array<predict, shape=(2000,), dtype=float64, chunksize=(500,), chunktype=numpy.ndarray>
    >>> bool(regressor.score(X.compute(), target.compute()) > 0.9)  # R²
    True
    """
    _check_partial_fit(estimator)
    _check_classes(estimator, classes)
    epochs = _check_epochs(epochs)
    if not isinstance(shuffle_blocks, (bool, np.bool_)):
        raise TypeError(
            f"shuffle_blocks must be a bool; got {shuffle_blocks!r} "
            f"of type {type(shuffle_blocks).__name__}."
        )
    rng = check_random_state(random_state)
    X_blocks, row_chunks = _split_X(X)
    y_blocks = _split_like_X(y, "y", row_chunks)
    w_blocks = _split_like_X(sample_weight, "sample_weight", row_chunks)
    if _needs_classes(estimator, classes, y):
        classes = _unique_labels(y_blocks)

    n_blocks = len(X_blocks)
    for _ in range(epochs):
        order = rng.permutation(n_blocks) if shuffle_blocks else range(n_blocks)
        for i in order:
            _train_on_block(estimator, i, X_blocks[i], y_blocks[i], w_blocks[i], classes)
    return estimator


def predict(estimator, X):
    """Predict the class or the target values of each row of a dask array, lazily.

    Parameters
    ----------
    estimator : fitted estimator
        Any fitted scikit-learn classifier or regressor, e.g. a fitted
        :class:`~sklearn_shallow.ShallowNNClassifier` or
        :class:`~sklearn_shallow.ShallowNNRegressor`.
    X : dask.array.Array of shape (n_samples, n_features), or dask DataFrame
        Input data. Column blocks, if any, are merged first (lazily).

    Returns
    -------
    y_pred : dask.array.Array of shape (n_samples,) or (n_samples, n_outputs)
        ``estimator.predict`` of each row block of ``X``, with the same row
        chunks (of unknown sizes, for a DataFrame): 1-D for one label or one
        regression target, 2-D for multilabel classes or several targets.
        Nothing is computed until you call ``.compute()``.

    See Also
    --------
    predict_proba : The class probabilities, lazily.
    fit_incremental : Train on a dask array, one block at a time.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> from sklearn_shallow.dask import predict
    >>> X, y = make_moons(n_samples=200, noise=0.1, random_state=0)
    >>> model = ShallowNNClassifier(n1=16, solver="lbfgs", random_state=0).fit(X, y)
    >>> y_pred = predict(model, da.from_array(X, chunks=(50, 2)))
    >>> y_pred
    dask.array<predict, shape=(200,), dtype=int64, chunksize=(50,), chunktype=numpy.ndarray>
    >>> bool((y_pred.compute() == model.predict(X)).all())
    True
    """
    return _map_row_blocks(estimator, "predict", X)


def predict_proba(estimator, X):
    """Class probabilities of each row of a dask array, lazily, block by block.

    Parameters
    ----------
    estimator : fitted estimator
        Any fitted scikit-learn classifier with ``predict_proba``, e.g. a
        fitted :class:`~sklearn_shallow.ShallowNNClassifier`; a regressor,
        such as :class:`~sklearn_shallow.ShallowNNRegressor`, has none.
    X : dask.array.Array of shape (n_samples, n_features), or dask DataFrame
        Input data. Column blocks, if any, are merged first (lazily).

    Returns
    -------
    proba : dask.array.Array of shape (n_samples, n_classes)
        ``estimator.predict_proba`` of each row block of ``X``, with the same
        row chunks and a single column chunk.

    Raises
    ------
    TypeError
        If ``estimator`` has no ``predict_proba`` method (a regressor).

    See Also
    --------
    predict : The predicted classes, lazily.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> from sklearn_shallow.dask import predict_proba
    >>> X, y = load_iris(return_X_y=True)
    >>> model = ShallowNNClassifier(n1=8, solver="lbfgs", random_state=0).fit(X, y)
    >>> proba = predict_proba(model, da.from_array(X, chunks=(50, 4)))
    >>> proba.shape, proba.chunks[1]
    ((150, 3), (3,))
    >>> bool(abs(proba.sum(axis=1) - 1).max().compute() < 1e-12)
    True
    """
    return _map_row_blocks(estimator, "predict_proba", X)


# --------------------------------------------------------------- validation


def _check_partial_fit(estimator):
    # hasattr is False, not an error, for ShallowNNClassifier(solver='lbfgs'):
    # partial_fit is hidden there by scikit-learn's available_if.
    if not callable(getattr(estimator, "partial_fit", None)):
        raise TypeError(
            f"estimator must have a partial_fit method; {estimator!r} has none "
            "(for ShallowNNClassifier, use solver='adam', 'sgd' or 'gd')."
        )


def _check_classes(estimator, classes):
    if classes is not None and not is_classifier(estimator):
        raise TypeError(
            f"classes applies to classifiers only; {estimator!r} is not one "
            "(leave classes=None for a regressor)."
        )


def _needs_classes(estimator, classes, y):
    """Whether the classes must be found from ``y``: for an unfitted classifier, 1-D ``y``.

    A fitted classifier keeps its ``classes_``, even when the blocks hold only
    some of them; a regressor has no classes, so ``y`` is never read for them.
    """
    return (
        classes is None
        and is_classifier(estimator)
        and not hasattr(estimator, "classes_")
        and _ndim(y) == 1
    )


def _check_epochs(epochs):
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, Integral):
        raise TypeError(f"epochs must be an int; got {epochs!r} of type {type(epochs).__name__}.")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1; got epochs={epochs}.")
    return int(epochs)


def _is_dask_frame(data):
    """A dask DataFrame or Series, told by duck typing so that dask.dataframe stays optional."""
    return (
        dask.is_dask_collection(data)
        and not isinstance(data, da.Array)  # arrays have .partitions too
        and hasattr(data, "partitions")
    )


# ------------------------------------------------------------------ blocks


def _split_X(X):
    """The lazy row blocks of ``X`` and their sizes (``nan`` where unknown)."""
    if _is_dask_frame(X):
        if _ndim(X) != 2:
            raise ValueError("X must be a dask DataFrame, not a dask Series.")
        return [X.partitions[i] for i in range(X.npartitions)], (np.nan,) * X.npartitions
    if not isinstance(X, da.Array):
        raise TypeError(
            "X must be a dask array or a dask DataFrame; got "
            f"{type(X).__module__}.{type(X).__name__}. For in-memory data, call "
            "the estimator's fit or partial_fit directly."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}.")
    return [X.blocks[i] for i in range(X.numblocks[0])], X.chunks[0]


def _split_like_X(data, name, row_chunks):
    """Split ``y`` or ``sample_weight`` into pieces that line up with the row blocks of ``X``."""
    n_blocks = len(row_chunks)
    if data is None:
        return [None] * n_blocks
    known = not np.isnan(row_chunks).any()
    if _is_dask_frame(data):
        if data.npartitions != n_blocks:
            raise ValueError(
                f"{name} has {data.npartitions} partitions but X has {n_blocks} row blocks; "
                "they must match."
            )
        return [data.partitions[i] for i in range(n_blocks)]
    if isinstance(data, da.Array):
        if data.numblocks[0] == n_blocks and (
            not known or np.isnan(data.chunks[0]).any() or data.chunks[0] == row_chunks
        ):
            return [data.blocks[i] for i in range(n_blocks)]
        if known and not np.isnan(data.shape[0]):
            _check_length(data.shape[0], name, row_chunks)
            data = data.rechunk({0: row_chunks})
            return [data.blocks[i] for i in range(n_blocks)]
        raise ValueError(
            f"{name} has {data.numblocks[0]} row blocks of unknown size but X has "
            f"{n_blocks}; they must match."
        )
    if not known:
        raise ValueError(
            f"{name} must be a dask collection when the row blocks of X have unknown "
            f"sizes; got {type(data).__name__}."
        )
    data = np.asarray(data)
    _check_length(data.shape[0], name, row_chunks)
    stops = np.cumsum(row_chunks)
    return [data[stop - size : stop] for size, stop in zip(row_chunks, stops, strict=True)]


def _check_length(n_rows, name, row_chunks):
    if n_rows != sum(row_chunks):
        raise ValueError(f"{name} has {n_rows} rows but X has {sum(row_chunks)}.")


def _compute_block(i, X_block, y_block, w_block):
    """Compute block ``i`` of ``X``, ``y`` and the weights together.

    One ``dask.compute`` call shares the tasks the three have in common, e.g.
    when ``y`` is a function of ``X``.
    """
    Xb, yb, wb = dask.compute(X_block, y_block, w_block)
    for name, part in (("y", yb), ("sample_weight", wb)):
        if part is not None and _num_rows(part) != _num_rows(Xb):
            raise ValueError(
                f"Row block {i}: X has {_num_rows(Xb)} rows but {name} has {_num_rows(part)}."
            )
    return Xb, yb, wb


def _unique_labels(y_blocks):
    """The sorted classes of ``y``, computed one block at a time."""
    found = [np.unique(np.asarray(dask.compute(block)[0])) for block in y_blocks]
    return np.unique(np.concatenate(found))


def _train_on_block(estimator, i, X_block, y_block, w_block, classes):
    """Compute block ``i`` and run ``partial_fit`` on it.

    The computed block lives only inside this call, so that it is released
    before the next one is computed: one block in memory, not two.
    """
    Xb, yb, wb = _compute_block(i, X_block, y_block, w_block)
    if not _num_rows(Xb):
        return
    kwargs = {}
    if classes is not None:
        kwargs["classes"] = classes
    if wb is not None:
        kwargs["sample_weight"] = wb
    estimator.partial_fit(Xb, yb, **kwargs)


def _ndim(data):
    return data.ndim if hasattr(data, "ndim") else np.ndim(data)


def _num_rows(data):
    return data.shape[0] if hasattr(data, "shape") else len(data)


# -------------------------------------------------------------- prediction


def _map_row_blocks(estimator, method, X):
    """``getattr(estimator, method)`` mapped over the row blocks of ``X``, lazily."""
    function = getattr(estimator, method, None)
    if not callable(function):
        raise TypeError(
            f"{method} needs an estimator with a {method} method; {estimator!r} has none."
        )
    check_is_fitted(estimator)
    if _is_dask_frame(X) and _ndim(X) == 2:
        return _map_partitions(function, X)
    if not isinstance(X, da.Array):
        raise TypeError(
            "X must be a dask array or a dask DataFrame; got "
            f"{type(X).__module__}.{type(X).__name__}. For in-memory data, call "
            f"estimator.{method} directly."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}.")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    probe = _probe(function, np.zeros((1, X.shape[1]), dtype=X.dtype))
    chunks = (X.chunks[0],) + tuple((n,) for n in probe.shape[1:])
    return X.map_blocks(
        function,
        dtype=probe.dtype,
        chunks=chunks,
        drop_axis=1 if probe.ndim == 1 else None,
        meta=probe[:0],
        token=method,
    )


def _map_partitions(function, frame):
    """``function`` over the partitions of a dask DataFrame: a dask array of unknown chunks."""
    import pandas as pd

    zeros = pd.DataFrame(0, index=[0], columns=frame.columns).astype(frame.dtypes.to_dict())
    probe = _probe(function, zeros)
    return frame.map_partitions(function, meta=probe[:0])


def _probe(function, one_row):
    """The output of ``function`` on one row of zeros: its dtype and width, computing no data."""
    return np.asarray(function(one_row))
