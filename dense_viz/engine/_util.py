"""Small helpers shared by the engine modules: Keras-style name resolution and messages."""
import re


def snake_case(name):
    """'GlorotUniform' -> 'glorot_uniform'; snake names pass through unchanged."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def resolve(identifier, registry, kind, argname, instance_type):
    """Look `identifier` up in `registry` (name -> factory); instances of `instance_type` pass through."""
    if isinstance(identifier, instance_type):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in registry else snake_case(identifier)
        if key in registry:
            return registry[key]()
    raise ValueError(
        f"Could not interpret {kind} identifier: {identifier!r}. "
        f"Expected one of: {', '.join(sorted(registry))}. Received: {argname}={identifier!r}"
    )


class Configurable:
    """Base of Keras-style objects: `get_config()` gives the constructor arguments as plain values."""

    name = ""

    def get_config(self):
        """The constructor arguments as plain values."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"
