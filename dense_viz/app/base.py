"""What every app state shares: configuration traits, one validate-and-revert path, and a status line.

A state class tags its configuration traits `.tag(config=True)`. Setting one (or several through `update`)
runs the subclass's `_apply(names)` once; if that raises, every trait set goes back to its old value and
`status` says what was expected and what was received (Keras' words). No ipywidgets here: states are plain
traitlets models that controls bind to and the apps observe.
"""
import logging
import traceback

from traitlets import HasTraits, TraitError, TraitType, Unicode

log = logging.getLogger("dense_viz")


def unrecognized(where, unknown, expected):
    """The Keras-style error for keyword arguments nobody expects."""
    return ValueError(f"Unrecognized keyword arguments passed to {where}: {sorted(unknown)}. "
                      f"Expected some of: {', '.join(expected)}.")


class AppState(HasTraits):
    """Base of ExplainerState and TrainingState: config traits, `update`, `status` and `status_level`."""

    status = Unicode("")
    status_level = Unicode("ok")  # "ok" | "warning" | "error"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._suspended = False  # True while traits are set or put back without applying them
        self.observe(self._config_changed, names=list(self.config_names()))

    # -- configuration -----------------------------------------------------------------------------------
    @classmethod
    def config_names(cls):
        """The configuration traits' names (tagged config=True), in declaration order (worked out once a class)."""
        if "_config_names" not in vars(cls):
            names = []
            for klass in reversed(cls.__mro__):
                names += [name for name, trait in vars(klass).items()
                          if isinstance(trait, TraitType) and trait.metadata.get("config") and name not in names]
            cls._config_names = tuple(names)
        return cls._config_names

    def config(self):
        """{name: value} of every configuration trait."""
        return {name: getattr(self, name) for name in self.config_names()}

    def update(self, **config):
        """Set several configuration traits and apply them once; on a refusal put them all back and report.

        Returns True when the state took the values. Unknown names raise the same error `explain()` gives.
        """
        unknown = set(config) - set(self.config_names())
        if unknown:
            raise unrecognized(f"{type(self).__name__}.update()", unknown, self.config_names())
        before = {name: getattr(self, name) for name in config}
        self._suspended = True
        try:
            for name, value in config.items():
                setattr(self, name, value)
        except Exception as error:  # a traitlets type error: report it like any other bad value
            self._revert(before)
            self.report(error)
            return False
        finally:
            self._suspended = False
        return self.apply(set(config), revert=before)

    def apply(self, names, revert=None):
        """Run `_apply(names)`; on an exception put the traits in `revert` back and report it. True on success."""
        try:
            self._apply(names)
        except Exception as error:  # engine errors are ValueErrors in Keras' words; anything else is a bug
            if revert:
                self._revert(revert)
            self.report(error)
            return False
        return True

    def _apply(self, names):
        """Make the derived numbers follow the configuration traits `names` that changed (subclasses)."""
        raise NotImplementedError

    def _config_changed(self, change):
        if not self._suspended:
            self.apply({change["name"]}, revert={change["name"]: change["old"]})

    def _revert(self, old_values):
        """Put traits back without applying them."""
        self._suspended = True
        try:
            for name, value in old_values.items():
                self.set_trait(name, value)
        finally:
            self._suspended = False

    # -- status --------------------------------------------------------------------------------------------
    def set_status(self, level, message):
        """Show `message` in the status line at `level` ('ok' | 'warning' | 'error')."""
        self.set_trait("status_level", level)
        self.status = message

    def report(self, error):
        """A refusal (ValueError, TraitError) shows its message; anything else is a bug: log its traceback too."""
        message = error if isinstance(error, str) else str(error) or type(error).__name__
        if isinstance(error, (str, ValueError, TraitError)):
            log.warning("dense_viz: %s", message)
        else:
            log.error("dense_viz: unexpected error\n%s", traceback.format_exc())
            message = f"{type(error).__name__}: {message}"
        self.set_status("error", message)
