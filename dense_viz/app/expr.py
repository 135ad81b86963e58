"""Integer arithmetic for the number fields: '10*10*256' -> 25600, read from Python's AST and never eval'd.

Accepted: int literals as Python writes them (1_000; also 0x10, 0o17 and 0b101, which are ints in Python too),
+ - * // **, unary + and -, parentheses and white space. Refused with a Keras-style ValueError: everything else
(floats, names, calls, /, %, bools, ...), text longer than MAX_LENGTH, floor division by zero, negative exponents,
and any literal, step or result of MAX_MAGNITUDE or more. A power is judged from bit lengths before it is computed,
so 9**9**9 is refused at once. MAX_LENGTH also bounds the tree: at most about 100 nodes, nested as deep.
"""
import ast
import operator
import warnings

MAX_LENGTH = 100  # characters read at most
MAX_MAGNITUDE = 10**30  # every literal, step and result stays below this in absolute value
MAX_MAGNITUDE_TEXT = "10**30"
_MAX_BITS = MAX_MAGNITUDE.bit_length()  # 100: 2**99 < 10**30 < 2**100
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
           ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_GRAMMAR = "integer arithmetic such as 10*10*256 (digits, + - * // ** and parentheses)"


class _Refused(Exception):
    """Why a text is not accepted; the public functions turn it into a Keras-style ValueError."""


def _segment(source, node):
    """The part of `source` that `node` was read from, e.g. '9**9**9'."""
    return ast.get_source_segment(source, node)


def _parse(source):
    """The AST of the expression `source` (stripped, at most MAX_LENGTH characters); _Refused otherwise."""
    if not source:
        raise _Refused("empty")
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence": the text is refused or read, not reported
            warnings.simplefilter("ignore")
            return ast.parse(source, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _Refused("not readable as arithmetic") from None


def _power(left, right, source, node):
    """left ** right, refused before computing when the exponent is negative or the result too large."""
    if right < 0:
        raise _Refused(f"{_segment(source, node)} has a negative exponent, so it is not an integer")
    if abs(left) > 1 and (abs(left).bit_length() - 1) * right >= _MAX_BITS:  # |left| >= 2**(bits - 1)
        raise _Refused(f"{_segment(source, node)} is too large to compute: every step must stay below "
                       f"{MAX_MAGNITUDE_TEXT}")
    return left**right


def _evaluate(node, source):
    """The int value of a whitelisted AST `node` read from `source`; _Refused otherwise."""
    if isinstance(node, ast.Constant):
        if type(node.value) is not int:  # bool, float, complex, str, bytes, None, Ellipsis
            raise _Refused(f"{_segment(source, node)} is not an integer")
        value = node.value
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        value = _UNARY[type(node.op)](_evaluate(node.operand, source))
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left, source), _evaluate(node.right, source)
        if isinstance(node.op, ast.FloorDiv) and right == 0:
            raise _Refused(f"{_segment(source, node)} divides by zero")
        if isinstance(node.op, ast.Pow):
            value = _power(left, right, source, node)
        else:
            value = _BINARY[type(node.op)](left, right)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        raise _Refused(f"{_segment(source, node)} is not allowed: / makes fractions, // divides whole numbers")
    else:
        raise _Refused(f"{_segment(source, node)} is not allowed")
    if abs(value) >= MAX_MAGNITUDE:
        raise _Refused(f"{_segment(source, node)} is too large: every step must stay below {MAX_MAGNITUDE_TEXT}")
    return value


def _read(text, name, expected, compute):
    """compute(stripped text) for a str `text`, with every refusal worded as a Keras-style ValueError."""
    shown = text
    try:
        if not isinstance(text, str):
            raise _Refused(f"a {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            shown = text[:40] + "..."
            raise _Refused(f"{len(text)} characters; at most {MAX_LENGTH} are read")
        return compute(text.strip())
    except (RecursionError, MemoryError):
        reason = "nested too deeply"
    except _Refused as refusal:
        reason = str(refusal)
    raise ValueError(f"Received an invalid value for `{name}`, expected {expected}. Received: {name}={shown!r} "
                     f"({reason})")


def _wanted(minimum, maximum):
    """What the bounds allow, in words: 'a positive integer of at most 65536', 'an integer from 2 to 9', ..."""
    if minimum is not None and minimum not in (0, 1):
        return f"an integer of at least {minimum}" if maximum is None else f"an integer from {minimum} to {maximum}"
    kind = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}[minimum]
    return kind if maximum is None else f"{kind} of at most {maximum}"


def parse_int(text, name, *, minimum=None, maximum=None):
    """The value of integer arithmetic `text` (e.g. '10*10*256' -> 25600); a Keras-style ValueError otherwise."""
    if type(text) is int:
        value = text
    else:
        value = _read(text, name, f"an integer or {_GRAMMAR}", lambda source: _evaluate(_parse(source), source))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        origin = f" (from {text!r})" if isinstance(text, str) and text.strip() != str(value) else ""
        raise ValueError(f"Received an invalid value for `{name}`, expected {_wanted(minimum, maximum)}. "
                         f"Received: {name}={value}{origin}")
    return value


def describe(text, value):
    """'10*10*256 = 25600' when the text is an expression, else just '25600' (what the field shows after Enter)."""
    written = str(text).strip()
    return written if written == str(value) else f"{written} = {value}"


def parse_int_tuple(text, name, *, minimum=1):
    """'5' -> (5,), '5,3' / '(5, 3)' / '[5, 3]' -> (5, 3), '5,' -> (5,), '2*5, 3' -> (10, 3), '' -> ()."""
    each = {None: "", 0: "each non-negative; ", 1: "each positive; "}.get(minimum, f"each at least {minimum}; ")
    expected = f"comma-separated integers such as 5 or 5,3 or 2*5,3 ({each}digits, + - * // ** and parentheses)"

    def part(node, source):
        value = _evaluate(node, source)
        if minimum is not None and value < minimum:
            raise _Refused(f"{describe(_segment(source, node), value)} is below {minimum}")
        return value

    def parts(source):
        if not source:
            return ()
        body = _parse(source)
        nodes = body.elts if isinstance(body, (ast.Tuple, ast.List)) else [body]
        return tuple(part(node, source) for node in nodes)

    return _read(text, name, expected, parts)
