"""Named configurations of a state class: the machinery both the explainer's and the training panel's presets use.

A preset is short key -> (display name, config with the state's trait names). Applying one sets EVERY
configuration trait (the state's defaults overridden by the preset), so no leftover of an earlier choice stays.
"""
import copy

CUSTOM = ""  # state.preset when the configuration is the user's own


class PresetBook:
    """Lookup, completion and application of the presets in `table` for states of `state_class`."""

    def __init__(self, table, state_class, config_traits):
        self.table, self.state_class, self.config_traits = table, state_class, config_traits

    def display_names(self):
        """[(display name, key)] in menu order, for a Dropdown."""
        return [(name, key) for key, (name, _) in self.table.items()]

    def resolve(self, name_or_key):
        """A preset's short key from its key or display name; a Keras-style ValueError otherwise."""
        if name_or_key in self.table:
            return name_or_key
        for key, (name, _) in self.table.items():
            if name_or_key == name:
                return key
        raise ValueError(f"Received an invalid value for `preset`, expected one of the keys {tuple(self.table)} "
                         f"or their display names. Received: preset={name_or_key!r}")

    def defaults(self):
        """Every configuration trait's default value in the state class, {name: value}."""
        traits = self.state_class.class_traits()
        return {name: traits[name].default() for name in self.config_traits}

    def config(self, key):
        """The complete configuration of preset `key` (a deep copy: callers may change it)."""
        return copy.deepcopy({**self.defaults(), **self.table[self.resolve(key)][1]})

    def apply(self, state, key):
        """Set every configuration trait of preset `key` in one update; returns False if the state refused."""
        key = self.resolve(key)
        return state.update(**self.config(key), preset=key)
