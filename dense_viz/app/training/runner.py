"""Training without freezing the UI: an asyncio task on the kernel's own event loop.

While `state.running` is True the task runs training steps in chunks of about `chunk_seconds` (never less
than `min_chunk_seconds`, so slow redraws cannot starve training), then yields
to the loop (`await asyncio.sleep(yield_seconds)`), so the kernel handles widget messages — Pause, any
other control — between chunks; those handlers run on the same thread, so they never see half a step.
Every `refresh_interval` seconds (10 per second by default) it calls `refresh()` (the app redraws the visible
views) and publishes the achieved steps per second. Pausing stops the task after its current chunk, with a
last refresh. The loop is the caller's to give (`explain_training` passes the kernel's when one runs); with
none (plain scripts, headless tests) nothing is started: train with `state.train(n)` instead.
"""
import asyncio
import time
from collections import deque



class Runner:
    """Drives `state` (a TrainingState) while state.running, calling `refresh()` at a steady rate."""

    def __init__(self, state, refresh, loop=None, chunk_seconds=0.04, refresh_interval=0.1, yield_seconds=0.002,
                 min_chunk_seconds=0.015, rate_window=1.0):
        """Train `state` on asyncio `loop` (None: never start) and call `refresh()` every `refresh_interval` s."""
        self.state = state
        self.loop = loop
        self.refresh = refresh
        self.chunk_seconds = float(chunk_seconds)
        self.min_chunk_seconds = float(min_chunk_seconds)
        self.refresh_interval = float(refresh_interval)
        self.yield_seconds = float(yield_seconds)
        self.rate_window = float(rate_window)
        self.refresh_times = deque(maxlen=600)  # perf_counter() of each refresh while running (bench, tests)
        self._task = None
        state.observe(self._running_changed, "running")

    @property
    def active(self):
        """True while the training task exists and has not finished."""
        return self._task is not None and not self._task.done()

    def start(self):
        """Start the training task on the loop; False (and nothing started) without one."""
        if self.active:
            return True
        if self.loop is None:
            return False
        self._task = self.loop.create_task(self._run())
        return True

    def _running_changed(self, change):
        if change["new"]:
            self.start()

    async def _run(self):
        """Chunks of steps, a yield after each, a refresh every refresh_interval, until state.running is False."""
        state = self.state
        marks = deque([(time.perf_counter(), state.step)])  # (time, step) for the steps-per-second readout
        next_refresh = time.perf_counter() + self.refresh_interval
        try:
            while state.running:
                now = time.perf_counter()
                budget = max(self.min_chunk_seconds, min(self.chunk_seconds, next_refresh - now))
                state.train(deadline=now + budget)
                now = time.perf_counter()
                if now >= next_refresh:
                    marks.append((now, state.step))
                    while len(marks) > 2 and now - marks[1][0] >= self.rate_window:
                        marks.popleft()
                    (t0, s0), (t1, s1) = marks[0], marks[-1]
                    state.steps_per_second = (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
                    # a steady cadence (no drift), but never a burst of catch-up refreshes after a slow one
                    next_refresh = max(next_refresh + self.refresh_interval, now + self.min_chunk_seconds)
                    self.refresh_times.append(now)
                    self.refresh()
                await asyncio.sleep(self.yield_seconds)
        except Exception as error:  # noqa: BLE001 - a failing step must pause training, not kill the kernel task
            state.running = False
            state.report(error)
        finally:
            self.refresh()  # the paused state, drawn once
