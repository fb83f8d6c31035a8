"""Warnings that point at the user's code, however deep in the package they are raised."""

import os
import sys
import warnings

import sklearn

_INSIDE = (
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
    os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep,
)


def warn(message, category):
    """``warnings.warn`` with the stack level of the first frame outside this package.

    Frames of scikit-learn (a ``Pipeline``, ``GridSearchCV``, the validation
    wrapper of ``fit``) are skipped too, so the warning names the line that
    called them.
    """
    level, frame = 2, sys._getframe(1)  # level 1 is this function
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INSIDE):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)
