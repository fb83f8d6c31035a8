"""sklearn-shallow: the course's one-hidden-layer neural network as scikit-learn estimators."""

from . import network
from ._classifier import ShallowNNClassifier
from ._devices import move_to
from ._regressor import ShallowNNRegressor

__version__ = "0.1.0"

__all__ = ["ShallowNNClassifier", "ShallowNNRegressor", "move_to", "network", "__version__"]
