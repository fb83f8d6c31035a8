"""The order of the gallery: from the course's steps to the estimator at work."""

from sphinx_gallery.sorting import FileNameSortKey

ORDER = [
    "plot_steps_by_hand.py",
    "plot_training_curves.py",
    "plot_decision_boundaries.py",
    "plot_grid_search.py",
    "plot_class_weight.py",
    "plot_compare_mlp.py",
    "plot_regression.py",
]


class ExampleOrder(FileNameSortKey):
    """Examples named in ``ORDER`` first, in that order, then the others by file name."""

    def __call__(self, filename):
        name = str(filename)
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)
