"""sklearn-shallow: the course's one-hidden-layer neural network as a scikit-learn classifier."""

from . import network
from ._classifier import ShallowNNClassifier

__version__ = "0.1.0"

__all__ = ["ShallowNNClassifier", "network", "__version__"]
