"""The explainer in a real browser (Voila + headless Chromium via Playwright), timed inside the page.

1. Key press -> weights image repainted: Enter in the units field (performance.now() at keydown) until the
   first <img> of the Weights view has a new src (MutationObserver), has loaded, and a frame was drawn;
   also when the output-shape readout changed. 20 changes, default config and the question's preset.
2. Peak memory (VmHWM) of that page's kernel after the question's preset.
3. Page -> first interactive: navigation start until the units field is enabled and the visible tab shows
   its content; a few fresh page loads (each starts a kernel), then the same with one preheated kernel.
Prints medians / p95; asserts nothing.   Run: python3 dev.py bench browser
"""
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import conftest  # noqa: E402  (the test suite's Voila and Chromium helpers)
from browser import (UPDATE_TIMEOUT_MS, BrowserThread, choose_preset, image_srcs, open_app, open_tab,  # noqa: E402
                     refreshed, text_of, time_first_interactive, time_units_repaint)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

CHANGES = 20
WARMUP = 2
LOADS = 3
TARGETS = {"default": (50, 100), "question": (90, 250)}  # (median, p95) ms for "painted" (issue 11: medians 50 / 90)


def p95(values):
    """95th percentile (nearest rank) of a list of numbers."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def kernel_peak_mb(page):
    """VmHWM in MB of the kernel serving `page` (Linux /proc; None elsewhere)."""
    kernel_id = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                              ".kernelId")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if f"kernel-{kernel_id}.json" in (proc / "cmdline").read_bytes().decode(errors="replace"):
                line = next(l for l in (proc / "status").read_text().splitlines() if l.startswith("VmHWM:"))
                return int(line.split()[1]) / 1024
        except (OSError, StopIteration):
            continue
    return None


def bench_repaint(page, name, values):
    """Print label / src / painted medians and p95 over CHANGES units changes, alternating `values`."""
    rows = []
    for i in range(WARMUP + CHANGES):
        try:
            rows.append(time_units_repaint(page, values[i % 2]))
        except PlaywrightTimeoutError:
            print(f"{name:<9} change {i} to units={values[i % 2]}: no repaint within the timeout; output shape "
                  f"{text_of(page, '.dv-output-shape')!r}, status {text_of(page, '.dv-status')!r}")
    rows = rows[WARMUP:]
    median_target, p95_target = TARGETS[name]
    for key in ("label", "src", "painted"):
        series = [row[key] for row in rows if row[key] is not None]
        if not series:
            print(f"{name:<9} {key:<8}  (no change seen)")
            continue
        target = f"≤ {median_target} / ≤ {p95_target}" if key == "painted" else ""
        print(f"{name:<9} {key:<8} {statistics.median(series):8.1f} {p95(series):8.1f}   {target}")


def bench_first_interactive(browser, url, label):
    """Print first-interactive times of LOADS fresh page loads."""
    times = [time_first_interactive(browser, url) for _ in range(LOADS)]
    print(f"page -> first interactive, {label}: median {statistics.median(times):.0f} ms "
          f"(each: {', '.join(f'{t:.0f}' for t in times)})")


def bench_page(browser, url):
    """Sections 1-3 against one server: repaint timings, kernel peak memory, first-interactive times."""
    print(f"\nkey press -> repaint, ms over {CHANGES} units changes:")
    print(f"{'config':<9} {'until':<8} {'median':>8} {'p95':>8}   target (median / p95)")
    page, events = open_app(browser.context, url + "?preset=custom")  # the default configuration
    open_tab(page, "Weights")
    bench_repaint(page, "default", (4, 3))
    before = image_srcs(page, ".dv-weights-view")[0]
    # Let the preset land completely (readouts, then the image) before timing: a change typed while the
    # preset still draws is merged with it by the app's debouncer, as it should be.
    with refreshed(page):
        choose_preset(page)
    page.wait_for_function("([old]) => document.querySelector('.dv-output-shape').textContent"
                           ".includes('(None, 25600)') && document.querySelector('.dv-weights-view img')"
                           ".src !== old", arg=[before], timeout=UPDATE_TIMEOUT_MS)
    bench_repaint(page, "question", (25000, 25600))
    peak = kernel_peak_mb(page)
    print(f"\nkernel peak RSS (VmHWM) after the question's preset: {'n/a' if peak is None else f'{peak:.0f} MB'}")
    if events.problems:
        print("page problems:", *events.problems, sep="\n  ")
    page.close()
    print()
    bench_first_interactive(browser.browser, url, "a kernel started per page")


def main():
    conftest.pytest_configure(None)  # Jupyter paths in a temp dir, the venv's kernel, the app template
    try:
        browser = BrowserThread(conftest.find_chromium())  # Playwright in its own thread, as in the tests
    except Exception as error:
        sys.exit(f"bench_browser: no Chromium to launch ({error}); set DV_CHROMIUM, or run python3 dev.py test once")
    log_dir = Path(conftest._TEMP["base"])
    print(__doc__.strip().splitlines()[0])
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset (one thread per core)')}")
    try:
        proc, url = conftest.start_voila(log_dir / "voila.log")
        try:
            browser.run(bench_page, browser, url)
        finally:
            conftest.stop_process(proc)
        proc, url = conftest.start_voila(log_dir / "voila-preheat.log", "--preheat_kernel=True", "--pool_size=1")
        try:
            times = []
            for _ in range(LOADS):
                time.sleep(15)  # let the pool refill (a kernel start plus running the notebook)
                times.append(browser.run(time_first_interactive, browser.browser, url))
            print(f"page -> first interactive, one preheated kernel: median {statistics.median(times):.0f} ms "
                  f"(each: {', '.join(f'{t:.0f}' for t in times)})")
        finally:
            conftest.stop_process(proc)
    finally:
        browser.close()
        conftest.pytest_unconfigure(None)


if __name__ == "__main__":
    main()
