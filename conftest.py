"""Test-session setup shared by the test suite and the doctests.

scikit-learn's array API checks need scipy's array API mode, which scipy reads
once at import: set it before anything imports scipy, so that no common check is
skipped for want of it.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Modules that need an optional extra raise ImportError (naming the extra) when it
# is missing; their doctests are then not collected rather than failing collection.
collect_ignore = []
try:
    import dask  # noqa: F401
    import distributed  # noqa: F401
except ImportError:
    collect_ignore.append("sklearn_shallow/dask.py")
try:
    import skops.io  # noqa: F401
except ImportError:
    collect_ignore.append("sklearn_shallow/io.py")
try:
    import onnxruntime  # noqa: F401
    import skl2onnx  # noqa: F401
except ImportError:
    collect_ignore.append("sklearn_shallow/onnx.py")
