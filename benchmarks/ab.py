"""Per-epoch time of two commits of the package, alternated in one run.

Each round runs ``run.py`` of the ``before`` commit, then of the ``after``
commit, each in its own process on its own checkout (``git archive`` into a
temporary folder), on the same workloads; ``MLPClassifier`` runs in both, so its
times show how much the machine itself drifted. The table gives, per workload,
dtype and solver, the median over rounds of our per-epoch time for each commit
and their ratio; and, since ``run.py`` times ours and MLP interleaved in one
process, the median over rounds of the ratio ours / MLP within each run, for
each commit, and how that ratio changed (the figure that machine drift between
runs moves least).

    python benchmarks/ab.py 6b99ece HEAD --workload digits binary100k --rounds 3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checkout(rev, folder):
    """The tree of ``rev`` (a commit of this repository) in ``folder``."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run_once(tree, workloads, repeats, threads, output):
    """``run.py`` of ``tree`` with ``tree`` first on the path; its rows of per-epoch times."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    rows = []
    for workload in workloads:
        out = output / workload
        command = [
            sys.executable,
            str(tree / "benchmarks" / "run.py"),
            "--workload",
            workload,
            "--no-target",
            "--repeats",
            str(repeats),
            "--threads",
            str(threads),
            "--output",
            str(out),
        ]
        subprocess.run(command, check=True, env=env, cwd=tree, stdout=subprocess.DEVNULL)
        rows += json.loads((out / "latest.json").read_text())["per_epoch"]
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--workload", nargs="+", default=["digits", "binary100k"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads of both")
    args = parser.parse_args(argv)
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {
            rev: checkout(rev, Path(tmp) / f"tree{i}")
            for i, rev in enumerate((args.before, args.after))
        }
        for r in range(args.rounds):
            for rev, tree in trees.items():
                rows = run_once(
                    tree, args.workload, args.repeats, args.threads, Path(tmp) / f"{rev}{r}"
                )
                for row in rows:
                    cell = (row["workload"], row["dtype"], row["solver"])
                    for who in ("ours-wired", "mlp"):
                        times.setdefault((cell, who, rev), []).append(row["seconds"][who])
                    ratio = row["seconds"]["ours-wired"] / row["seconds"]["mlp"]
                    times.setdefault((cell, "ours/mlp", rev), []).append(ratio)
                print(f"round {r + 1}: {rev} done", file=sys.stderr, flush=True)
    cells = sorted({key[0] for key in times})
    print(
        f"| workload | dtype | solver | ours {args.before} ms | ours {args.after} ms | ratio "
        f"| MLP ratio (same runs) | ours/MLP {args.before} | ours/MLP {args.after} | change |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for cell in cells:
        ours = [statistics.median(times[(cell, "ours-wired", rev)]) for rev in trees]
        mlp = [statistics.median(times[(cell, "mlp", rev)]) for rev in trees]
        within = [statistics.median(times[(cell, "ours/mlp", rev)]) for rev in trees]
        print(
            f"| {' | '.join(cell)} | {ours[0] * 1e3:.2f} | {ours[1] * 1e3:.2f} | "
            f"{ours[1] / ours[0]:.3f} | {mlp[1] / mlp[0]:.3f} | "
            f"{within[0]:.3f} | {within[1]:.3f} | {within[1] / within[0]:.3f} |"
        )


if __name__ == "__main__":
    main()
