"""Training speed of the training panel: a 2-8-8-1 net (tanh, sigmoid output, Adam) on 200 points (160 train).

1. engine only: Sequential.train_step in a loop (batch 32 and full batch);
2. the state: TrainingState.run_steps (train_step + the per-step history, test loss included);
3. with the live views: the app's own Runner on an asyncio loop (as in a kernel, minus the comm traffic)
   for a few seconds with each lower tab visible: achieved steps/s, view refreshes per second, and the
   time one refresh of the visible views takes;
4. each view's refresh alone: the usual case (cached static layer, only the data redrawn) and a full draw.
Targets (issue 4): ≥ 200 steps/s engine-only, ≥ 10 view refreshes per second while training.
Prints a table; asserts nothing.   Run: .venv/bin/python bench/bench_training.py
"""
import asyncio
import os
import statistics
import sys
import tempfile
import time

_TMP = tempfile.mkdtemp(prefix="dense_viz-bench-")  # nothing written into home
for _var in ("MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
    os.environ.setdefault(_var, os.path.join(_TMP, _var.lower()))

from dense_viz import Dense, Sequential  # noqa: E402
from dense_viz.app.training import TrainingApp  # noqa: E402
from dense_viz.app.training.state import TrainingState  # noqa: E402
from dense_viz.app.training.views import (BoundaryView, GradientFlowView, LossView, NormsView,  # noqa: E402
                                          ReadoutView, UnitsView)
from dense_viz.engine import datasets, optimizers  # noqa: E402
from dense_viz.plots.render import FrameCache  # noqa: E402

CONFIG = {"dataset": "circle", "n_samples": 200, "hidden_layers": [{"units": 8, "activation": "tanh"}] * 2,
          "optimizer": "adam", "learning_rate": 0.01}
# the Runner's pace: as fast as it goes (the app's default is a watchable speed); {} where no `speed` exists
MAX_SPEED = {"speed": float("inf")} if "speed" in TrainingState.class_trait_names() else {}
SECONDS = 2.0
PLAY_SECONDS = 4.0


def rate(step, seconds=SECONDS):
    """Calls of step() per second over `seconds` (median of 3 runs)."""
    rates = []
    for _ in range(3):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            step()
            n += 1
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def engine_rate(batch_size):
    """Steps/s of Sequential.train_step alone, cycling through the training set in batches."""
    data = datasets.make("circle", 200, 0.1, 0.8, 0)
    model = Sequential([Dense(8, activation="tanh", seed=1), Dense(8, activation="tanh", seed=2),
                        Dense(1, activation="sigmoid", seed=3)], input_shape=(2,))
    optimizer = optimizers.Adam(0.01)
    x, y, n = data.x_train.astype("float32"), data.y_train, len(data.x_train)
    position = [0]

    def step():
        i = position[0]
        model.train_step(x[i:i + batch_size], y[i:i + batch_size], "binary_crossentropy", optimizer)
        position[0] = (i + batch_size) % n
    return rate(step)


def state_rate(batch_size):
    """Steps/s of TrainingState.run_steps (10 per call) including the recorded history."""
    state = TrainingState(**CONFIG, batch_size=batch_size)
    return 10 * rate(lambda: state.train(10))


def play(tab):
    """(steps/s, refreshes/s, median and p90 refresh ms) of the app playing for PLAY_SECONDS with `tab` open."""
    async def scenario():
        app = TrainingApp(TrainingState(**CONFIG, **MAX_SPEED, batch_size=32), loop=asyncio.get_running_loop())
        app.tabs.selected_index = tab
        app.refresh_seconds.clear()
        start = time.perf_counter()
        app.state.running = True
        await asyncio.sleep(PLAY_SECONDS)
        app.state.running = False
        elapsed = time.perf_counter() - start
        await asyncio.sleep(0.2)
        return app, elapsed

    app, elapsed = asyncio.run(scenario())
    times = list(app.runner.refresh_times)
    refresh_ms = sorted(1000 * s for s in app.refresh_seconds)
    return (app.state.step / elapsed, (len(times) - 1) / (times[-1] - times[0]),
            statistics.median(refresh_ms), refresh_ms[int(0.9 * (len(refresh_ms) - 1))])


def view_times():
    """{view: (median ms cached, median ms full draw)} over 20 refreshes each, after 500 steps."""
    state = TrainingState(**CONFIG, batch_size=32)
    views = {"readout": ReadoutView(state), "loss": LossView(state), "boundary": BoundaryView(state),
             "gradients": GradientFlowView(state), "units": UnitsView(state), "norms": NormsView(state)}
    state.train(500)
    for view in views.values():
        view.refresh()
    results = {}
    for key, view in views.items():
        timings = {"cached": [], "full": []}
        for kind in ("cached", "full"):
            for _ in range(20):
                state.train(1)
                if kind == "full" and hasattr(view, "frames"):
                    view.frames = FrameCache(view.frames.fig)  # a fresh cache: the static frame drawn again
                start = time.perf_counter()
                view.refresh()
                timings[kind].append(1000 * (time.perf_counter() - start))
        results[key] = (statistics.median(timings["cached"]), statistics.median(timings["full"]))
    return results


def main():
    print(f"python {sys.version.split()[0]}, 2-8-8-1 tanh/sigmoid, Adam, circle: 160 train / 40 test points")
    print(f"load average: {os.getloadavg()[0]:.2f} (other processes on this machine slow every number below)")
    print("\n1-2. steps per second (target >= 200 engine-only)")
    for batch in (32, 160):
        print(f"  batch {batch:>3}: engine train_step {engine_rate(batch):8.0f} steps/s   "
              f"TrainingState.run_steps (with history) {state_rate(batch):8.0f} steps/s")
    print(f"\n3. playing with live views for {PLAY_SECONDS:.0f} s (target >= 10 refreshes/s)")
    for tab, name in ((0, "gradient flow"), (1, "units + norms")):
        steps, refreshes, median, p90 = play(tab)
        print(f"  tab {name:<14}: {steps:7.0f} steps/s, {refreshes:5.1f} refreshes/s, "
              f"one refresh of the visible views: median {median:5.1f} ms, p90 {p90:5.1f} ms")
    print("\n4. one view's refresh (median of 20, after 500 steps): cached static layer / full draw")
    for key, (cached, full) in view_times().items():
        print(f"  {key:<10} {cached:6.1f} ms / {full:6.1f} ms")


if __name__ == "__main__":
    main()
