"""sklearn-shallow: the course's one-hidden-layer neural network as scikit-learn estimators."""

from . import network
from ._classifier import ShallowNNClassifier
from ._devices import move_to
from ._regressor import ShallowNNRegressor
from ._search import ShallowNNClassifierCV, ShallowNNRegressorCV

__version__ = "0.1.0"

__all__ = [
    "ShallowNNClassifier",
    "ShallowNNClassifierCV",
    "ShallowNNRegressor",
    "ShallowNNRegressorCV",
    "move_to",
    "network",
    "__version__",
]
