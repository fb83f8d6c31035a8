"""The same network trained the way a PyTorch user would write it, as a benchmark contender.

``TorchReference(solver, n1, epochs, seed).fit(X, y)`` trains, on the CPU and in
``X``'s dtype, ``Linear(n0, n1) -> relu -> Linear(n1, n2)`` with the loss of
:class:`~sklearn_shallow.ShallowNNClassifier` (cross-entropy, sigmoid for two
classes and softmax otherwise, plus ``l2 / (2 m) ||W||²``) for exactly
``epochs`` epochs: ``gd`` is ``torch.optim.SGD`` on one batch of all samples,
``adam`` is ``torch.optim.Adam`` on shuffled batches of 200; gradients come from
autograd. It is what the issue's "PyTorch CPU" reference figure measures, run
side by side in ``run.py --torch`` with the same thread count
(``torch.set_num_threads``) and the same data. ``torch`` is imported when a
reference is built, so ``run.py`` works without it.
"""

import numpy as np

L2 = 1e-4  # ShallowNNClassifier's default l2
LEARNING_RATE = {"gd": 0.01, "adam": 0.01}  # ShallowNNClassifier's default alpha
BATCH = 200


def available():
    """Whether torch can be imported."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


class TorchReference:
    """A PyTorch CPU training loop with ``fit(X, y)``, for timing only."""

    def __init__(self, solver, n1, epochs, seed, threads):
        self.solver, self.n1, self.epochs = solver, n1, epochs
        self.seed, self.threads = seed, threads

    def fit(self, X, y):
        import torch

        torch.set_num_threads(self.threads)
        torch.manual_seed(self.seed)
        dtype = torch.float32 if X.dtype == np.float32 else torch.float64
        classes, labels = np.unique(y, return_inverse=True)
        binary = len(classes) == 2
        X_t = torch.from_numpy(np.ascontiguousarray(X))
        if binary:
            target = torch.from_numpy(labels.astype(X.dtype)).reshape(-1, 1)
            cost = torch.nn.BCEWithLogitsLoss(reduction="sum")
        else:
            target = torch.from_numpy(labels.astype(np.int64))
            cost = torch.nn.CrossEntropyLoss(reduction="sum")
        model = torch.nn.Sequential(
            torch.nn.Linear(X.shape[1], self.n1),
            torch.nn.ReLU(),
            torch.nn.Linear(self.n1, 1 if binary else len(classes)),
        ).to(dtype)
        weights = [model[0].weight, model[2].weight]
        optimizer = (
            torch.optim.SGD(model.parameters(), lr=LEARNING_RATE["gd"])
            if self.solver == "gd"
            else torch.optim.Adam(model.parameters(), lr=LEARNING_RATE["adam"])
        )
        m = X.shape[0]
        batch = m if self.solver == "gd" else BATCH
        for _ in range(self.epochs):
            order = torch.randperm(m) if self.solver != "gd" else None
            for start in range(0, m, batch):
                rows = slice(start, start + batch)
                index = order[rows] if order is not None else rows
                Xb, Yb = X_t[index], target[index]
                optimizer.zero_grad(set_to_none=True)
                penalty = sum((W * W).sum() for W in weights)
                loss = (cost(model(Xb), Yb) + 0.5 * L2 * penalty) / Xb.shape[0]
                loss.backward()
                optimizer.step()
        self.loss_ = float(loss.detach())
        return self
