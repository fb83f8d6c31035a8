"""The demo `python -m sklearn_shallow` runs, reports, plots and rejects bad options."""

import pytest

from sklearn_shallow.__main__ import main


def test_demo_reports_the_search_and_saves_the_curves(capsys, tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (extra [plot])")
    out_file = tmp_path / "curves.png"
    argv = ["--dataset", "iris", "--n1", "4", "8", "--alpha", "0.01", "--cv", "2"]
    assert main([*argv, "--quiet", "--plot", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "2 settings x 2 folds" in out
    assert "best: n1=" in out and "test accuracy" in out
    assert out_file.stat().st_size > 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--n1", "0"], "--n1 values must be >= 1"),
        (["--alpha", "-1"], "--alpha values must be > 0"),
        (["--cv", "1"], "--cv must be >= 2"),
        (["--dataset", "mnist"], "invalid choice"),
    ],
)
def test_demo_rejects_bad_options(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
