"""Before / after, in one run: a bench script of this checkout and of an older revision, interleaved.

The machine is shared and noisy, so two runs an hour apart say little; this runs the same bench for both trees
in turns (before, after, before, after, ...), each in its own process with its own tree first on sys.path, and
prints the median of each figure over the rounds side by side with the ratio after / before.

    python3 dev.py bench compare [REV] [--bench app|training|browser] [--rounds N]

REV defaults to 0db3bec (the tree before the architecture change of issue 7). The older tree is checked out with
`git worktree add --detach` into a temporary folder and removed afterwards. Asserts nothing.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REV = "0db3bec"
# Which lines of each bench's output are figures: (regex with a `label` and a `value` group, higher is better)
FIGURES = {
    "app": (re.compile(r"^(?P<label>(?:default|question)\s+.+?\s+(?:units typed|new weights))\s+(?P<value>[\d.]+)"),
            False),
    "training": (re.compile(r"^\s*(?P<label>(?:batch\s+\d+: engine train_step|tab [^:]+:))\s+(?P<value>[\d.]+)"
                            r" steps/s"), True),
    "browser": (re.compile(r"^(?P<label>(?:default|question)\s+(?:label|src|painted))\s+(?P<value>[\d.]+)"), False),
}


def run_bench(tree, bench):
    """{label: value} from one run of `tree`'s bench/bench_<bench>.py (its own dense_viz first on sys.path)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(tree), os.environ.get("PYTHONPATH")) if p))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    done = subprocess.run([sys.executable, str(tree / "bench" / f"bench_{bench}.py")], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"bench_{bench}.py of {tree} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    pattern, _higher = FIGURES[bench]
    found = {}
    for line in done.stdout.splitlines():
        match = pattern.match(line)
        if match:
            found[re.sub(r"\s+", " ", match["label"])] = float(match["value"])
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", default=DEFAULT_REV)
    parser.add_argument("--bench", choices=sorted(FIGURES), default="app")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    before_tree = Path(tempfile.mkdtemp(prefix="dense_viz-before-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(before_tree), args.rev], cwd=ROOT, check=True)
    runs = {"before": [], "after": []}
    try:
        for round_ in range(args.rounds):
            for name, tree in (("before", before_tree), ("after", ROOT)):
                print(f"round {round_ + 1}/{args.rounds}: bench_{args.bench}.py of {name} ...", flush=True)
                runs[name].append(run_bench(tree, args.bench))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=ROOT, check=False)
    higher = FIGURES[args.bench][1]
    unit = "steps/s (higher is better)" if higher else "ms (lower is better)"
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    print(f"\nbench_{args.bench}.py, median over {args.rounds} interleaved rounds, {unit}; "
          f"before = {args.rev}, after = {rev.strip()} (this checkout, with its uncommitted changes)")
    print(f"{'figure':<44} {'before':>9} {'after':>9} {'after/before':>13}")
    labels = list(dict.fromkeys(label for run in runs["after"] + runs["before"] for label in run))
    for label in labels:
        values = {name: [run[label] for run in runs[name] if label in run] for name in runs}
        if not values["before"] or not values["after"]:
            side = "after" if values["after"] else "before"
            print(f"{label:<44} {'—' if side == 'after' else statistics.median(values['before']):>9} "
                  f"{statistics.median(values['after']) if side == 'after' else '—':>9}   (only {side})")
            continue
        b, a = statistics.median(values["before"]), statistics.median(values["after"])
        ratio = a / b if b else float("nan")
        worse = ratio < 0.95 if higher else ratio > 1.05
        print(f"{label:<44} {b:9.1f} {a:9.1f} {ratio:12.2f}{'  worse' if worse else ''}")


if __name__ == "__main__":
    main()
