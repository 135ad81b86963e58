"""Training without freezing the UI: an asyncio task on the kernel's own event loop, at the pace `state.speed` sets.

While `state.running` is True the task runs training steps in chunks of about `chunk_seconds` (never less
than `min_chunk_seconds`, so slow redraws cannot starve training), then yields
to the loop (`await asyncio.sleep(…)`), so the kernel handles widget messages — Pause, any
other control — between chunks; those handlers run on the same thread, so they never see half a step.
Every `refresh_interval` seconds (10 per second by default) it calls `refresh()` (the app redraws the visible
views) and publishes the achieved steps per second. Pausing stops the task after its current chunk, with a
last refresh. The loop is the caller's to give (`explain_training` passes the kernel's when one runs); with
none (plain scripts, headless tests) nothing is started: train with `state.train(n)` instead.

Pace: `state.speed` steps per second (inf: as fast as it goes). Step k after Play (or after a change of speed
or a rebuild) is due at k / speed seconds; a chunk runs the steps that are due (never a burst to catch up
after a stall: the schedule restarts). In slow motion (`state.slow_motion`, ≤ 4 steps/s) every step is
followed by a refresh and `tween_frames - 1` calls of `animate()`, evenly spaced until the next step, in which
the views tween (the gradient bars grow from their last heights to the new ones).
"""
import asyncio
import math
import time
from collections import deque


class Runner:
    """Drives `state` (a TrainingState) while state.running, calling `refresh()` at a steady rate."""

    def __init__(self, state, refresh, loop=None, chunk_seconds=0.04, refresh_interval=0.1, yield_seconds=0.002,
                 min_chunk_seconds=0.015, rate_window=1.0, animate=None, tween_frames=4, max_lag_seconds=0.5):
        """Train `state` on asyncio `loop` (None: never start) and call `refresh()` every `refresh_interval` s;
        in slow motion call `animate()` between steps (`tween_frames` frames per step, the refresh included)."""
        self.state = state
        self.loop = loop
        self.refresh = refresh
        self.animate = animate
        self.tween_frames = int(tween_frames)
        self.chunk_seconds = float(chunk_seconds)
        self.min_chunk_seconds = float(min_chunk_seconds)
        self.refresh_interval = float(refresh_interval)
        self.yield_seconds = float(yield_seconds)
        self.rate_window = float(rate_window)
        self.max_lag_seconds = float(max_lag_seconds)
        self.refresh_times = deque(maxlen=600)  # perf_counter() of each refresh while running (bench, tests)
        self.animate_times = deque(maxlen=600)  # perf_counter() of each animate() call (tests)
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

    def _due(self, now, schedule):
        """How many steps are due at `now` under `schedule` [t0, step0, speed, model_version] (None: no limit);
        restarts the schedule when the speed or the network changed, or when training fell behind."""
        state = self.state
        if math.isinf(state.speed):
            return None
        t0, step0, speed, version = schedule
        if speed != state.speed or version != state.model_version or state.step < step0:
            schedule[:] = [now, state.step, state.speed, state.model_version]
            return 1
        due = step0 + math.floor((now - t0) * speed) + 1 - state.step
        if due * (1.0 / speed) > self.max_lag_seconds:  # a stall (a slow redraw, a busy kernel): no burst
            schedule[:] = [now, state.step, state.speed, state.model_version]
            return 1
        return max(due, 0)

    def _next_step_time(self, schedule):
        """perf_counter() at which the next step is due (inf at max speed)."""
        t0, step0, speed, _version = schedule
        if math.isinf(self.state.speed):
            return -math.inf
        return t0 + (self.state.step - step0) / speed

    async def _sleep_until(self, when):
        """Yield to the loop until perf_counter() ≥ `when` (at least `yield_seconds`)."""
        await asyncio.sleep(max(self.yield_seconds, when - time.perf_counter()))

    async def _run(self):
        """Chunks of due steps, a yield after each, a refresh every refresh_interval (in slow motion after each
        step, then the tween frames), until state.running is False."""
        state = self.state
        marks = deque([(time.perf_counter(), state.step)])  # (time, step) for the steps-per-second readout
        next_refresh = time.perf_counter() + self.refresh_interval
        schedule = [time.perf_counter(), state.step, state.speed, state.model_version]
        try:
            while state.running:
                now = time.perf_counter()
                due = self._due(now, schedule)
                ran = 0
                if due != 0:
                    budget = max(self.min_chunk_seconds, min(self.chunk_seconds, next_refresh - now))
                    ran = state.train(steps=due, deadline=now + budget)
                now = time.perf_counter()
                slow = state.slow_motion and ran > 0
                if now >= next_refresh or slow:
                    marks.append((now, state.step))
                    while len(marks) > 2 and now - marks[1][0] >= self.rate_window:
                        marks.popleft()
                    (t0, s0), (t1, s1) = marks[0], marks[-1]
                    state.steps_per_second = (s1 - s0) / (t1 - t0) if t1 > t0 and s1 >= s0 else 0.0
                    # a steady cadence (no drift), but never a burst of catch-up refreshes after a slow one
                    next_refresh = max(next_refresh + self.refresh_interval, now + self.min_chunk_seconds)
                    self.refresh_times.append(now)
                    self.refresh()
                if slow:
                    await self._tween(now, self._next_step_time(schedule))
                    continue
                await self._sleep_until(min(next_refresh, self._next_step_time(schedule)))
        except Exception as error:  # noqa: BLE001 - a failing step must pause training, not kill the kernel task
            state.running = False
            state.report(error)
        finally:
            self.refresh()  # the paused state, drawn once

    async def _tween(self, start, end):
        """The tween frames of one slow-motion step: animate() at evenly spaced times from `start` to `end`."""
        frames = self.tween_frames
        for k in range(1, frames):
            await self._sleep_until(start + (end - start) * k / frames)
            if not self.state.running:
                return
            if self.animate is not None:
                self.animate_times.append(time.perf_counter())
                self.animate()
        await self._sleep_until(end)
