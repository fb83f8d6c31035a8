"""Secure persistence of fitted models with skops, without pickle.

A pickle file runs arbitrary code when it is loaded. The skops format stores
objects as data and refuses, when loaded, any type that has not been trusted
explicitly. :func:`load` trusts exactly :data:`TRUSTED_TYPES`: the estimator of
this package. Everything its fitted state holds (numpy arrays and scalars, lists,
dicts, ``str``, ``int``, ``float``, ``bool``, ``None``) and scikit-learn's own
estimators (a ``Pipeline`` with a ``MinMaxScaler``, say) are trusted by skops
itself, so nothing else is needed. A model whose ``callback`` is a function is
refused: a function is code, not data.

skops is optional: ``pip install "sklearn-shallow[skops]"``.
"""

__all__ = ["TRUSTED_TYPES", "dump", "load"]

#: The only types, beyond skops's defaults, that :func:`load` accepts.
TRUSTED_TYPES = ("sklearn_shallow._classifier.ShallowNNClassifier",)


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

    Parameters
    ----------
    estimator : object
        The model to save, e.g. a fitted :class:`~sklearn_shallow.ShallowNNClassifier`.
    file : str, path-like or binary file object
        Where to write.

    Raises
    ------
    ImportError
        When skops is not installed.

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
    >>> dump(model, buffer)  # doctest: +SKIP
    >>> _ = buffer.seek(0)
    >>> bool((load(buffer).predict(X) == model.predict(X)).all())  # doctest: +SKIP
    True
    """
    _skops_io().dump(estimator, file)


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
    >>> dump(model, buffer)  # doctest: +SKIP
    >>> _ = buffer.seek(0)
    >>> load(buffer).score(X, y) == model.score(X, y)  # doctest: +SKIP
    True
    """
    return _skops_io().load(file, trusted=list(TRUSTED_TYPES))
