"""Named configurations of a state class: the machinery both the explainer's and the training panel's presets use.

A preset is short key -> (display name, config with the state's trait names). Applying one sets EVERY
configuration trait (the state's defaults overridden by the preset), so no leftover of an earlier choice stays.
Which preset a state shows is derived, never stored: the preset whose settings all match, else custom.
"""
import copy

from ..i18n import _

CUSTOM = ""  # the menu's value for "your own settings"


class PresetBook:
    """Lookup, completion, application and recognition of the presets in `table` for `state_class`."""

    def __init__(self, table, state_class, ignore=(), normalize=None):
        """`ignore`: traits that may differ from the preset's (e.g. seed: new weights keep the preset);
        `normalize(config)`: a config in the form the state holds it (to compare)."""
        self.table, self.state_class, self.ignore = table, state_class, frozenset(ignore)
        self.normalize = normalize or (lambda config: config)
        self._compared = {}   # key -> [(name, value)] matches() compares (presets and defaults do not change)

    def display_names(self):
        """[(display name, key)] in menu order, for a Dropdown."""
        return [(name, key) for key, (name, _) in self.table.items()]

    def resolve(self, name_or_key):
        """A preset's short key from its key or display name; a Keras-style ValueError otherwise."""
        if name_or_key in self.table:
            return name_or_key
        for key, (name, _unused) in self.table.items():
            if name_or_key in (name, _(name)):  # its English or its translated display name
                return key
        raise ValueError(f"Received an invalid value for `preset`, expected one of the keys {tuple(self.table)} "
                         f"or their display names. Received: preset={name_or_key!r}")

    def defaults(self):
        """Every configuration trait's default value in the state class, {name: value}."""
        traits = self.state_class.class_traits()
        return {name: traits[name].default() for name in self.state_class.config_names()}

    def config(self, key):
        """The complete configuration of preset `key` (a deep copy: callers may change it)."""
        return copy.deepcopy({**self.defaults(), **self.table[self.resolve(key)][1]})

    def apply(self, state, key):
        """Set every configuration trait of preset `key` in one update; returns False if the state refused."""
        return state.update(**self.config(key))

    def matches(self, state, key):
        """True when the state's configuration is preset `key` (traits in `ignore` may differ)."""
        if key not in self._compared:
            self._compared[key] = [(name, value) for name, value in self.normalize(self.config(key)).items()
                                   if name not in self.ignore]
        return all(getattr(state, name) == value for name, value in self._compared[key])

    def current(self, state):
        """The key of the preset the state's configuration is, or CUSTOM."""
        return next((key for key in self.table if self.matches(state, key)), CUSTOM)
