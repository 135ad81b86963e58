"""What every app state shares: a status line, error reporting in Keras' words, and putting traits back.

No ipywidgets here: states are plain traitlets models that controls link to and views observe.
"""
import logging
import traceback

from traitlets import HasTraits, Unicode

log = logging.getLogger("dense_viz")


class AppState(HasTraits):
    """Base of ExplainerState and TrainingState: `status`, `status_level` and how errors reach them."""

    status = Unicode("")
    status_level = Unicode("ok")  # "ok" | "warning" | "error"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._suspended = False  # True while traits are set or put back without a recompute

    def set_status(self, level, message):
        """Show `message` in the status line at `level` ('ok' | 'warning' | 'error')."""
        self.set_trait("status_level", level)
        self.status = message

    def report_error(self, error):
        """Show an error in the status line (the state itself is unchanged)."""
        message = error if isinstance(error, str) else str(error) or type(error).__name__
        log.warning("dense_viz: %s", message)
        self.set_status("error", message)

    def report_exception(self, error):
        """For unexpected exceptions in callbacks: log the traceback, show the message."""
        log.error("dense_viz: unexpected error\n%s", traceback.format_exc())
        self.report_error(f"{type(error).__name__}: {error}")

    def report(self, error):
        """ValueErrors speak Keras: show them; anything else is a bug: log its traceback too."""
        if isinstance(error, ValueError):
            self.report_error(error)
        else:
            self.report_exception(error)

    def _revert(self, old_values):
        """Put traits back without triggering a recompute."""
        self._suspended = True
        try:
            for name, value in old_values.items():
                self.set_trait(name, value)
        finally:
            self._suspended = False
