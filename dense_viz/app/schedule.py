"""Debounced callbacks: a burst of control events redraws once, and no exception is lost.

Time is the caller's: `Debouncer(delay, loop)` waits `delay` seconds on the asyncio `loop` it is given
(the kernel's, which `explain()` passes when one runs) and then runs only the last callback given per key.
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

    `on_error(exception)` receives any exception a callback raises (default: log it).
    """

    def __init__(self, delay=0.03, loop=None, on_error=None):
        self.delay, self.loop = float(delay), loop
        self.on_error = on_error or _log_exception
        self._pending = {}  # key -> (asyncio.TimerHandle, fn)

    def call(self, key, fn):
        """Schedule fn() for `key` (replacing a pending one); without a loop, run it now."""
        self._cancel(key)
        if self.loop is None:
            self._run(fn)
            return
        self._pending[key] = (self.loop.call_later(self.delay, self._fire, key), fn)

    def pending(self):
        """The keys with a callback waiting."""
        return tuple(self._pending)

    def flush(self):
        """Run every pending callback now (in the order they were first scheduled)."""
        for key in list(self._pending):
            handle, fn = self._pending.pop(key)
            handle.cancel()
            self._run(fn)

    def _cancel(self, key):
        entry = self._pending.pop(key, None)
        if entry is not None:
            entry[0].cancel()

    def _fire(self, key):
        entry = self._pending.pop(key, None)
        if entry is not None:
            self._run(entry[1])

    def _run(self, fn):
        try:
            fn()
        except Exception as error:  # report in the status line / log; the loop and the app stay alive
            self.on_error(error)
