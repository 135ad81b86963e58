"""Debounced callbacks: a burst of control events redraws once, and no exception is lost.

Time is the caller's: `Debouncer(delay, loop)` waits `delay` seconds on the asyncio `loop` it is given
(the kernel's, which `explain()` passes when one runs) and then runs only the last callback given per key.
With `leading=True` the first call of a burst runs at once (no wait for the first redraw) and the rest of the
burst coalesces into one trailing call `delay` after its last event: at most two runs per burst.
With `loop=None` it runs every callback at once, synchronously (headless tests, plain scripts). Nothing
here asks whether some loop happens to be running.
"""
import asyncio
import logging

log = logging.getLogger("dense_viz")


def kernel_loop():
    """The asyncio loop running in this thread (a Jupyter kernel's while it executes a cell), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _log_exception(error):
    log.exception("dense_viz: unexpected error in a scheduled callback: %s", error)


class Debouncer:
    """Run the last callback given per key once `delay` seconds pass without a newer one (on `loop`).

    `leading=True`: a call for a key that is quiet (nothing called for `delay` seconds) runs at once; calls that
    follow within `delay` of each other wait, and only the last of them runs, `delay` after it.
    `on_error(exception)` receives any exception a callback raises (default: log it).
    """

    def __init__(self, delay=0.03, loop=None, on_error=None, leading=False):
        self.delay, self.loop, self.leading = float(delay), loop, bool(leading)
        self.on_error = on_error or _log_exception
        self._pending = {}  # key -> (asyncio.TimerHandle, fn, or None for a quiet window after a run)

    def call(self, key, fn):
        """Schedule fn() for `key` (replacing a pending one); run it now without a loop, or (leading) when the
        key is quiet."""
        quiet = key not in self._pending
        self._cancel(key)
        if self.loop is None:
            self._run(fn)
            return
        if self.leading and quiet:
            self._pending[key] = (self.loop.call_later(self.delay, self._fire, key), None)
            self._run(fn)
            return
        self._pending[key] = (self.loop.call_later(self.delay, self._fire, key), fn)

    def pending(self):
        """The keys with a callback waiting."""
        return tuple(key for key, (_handle, fn) in self._pending.items() if fn is not None)

    def flush(self):
        """Run every pending callback now (in the order they were first scheduled)."""
        for key in list(self._pending):
            handle, fn = self._pending.pop(key)
            handle.cancel()
            if fn is not None:
                self._run(fn)

    def _cancel(self, key):
        entry = self._pending.pop(key, None)
        if entry is not None:
            entry[0].cancel()

    def _fire(self, key):
        entry = self._pending.pop(key, None)
        if entry is not None and entry[1] is not None:
            if self.leading:  # the trailing run opens a quiet window of its own: a burst still runs twice at most
                self._pending[key] = (self.loop.call_later(self.delay, self._fire, key), None)
            self._run(entry[1])

    def _run(self, fn):
        try:
            fn()
        except Exception as error:  # report in the status line / log; the loop and the app stay alive
            self.on_error(error)
