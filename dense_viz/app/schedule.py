"""Debounced, guarded callbacks: a burst of control events redraws once, and no exception is lost.

Inside a Jupyter or Voila kernel an asyncio event loop is running: `Debouncer.call(key, fn)` then waits
`delay` seconds and runs only the last `fn` given for `key`. With no running loop (headless tests, plain
scripts) it runs `fn` at once, so tests stay synchronous.
"""
import asyncio
import logging

log = logging.getLogger("dense_viz")


def guarded(fn, on_error):
    """Wrap fn(*args) so an exception goes to on_error(exception) (called inside the except block)."""
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:  # a callback must never die silently: report and keep the app alive
            on_error(error)
            return None
    run.__name__ = getattr(fn, "__name__", "callback")
    run.__doc__ = fn.__doc__
    return run


def _log_exception(error):
    log.exception("dense_viz: unexpected error in a scheduled callback: %s", error)


def running_loop():
    """The asyncio loop running in this thread (a kernel's), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Debouncer:
    """Run the last callback given per key once `delay` seconds pass without a newer one.

    `on_error(exception)` receives any exception a callback raises (default: log it).
    """

    def __init__(self, delay=0.03, on_error=None):
        self.delay = float(delay)
        self.on_error = on_error or _log_exception
        self._pending = {}  # key -> (asyncio.TimerHandle, fn)

    def call(self, key, fn):
        """Schedule fn() for `key` (replacing a pending one); runs now when no event loop is running."""
        loop = running_loop()
        if loop is None:
            self._cancel(key)
            self._run(fn)
            return
        self._cancel(key)
        handle = loop.call_later(self.delay, self._fire, key)
        self._pending[key] = (handle, fn)

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
