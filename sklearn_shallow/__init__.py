"""sklearn-shallow: the course's one-hidden-layer neural network as a scikit-learn classifier."""

from . import network
from ._classifier import ShallowNNClassifier
from ._devices import move_to

__version__ = "0.1.0"

__all__ = ["ShallowNNClassifier", "move_to", "network", "__version__"]
