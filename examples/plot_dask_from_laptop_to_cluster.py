"""
From a laptop to a cluster with dask
====================================

:class:`~sklearn_shallow.ShallowNNClassifier` trains with ``partial_fit``, one
chunk of data at a time, so the data never has to fit in memory.
:mod:`sklearn_shallow.dask` builds on this: :func:`~sklearn_shallow.dask.fit_incremental`
streams the row blocks of a :class:`dask.array.Array` through ``partial_fit``, and
:func:`~sklearn_shallow.dask.predict_proba` maps the trained network over the
blocks of another one, lazily.

The same code runs on a laptop (dask's threaded scheduler) and on a cluster (a
``distributed.Client``); here a small :class:`distributed.LocalCluster` stands in
for the cluster. Needs ``pip install "sklearn-shallow[dask]"``.
"""

# %%
# A data set defined lazily
# -------------------------
# ``X`` is 200,000 points of the square ``[-1, 1]²`` in 10 blocks of 20,000 rows;
# a point is of class 1 when it lies inside the circle of radius 0.7. Nothing is
# computed yet: a block is generated when a computation asks for it, and could
# as well be read from Parquet or Zarr files larger than memory.
import dask
import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow.dask import fit_incremental, predict, predict_proba


def circle_problem(n_samples, seed):
    X = da.random.default_rng(seed).uniform(-1, 1, size=(n_samples, 2), chunks=(20_000, 2))
    y = ((X**2).sum(axis=1) < 0.7**2).astype(int)
    return X, y


X, y = circle_problem(200_000, seed=0)
X_val, y_val = circle_problem(20_000, seed=1)
print(X)

# %%
# Training block by block, epoch by epoch
# ---------------------------------------
# Each call of ``fit_incremental(..., epochs=1)`` visits the 10 blocks once, in a
# random order, with one ``partial_fit`` call (one Adam epoch) per block. Between
# epochs, the validation probabilities are computed block by block with
# ``predict_proba`` and scored with scikit-learn's ``log_loss``. Passing one
# ``RandomState`` to every call gives each epoch its own block order, reproducibly.
model = ShallowNNClassifier(n1=16, activation="tanh", alpha=0.01, random_state=0)
rng = np.random.RandomState(0)
n_blocks = X.numblocks[0]
train_loss, val_loss = [], []
for _ in range(8):
    fit_incremental(model, X, y, classes=[0, 1], epochs=1, random_state=rng)
    # loss_curve_ has one entry per partial_fit call: average this epoch's blocks.
    train_loss.append(np.mean(model.loss_curve_[-n_blocks:]))
    proba_val, y_true = dask.compute(predict_proba(model, X_val), y_val)
    val_loss.append(log_loss(y_true, proba_val))

print(f"validation log loss after {len(val_loss)} epochs: {val_loss[-1]:.4f}")

# %%
# The same code on a cluster
# --------------------------
# With a ``distributed.Client`` open, dask computes the blocks on the cluster's
# workers and sends each one to this process, where ``partial_fit`` runs
# (stochastic gradient descent is sequential). On a real cluster, connect with
# ``Client("tcp://scheduler-address:8786")`` instead of starting a
# ``LocalCluster``; ``processes=False`` keeps this one inside the process, which
# starts in a fraction of a second.
#
# A hyper-parameter search is embarrassingly parallel: scikit-learn's
# ``GridSearchCV`` spreads its fits over the workers inside
# ``joblib.parallel_backend("dask")``, with no change to the estimator.
with (
    LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
    Client(cluster) as client,
):
    on_cluster = fit_incremental(
        ShallowNNClassifier(n1=16, activation="tanh", alpha=0.01, random_state=0),
        X,
        y,
        classes=[0, 1],
        epochs=2,
        random_state=0,
    )
    accuracy = (predict(on_cluster, X_val) == y_val).mean().compute()
    print(f"trained with blocks computed on the cluster: validation accuracy {accuracy:.3f}")

    X_small, y_small = X[:5_000].compute(), y[:5_000].compute()
    search = GridSearchCV(
        ShallowNNClassifier(activation="tanh", max_iter=50, tol=None, random_state=0),
        {"n1": [4, 16], "alpha": [0.001, 0.01]},
        cv=3,
        n_jobs=-1,
    )
    with joblib.parallel_backend("dask"):
        search.fit(X_small, y_small)
    print("best parameters of the search on the cluster:", search.best_params_)

# %%
# Learning curves
# ---------------
# The training loss of an epoch is the mean of its blocks' losses (each measured
# while that block was being learnt); the validation loss is measured after the
# epoch. Right: the decision of the network, evaluated lazily on a grid.
epochs = np.arange(1, len(train_loss) + 1)
fig, (ax_loss, ax_map) = plt.subplots(1, 2, figsize=(10, 4))
ax_loss.plot(epochs, train_loss, "o-", label="training (mean over blocks)")
ax_loss.plot(epochs, val_loss, "s-", label="validation")
ax_loss.set(xlabel="epoch (one pass over the 10 blocks)", ylabel="log loss")
ax_loss.set_title("fit_incremental on a 200,000-row dask array")
ax_loss.legend()

grid = np.linspace(-1, 1, 200)
xx, yy = np.meshgrid(grid, grid)
points = da.from_array(np.c_[xx.ravel(), yy.ravel()], chunks=(10_000, 2))
proba = predict_proba(model, points)[:, 1].compute().reshape(xx.shape)
ax_map.contourf(xx, yy, proba, levels=20, cmap="RdBu_r", vmin=0, vmax=1)
ax_map.add_patch(plt.Circle((0, 0), 0.7, fill=False, linestyle="--", color="k"))
ax_map.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
ax_map.set_title("P(class 1), with the true circle dashed")
fig.tight_layout()
plt.show()
