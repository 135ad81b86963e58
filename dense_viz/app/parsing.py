"""Text -> trait value, one parser per kind of trait, shared by the number fields and by links (?units=…).

A parser takes what a person typed (or a link carried) and returns the trait's value, or raises a Keras-style
ValueError saying what was expected and what was received. Nothing is ever `eval`ed: integers go through
`expr` (an AST whitelist), names are checked by the state against the engine's lists.
"""
import math

from traitlets import Bool, Float, Int, List, Tuple

from .expr import parse_int, parse_int_tuple

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def integer(name, high=None):
    """Integer arithmetic ('10*10*256'); above `high` (this app's limit) is refused here, below 1 by the state
    in its own words."""
    def parse(text):
        value = parse_int(text, name)
        if high is not None and value > high:
            raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer of at most "
                             f"{high} (this app's limit). Received: {name}={value}"
                             + (f" (from {text!r})" if str(text).strip() != str(value) else ""))
        return value
    return parse


def non_negative(name):
    """A finite number ≥ 0 (a float, or its text)."""
    def parse(value):
        number = _number(name, value, "a non-negative number such as 0.01")
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"Received an invalid value for `{name}`, expected a non-negative number such as "
                             f"0.01. Received: {name}={value}")
        return number
    return parse


def number(name):
    """A finite number (a float, or its text); the state judges its range."""
    def parse(value):
        result = _number(name, value, "a number such as 0.01")
        if not math.isfinite(result):
            raise ValueError(f"Received an invalid value for `{name}`, expected a finite number. Received: "
                             f"{name}={value}")
        return result
    return parse


def _number(name, value, expected):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise ValueError(f"Received an invalid value for `{name}`, expected {expected}. Received: "
                         f"{name}={value!r}") from None


def dims(name):
    """'5' -> (5,), '5,3' / '(5, 3)' / '2*5,3' -> (…), '' -> ()."""
    return lambda text: parse_int_tuple(text, name, minimum=1)


def format_dims(values):
    """(5, 3) -> '5,3'; () -> ''."""
    return ",".join(str(d) for d in values)


def boolean(name):
    """'1' / 'true' / 'yes' / 'on' -> True, '0' / 'false' / 'no' / 'off' -> False (any case)."""
    def parse(text):
        if isinstance(text, bool):
            return text
        word = str(text).strip().lower()
        if word in TRUE or word in FALSE:
            return word in TRUE
        raise ValueError(f"Received an invalid value for `{name}`, expected one of 1, 0, true, false. "
                         f"Received: {name}={text!r}")
    return parse


def text_parser(name, trait):
    """The parser of a link's text for trait `name` of a state class (by the trait's type and tags)."""
    custom = trait.metadata.get("parse")
    if custom is not None:
        return custom
    if isinstance(trait, Bool):
        return boolean(name)
    if isinstance(trait, Int):
        return integer(name, trait.metadata.get("maximum"))
    if isinstance(trait, Float):
        return non_negative(name) if trait.metadata.get("non_negative") else number(name)
    if isinstance(trait, (Tuple, List)):
        return dims(name)
    return lambda text: str(text).strip()


def text_formatter(trait):
    """How a link writes a trait's value as text (the inverse of text_parser)."""
    custom = trait.metadata.get("format")
    if custom is not None:
        return custom
    if isinstance(trait, Bool):
        return lambda value: "1" if value else "0"
    if isinstance(trait, Float):
        return repr
    if isinstance(trait, (Tuple, List)):
        return format_dims
    return str
