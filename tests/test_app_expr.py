"""The number fields' integer arithmetic: accepted forms, each refusal's message, and Python's own eval as oracle.

eval runs here only, on strings the strategies below built or on text the parser has already accepted.
"""
import ast
import re

import pytest
from hypothesis import given, settings, strategies as st

from dense_viz.app.expr import MAX_LENGTH, MAX_MAGNITUDE, describe, parse_int, parse_int_tuple

GRAMMAR = "expected an integer or integer arithmetic such as 10*10*256 (digits, + - * // ** and parentheses)"
FAST = settings(deadline=200)


@pytest.mark.parametrize("text, value", [
    ("10*10*256", 25600), ("2**10", 1024), ("(5+3)*4", 32), ("1_000", 1000), ("  10 * 10\t* 256 ", 25600),
    ("-3", -3), ("+3", 3), ("- -3", 3), ("7//2", 3), ("-7//2", -4), ("5+3-1", 7), ("0x10", 16), ("0b101", 5),
    ("2**3**2", 512), ("-2**2", -4), ("(-2)**3", -8), ("0**0", 1), ("(-1)**(10**29+1)", -1), ("1**(10**29)", 1),
    ("2**99", 2**99), ("10**29*9", 9 * 10**29), ("(" * 40 + "1" + ")" * 40, 1), ("-" * 99 + "1", -1),
])
def test_accepts_integer_arithmetic_as_python_writes_it(text, value):
    assert parse_int(text, "units") == value


@pytest.mark.parametrize("text, reason", [
    ("1e9", "(1e9 is not an integer)"),
    ("2.5", "(2.5 is not an integer)"),
    ("3j", "(3j is not an integer)"),
    ("'5'", "('5' is not an integer)"),
    ("True", "(True is not an integer)"),
    ("abc", "(abc is not allowed)"),
    ("", "(empty)"),
    ("  ", "(empty)"),
    ("__import__('os')", "(__import__('os') is not allowed)"),
    ("1 if 1 else 2", "(1 if 1 else 2 is not allowed)"),
    ("[1]", "([1] is not allowed)"),
    ("1/2", "(1/2 is not allowed: / makes fractions, // divides whole numbers)"),
    ("5%3", "(5%3 is not allowed)"),
    ("1<<3", "(1<<3 is not allowed)"),
    ("5+", "(not readable as arithmetic)"),
    ("1 2", "(not readable as arithmetic)"),
    ("9**9**9", "(9**9**9 is too large to compute: every step must stay below 10**30)"),
    ("10**10**10", "(10**10**10 is too large to compute: every step must stay below 10**30)"),
    ("2**100", "(2**100 is too large to compute"),
    ("10**30-1", "(10**30 is too large: every step must stay below 10**30)"),
    ("10**29*10", "(10**29*10 is too large: every step must stay below 10**30)"),
    ("1" + "0" * 30, "is too large: every step must stay below 10**30)"),
    ("2**-1", "(2**-1 has a negative exponent, so it is not an integer)"),
    ("7//0", "(7//0 divides by zero)"),
    ("7//(3-3)", "(7//(3-3) divides by zero)"),
])
def test_refusals_say_what_was_expected_and_why(text, reason):
    with pytest.raises(ValueError) as info:
        parse_int(text, "units")
    message = str(info.value)
    assert message.startswith(f"Received an invalid value for `units`, {GRAMMAR}. Received: units={text!r} ")
    assert reason in message


@pytest.mark.parametrize("text", ["(" * 1000 + "1" + ")" * 1000, "1+" * 5000 + "1", "-" * 100_000 + "1", "9" * 5000])
def test_long_or_deeply_nested_text_is_refused_by_its_length(text):
    with pytest.raises(ValueError, match=rf"Received: units='.{{40}}\.\.\.' \({len(text)} characters; at most "
                                         rf"{MAX_LENGTH} are read\)"):
        parse_int(text, "units")


def test_bounds_are_worded_like_keras():
    with pytest.raises(ValueError, match=r"^Received an invalid value for `units`, expected a positive integer of at "
                                         r"most 65536\. Received: units=1000000 \(from '1_000_000'\)$"):
        parse_int("1_000_000", "units", minimum=1, maximum=65536)
    with pytest.raises(ValueError, match=r"expected a positive integer\. Received: units=0$"):
        parse_int(" 0 ", "units", minimum=1)
    with pytest.raises(ValueError, match=r"expected a non-negative integer\. Received: seed=-1$"):
        parse_int("-1", "seed", minimum=0)
    with pytest.raises(ValueError, match=r"expected an integer from 2 to 9\. Received: n=10 \(from '2\*5'\)$"):
        parse_int("2*5", "n", minimum=2, maximum=9)
    with pytest.raises(ValueError, match=r"expected an integer of at least 2\. Received: n=1$"):
        parse_int("1", "n", minimum=2)
    with pytest.raises(ValueError, match=r"expected an integer of at most 9\. Received: n=10$"):
        parse_int("10", "n", maximum=9)
    assert parse_int("2**16", "units", minimum=1, maximum=65536) == 65536


def test_an_int_is_checked_against_the_bounds_and_other_types_are_refused():
    assert parse_int(5, "units", minimum=1) == 5
    with pytest.raises(ValueError, match=r"expected a positive integer\. Received: units=0$"):
        parse_int(0, "units", minimum=1)
    for value, kind in [(True, "bool"), (2.5, "float"), (None, "NoneType"), (b"5", "bytes")]:
        with pytest.raises(ValueError, match=re.escape(GRAMMAR) +
                                             rf"\. Received: units={value!r} \(a {kind}\)$"):
            parse_int(value, "units")


def test_describe_shows_the_expression_and_its_value():
    assert describe("10*10*256", 25600) == "10*10*256 = 25600"
    assert describe(" 1_000 ", 1000) == "1_000 = 1000"
    assert describe(" 25600 ", 25600) == "25600"
    assert describe("-3", -3) == "-3"
    assert describe(7, 7) == "7"


@pytest.mark.parametrize("text, dims", [
    ("5", (5,)), ("5,3", (5, 3)), ("(5, 3)", (5, 3)), ("[5, 3]", (5, 3)), ("5,", (5,)), ("(5,)", (5,)),
    ("2*5, 3", (10, 3)), ("(5+3)*4, 2**2", (32, 4)), ("(5)+(3)", (8,)), ("", ()), ("  ", ()), ("()", ()),
])
def test_parse_int_tuple_reads_each_part_as_arithmetic(text, dims):
    assert parse_int_tuple(text, "leading_dims") == dims


@pytest.mark.parametrize("text, reason", [
    ("5,0", "(0 is below 1)"), ("5,2-2", "(2-2 = 0 is below 1)"), ("(5,3),2", "((5,3) is not allowed)"),
    ("5,,3", "(not readable as arithmetic)"), ("5;3", "(not readable as arithmetic)"), ("a,b", "(a is not allowed)"),
    ("5,2.5", "(2.5 is not an integer)"), ("5,9**9**9", "(9**9**9 is too large to compute"),
])
def test_parse_int_tuple_refusals_name_the_part(text, reason):
    with pytest.raises(ValueError) as info:
        parse_int_tuple(text, "leading_dims")
    message = str(info.value)
    assert message.startswith("Received an invalid value for `leading_dims`, expected comma-separated integers such "
                              "as 5 or 5,3 or 2*5,3 (each positive; digits, + - * // ** and parentheses). Received: "
                              f"leading_dims={text!r} ")
    assert reason in message


def test_parse_int_tuple_minimum():
    assert parse_int_tuple("0, -1", "dims", minimum=None) == (0, -1)
    assert parse_int_tuple("0, 1", "dims", minimum=0) == (0, 1)
    with pytest.raises(ValueError, match=r"\(each at least 2; .* \(1 is below 2\)$"):
        parse_int_tuple("3, 1", "dims", minimum=2)


# Expressions from a small grammar: int literals (plain, with underscores, hex), + - * // **, unary signs, parentheses
# and white space. Powers take a small exponent (possibly negative) and a parenthesised base when the base is itself
# a power, so Python's own eval of every string stays fast.
SPACE = st.sampled_from(["", " ", "  ", "\t"])
LITERALS = st.integers(0, 99_999).flatmap(lambda n: st.sampled_from([str(n), f"{n:_}", hex(n)]))
EXPONENTS = st.sampled_from(["0", "1", "2", "3", "-1", "(-2)", "(1+1)"])


def _extend(children):
    """Expressions one level deeper than `children`."""
    binary = st.builds("{}{}{}{}{}".format, children, SPACE, st.sampled_from(["+", "-", "*", "//"]), SPACE, children)
    power = st.builds(lambda base, s, e: f"({base}){s}**{s}{e}" if "**" in base else f"{base}{s}**{s}{e}",
                      children, SPACE, EXPONENTS)
    unary = st.builds("{}{}{}".format, st.sampled_from(["-", "+"]), SPACE, children)
    parenthesised = st.builds("({}{}{})".format, SPACE, children, SPACE)
    return binary | power | unary | parenthesised


EXPRESSIONS = st.builds("{}{}{}".format, SPACE, st.recursive(LITERALS, _extend, max_leaves=8), SPACE)


def python_value(text):
    """Python's value of `text`, or None where the parser must refuse it (too long; a step no int below 10**30)."""
    if len(text) > MAX_LENGTH:
        return None
    for node in ast.walk(ast.parse(text.strip(), mode="eval").body):
        if isinstance(node, ast.expr):
            try:
                value = eval(compile(ast.Expression(node), "<test>", "eval"))
            except ZeroDivisionError:
                return None
            if type(value) is not int or abs(value) >= MAX_MAGNITUDE:
                return None
    return eval(text.strip())


@FAST
@given(EXPRESSIONS, st.none() | st.integers(-100, 100), st.none() | st.integers(-100, 100))
def test_grammar_strings_give_pythons_value_and_are_accepted_within_bounds(text, minimum, maximum):
    expected = python_value(text)
    in_bounds = expected is not None and (minimum is None or expected >= minimum) and (
        maximum is None or expected <= maximum)
    if in_bounds:
        assert parse_int(text, "units", minimum=minimum, maximum=maximum) == expected
    else:
        with pytest.raises(ValueError, match="^Received an invalid value for `units`, expected "):
            parse_int(text, "units", minimum=minimum, maximum=maximum)


@FAST
@given(st.text(max_size=MAX_LENGTH + 10) | st.text("0123456789_+-*/%() .,eEjxXabTrue#\n\\'", max_size=30))
def test_any_text_is_refused_with_a_value_error_or_read_as_python_reads_it(text):
    try:
        value = parse_int(text, "units")
    except ValueError as error:
        assert str(error).startswith("Received an invalid value for `units`, expected ")
        return
    assert type(value) is int and value == eval(text.strip())  # accepted, so only digits and operators


@FAST
@given(EXPRESSIONS)
def test_describe_round_trips(text):
    try:
        value = parse_int(text, "units")
    except ValueError:
        return
    shown = describe(text, value)
    written, _, result = shown.rpartition(" = ")
    assert shown == (str(value) if text.strip() == str(value) else f"{text.strip()} = {value}")
    assert parse_int(result, "units") == value and parse_int(written or result, "units") == value


PARTS = st.integers(1, 9_999).map(str) | st.builds("{}*{}".format, st.integers(1, 99), st.integers(1, 99))


@FAST
@given(st.lists(PARTS, max_size=4), st.sampled_from(["{}", "({})", "[{}]"]), st.booleans())
def test_parse_int_tuple_reads_any_list_of_parts(parts, brackets, trailing_comma):
    inner = ", ".join(parts) + ("," if trailing_comma and parts else "")
    assert parse_int_tuple(brackets.format(inner), "leading_dims") == tuple(eval(part) for part in parts)
