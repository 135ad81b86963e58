"""Python side of the explainer: control change -> visible view drawn (Agg to PNG) and readouts updated.

For the default configuration and the question's preset, for each tab made visible in turn: 30 changes of
the units field (a shape change: new kernel, views rebuilt) and 30 "new weights" clicks (a value change:
artists updated in place), through the app's own path (control widget -> state -> debounced refresh of the
visible view + readouts; outside a kernel the debouncer runs at once, and is flushed to be sure).
Then the peak memory (VmHWM) of a real Jupyter kernel that shows the question's preset.
Prints a table; asserts nothing.   Run: python3 dev.py bench app   (or .venv/bin/python bench/bench_app.py)
"""
import os
import statistics
import sys
import tempfile
import textwrap
import time

_TMP = tempfile.mkdtemp(prefix="dense_viz-bench-")  # unless dev.py set them: nothing written into home
for _var in ("MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
    os.environ.setdefault(_var, os.path.join(_TMP, _var.lower()))

from dense_viz import explain  # noqa: E402
from dense_viz.app.app import TABS  # noqa: E402

CHANGES = 30
WARMUP = 3
CONFIGS = (("default", {}, (4, 3), 30.0), ("question", {"preset": "question"}, (25000, 25600), 100.0))


def p95(values):
    """95th percentile (nearest rank) of a list of numbers."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def time_changes(app, change, n):
    """[(total ms, view-refresh ms, process CPU ms)] for n calls of change(i), each flushed through the app's
    debouncer. CPU time (all threads) is less sensitive than wall time to other jobs on a shared machine."""
    timings = []
    for i in range(n):
        start, cpu = time.perf_counter(), time.process_time()
        change(i)
        app.debouncer.flush()
        timings.append(((time.perf_counter() - start) * 1e3, app.last_refresh_seconds * 1e3,
                        (time.process_time() - cpu) * 1e3))
    return timings


def bench_config(name, config, units_values, target):
    """Print one row per (tab, kind of change) for explain(**config)."""
    app = explain(**config)
    units_field = app.controls.controls["units"]
    kinds = {"units typed": lambda i: setattr(units_field, "value", str(units_values[i % 2])),
             "new weights": lambda i: app.controls.controls["new_weights"].click()}
    for index, (key, title) in enumerate(TABS):
        app.tabs.selected_index = index
        for kind, change in kinds.items():
            time_changes(app, change, WARMUP)
            rows = time_changes(app, change, CHANGES)
            total, view, cpu = ([row[k] for row in rows] for k in range(3))
            verdict = "ok" if statistics.median(total) <= target and p95(total) <= target else "SLOW"
            numbers = (statistics.median(total), p95(total), statistics.median(view), p95(view), statistics.median(cpu))
            print(f"{name:<9} {title:<13} {kind:<12} " + " ".join(f"{x:8.1f}" for x in numbers)
                  + f"   ≤ {target:.0f}   {verdict}")
            if app.state.status_level == "error":
                print(f"          status: {app.state.status}")


KERNEL_CODE = textwrap.dedent("""
    from dense_viz import explain
    app = explain(preset="question")
    for i in range(len(app.tabs.children)):   # draw every view once, as a learner clicking through the tabs
        app.tabs.selected_index = i
        app.debouncer.flush()
    for units in (25000, 25600):
        app.controls.controls["units"].value = str(units)
        app.debouncer.flush()
    app
""")


def kernel_peak_rss_mb():
    """(baseline MB, peak MB) VmHWM of a fresh python3 kernel, before and after showing the question's preset."""
    from jupyter_client.manager import start_new_kernel

    def vm(client, field):
        reply = client.execute_interactive(
            f"print([l.split()[1] for l in open('/proc/self/status') if l.startswith('{field}:')][0])",
            output_hook=lambda msg: msg["msg_type"] == "stream" and out.append(msg["content"]["text"]), timeout=120)
        assert reply["content"]["status"] == "ok", reply["content"]
        return int(out.pop().strip()) / 1024

    out = []
    km, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        baseline = vm(client, "VmHWM")
        reply = client.execute_interactive(KERNEL_CODE, output_hook=lambda msg: None, timeout=600)
        if reply["content"]["status"] != "ok":
            return baseline, float("nan")
        return baseline, vm(client, "VmHWM")
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    print(__doc__.strip().splitlines()[0])
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset (one thread per core)')}")
    print(f"median / p95 over {CHANGES} changes, milliseconds; 'total' = control change -> state recompute -> "
          "readouts + visible view drawn; 'view' = the view's refresh() alone; 'cpu' = median process CPU time of "
          "'total'\n")
    header = " ".join(f"{h:>8}" for h in ("total", "p95", "view", "p95", "cpu"))
    print(f"{'config':<9} {'tab':<13} {'change':<12} {header}   target")
    for name, config, units_values, target in CONFIGS:
        bench_config(name, config, units_values, target)
    if sys.platform.startswith("linux"):
        baseline, peak = kernel_peak_rss_mb()
        print(f"\nkernel peak RSS (VmHWM): {baseline:.0f} MB idle kernel; {peak:.0f} MB after the question's preset "
              "with every tab drawn and two units changes")


if __name__ == "__main__":
    main()
