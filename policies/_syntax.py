"""The syntax tree of a CEL condition, read by Steward itself so its cost can be judged before it runs.

The `cel` library compiles and evaluates but shows no tree, and an evaluation cannot be interrupted,
so the policy checker parses each condition once more, here, after the library accepted it. The tree
keeps only what cost and the facts check (`policies._fact_check`) depend on: literals with their kinds
and sizes, names, calls, unary operators, the comprehension macros
(``all``, ``exists``, ``exists_one`` or ``existsOne``, ``map``, ``filter``) and operator chains
(``a + b + c`` is one node, so a long chain does not make a deep tree). Any method call shaped like a
macro (``target.f(name, ...)``) is read as a comprehension, so a macro the library adds later is not
mistaken for a cheap call. Brackets, calls, indexes and ``?:`` nested more than `max_depth` deep raise
`TooDeep` before the parser recurses further.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple


class TooDeep(Exception):
    """The expression nests brackets, calls, indexes or ``?:`` deeper than allowed."""


class Unreadable(Exception):
    """Text the `cel` library accepted but this reader does not understand."""


LiteralKind = Literal["int", "uint", "double", "string", "bytes", "bool", "null"]


@dataclass(frozen=True)
class Lit:
    """A literal; `text` is a string literal's value (for ``matches`` patterns), `size` its size in value units."""

    size: int
    text: str | None = None
    kind: LiteralKind = "int"


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Select:
    operand: "Node"
    field: str


@dataclass(frozen=True)
class Index:
    operand: "Node"
    index: "Node"


@dataclass(frozen=True)
class Call:
    """``f(args)`` or, with a `target`, ``target.f(args)``."""

    function: str
    target: "Node | None"
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Comprehension:
    """``range.macro(var, *body)``: ``map`` takes a transform or a filter and a transform, the others one predicate.

    `macro` is the library's macro (``all``, ``exists``, ``exists_one``, ``existsOne``, ``map``, ``filter``),
    or the name of another method called in a macro's shape.
    """

    macro: str
    range: "Node"
    var: str
    body: tuple["Node", ...]


@dataclass(frozen=True)
class Collection:
    """A list, map or message literal: its items (a map's keys and values alike, alternating)."""

    items: tuple["Node", ...]
    kind: Literal["list", "map", "message"] = "list"


@dataclass(frozen=True)
class Chain:
    """``operands[0] operators[0] operands[1] ...``, evaluated left to right, at one precedence."""

    operands: tuple["Node", ...]
    operators: tuple[str, ...]


@dataclass(frozen=True)
class Unary:
    operand: "Node"
    operators: tuple[Literal["!", "-"], ...] = ()
    """Outermost first: ``-!x`` is ``("-", "!")``."""


@dataclass(frozen=True)
class Conditional:
    condition: "Node"
    then: "Node"
    otherwise: "Node"


Node = Lit | Name | Select | Index | Call | Comprehension | Collection | Chain | Unary | Conditional


class Token(NamedTuple):
    kind: Literal["num", "str", "name", "op", "end"]
    text: str
    value: str = ""
    """A string literal's decoded value."""


_SPACE = re.compile(r"(?:\s+|//[^\n]*)+")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d+|\.\d+|\d+)(?:[eE][+-]?\d+)?[uU]?")
_STRING_START = re.compile(r"(?:[bB][rR]?|[rR][bB]?)?(?:\"\"\"|'''|\"|')")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR = re.compile(r"==|!=|<=|>=|&&|\|\||[-+*/%!<>?:.,()\[\]{}]")
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-3][0-7]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def tokens(source: str) -> Iterator[Token]:
    """The tokens of `source`, ending with an ``end`` token; comments and white space are skipped."""
    at = 0
    while True:
        space = _SPACE.match(source, at)
        if space:
            at = space.end()
        if at >= len(source):
            yield Token("end", "")
            return
        start = _STRING_START.match(source, at)
        if start:
            end, value = _string(source, start.end(), start.group())
            yield Token("str", source[at:end], value)
            at = end
            continue
        for kind, pattern in (("num", _NUMBER), ("name", _NAME), ("op", _OPERATOR)):
            found = pattern.match(source, at)
            if found:
                yield Token(kind, found.group())  # type: ignore[arg-type]  # kind is one of the literals
                at = found.end()
                break
        else:
            raise Unreadable(f"unexpected {source[at]!r} at column {at + 1}")


def _string(source: str, at: int, opening: str) -> tuple[int, str]:
    """Where the string literal whose body starts at `at` ends, and its value (escapes decoded unless raw)."""
    quote = opening.lstrip("bBrR")
    raw = "r" in opening[: len(opening) - len(quote)].lower()
    index = at
    while index < len(source):
        if source.startswith(quote, index):
            body = source[at:index]
            return index + len(quote), body if raw else _ESCAPE.sub(_decoded, body)
        index += 2 if source[index] == "\\" and not raw else 1
    raise Unreadable("a string literal is not closed")


def _decoded(escape: re.Match[str]) -> str:
    text = escape.group()[1:]
    if text[0] in "xuU" and len(text) > 1:
        code = int(text[1:], 16)
    elif text[0].isdigit() and len(text) == 3:
        code = int(text, 8)
    else:
        return _SIMPLE_ESCAPES.get(text, text)
    if code > 0x10FFFF:
        raise Unreadable(f"the escape \\{text} is beyond Unicode")
    return chr(code)


def _number_kind(text: str) -> LiteralKind:
    """``1`` is an int, ``1u`` a uint, ``1.0`` and ``1e3`` doubles (``0x1e`` is a hexadecimal int)."""
    if text[-1] in "uU":
        return "uint"
    if text[:2].lower() != "0x" and any(char in text for char in ".eE"):
        return "double"
    return "int"


def string_size(text: str) -> int:
    """The size of a string in value units: copying 64 bytes costs about as much as one list element."""
    return 1 + len(text.encode("utf-8", "surrogatepass")) // 64


_PRECEDENCE: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"<", "<=", ">", ">=", "==", "!=", "in"}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "%"}),
)


def parse(source: str, *, max_depth: int) -> Node:
    """The tree of `source` (CEL the library already compiled); `TooDeep` past `max_depth`, else `Unreadable`."""
    return _Parser(source, max_depth).whole()


class _Parser:
    def __init__(self, source: str, max_depth: int) -> None:
        self._tokens = list(tokens(source))
        self._at = 0
        self._depth = 0
        self._max_depth = max_depth

    def whole(self) -> Node:
        node = self._expression()
        self._expect("end")
        return node

    # -- tokens ---------------------------------------------------------------------------------

    def _peek(self, offset: int = 0) -> Token:
        return self._tokens[min(self._at + offset, len(self._tokens) - 1)]

    def _next(self) -> Token:
        token = self._peek()
        self._at += 1
        return token

    def _accept(self, text: str) -> bool:
        if self._peek().text == text and self._peek().kind in ("op", "name"):
            self._at += 1
            return True
        return False

    def _expect(self, text: str) -> Token:
        token = self._next()
        if token.text != text and not (text == "end" and token.kind == "end"):
            raise Unreadable(f"expected {text!r}, found {token.text or 'the end'!r}")
        return token

    # -- grammar, lowest precedence first ------------------------------------------------------------

    def _expression(self) -> Node:
        """A whole expression, one level deeper: brackets, arguments, indexes and ``?:`` branches come here."""
        self._depth += 1
        if self._depth > self._max_depth:
            raise TooDeep
        try:
            condition = self._binary(0)
            if not self._accept("?"):
                return condition
            then = self._expression()
            self._expect(":")
            return Conditional(condition, then, self._expression())
        finally:
            self._depth -= 1

    def _binary(self, level: int) -> Node:
        if level == len(_PRECEDENCE):
            return self._unary()
        operands = [self._binary(level + 1)]
        operators: list[str] = []
        while self._peek().text in _PRECEDENCE[level] and self._peek().kind in ("op", "name"):
            operators.append(self._next().text)
            operands.append(self._binary(level + 1))
        return operands[0] if not operators else Chain(tuple(operands), tuple(operators))

    def _unary(self) -> Node:
        operators: list[Literal["!", "-"]] = []
        while self._peek().text in ("!", "-") and self._peek().kind == "op":
            operators.append("!" if self._next().text == "!" else "-")
        operand = self._member()
        return Unary(operand, tuple(operators)) if operators else operand

    def _member(self) -> Node:
        node = self._primary()
        while True:
            if self._accept("."):
                field = self._next()
                if field.kind != "name":
                    raise Unreadable(f"expected a field name after '.', found {field.text!r}")
                if self._accept("("):
                    node = self._call(field.text, node, self._arguments(")"))
                else:
                    node = Select(node, field.text)
            elif self._accept("["):
                node = Index(node, self._expression())
                self._expect("]")
            elif self._peek().text == "{" and isinstance(node, Name | Select):
                self._next()
                node = Collection(self._entries(), "message")  # a message literal: Type{field: value}
            else:
                return node

    def _primary(self) -> Node:
        token = self._next()
        if token.kind == "num":
            return Lit(1, kind=_number_kind(token.text))
        if token.kind == "str":
            kind: LiteralKind = "bytes" if token.text[0] in "bB" or token.text[:2].lower() == "rb" else "string"
            return Lit(string_size(token.value), token.value, kind)
        if token.text == "(":
            node = self._expression()
            self._expect(")")
            return node
        if token.text == "[":
            return Collection(tuple(self._arguments("]")))
        if token.text == "{":
            return Collection(self._entries(), "map")
        if token.text == "." and self._peek().kind == "name":  # a name from the root scope: .customer
            token = self._next()
        if token.kind == "name":
            if token.text in ("true", "false", "null"):
                return Lit(1, kind="null" if token.text == "null" else "bool")
            if self._accept("("):
                return Call(token.text, None, tuple(self._arguments(")")))
            return Name(token.text)
        raise Unreadable(f"unexpected {token.text or 'end'!r}")

    def _arguments(self, closing: str) -> list[Node]:
        """Comma-separated expressions up to `closing` (a trailing comma allowed, as CEL allows in literals)."""
        items: list[Node] = []
        while not self._accept(closing):
            items.append(self._expression())
            if not self._accept(","):
                self._expect(closing)
                break
        return items

    def _entries(self) -> tuple[Node, ...]:
        """``key: value`` pairs up to ``}``, keys and values alike."""
        items: list[Node] = []
        while not self._accept("}"):
            items.append(self._expression())
            self._expect(":")
            items.append(self._expression())
            if not self._accept(","):
                self._expect("}")
                break
        return tuple(items)

    @staticmethod
    def _call(function: str, target: Node, args: list[Node]) -> Node:
        """A method call, or a comprehension when it has a macro's shape: a name, then at least one expression."""
        if len(args) >= 2 and isinstance(args[0], Name):
            return Comprehension(function, target, args[0].name, tuple(args[1:]))
        return Call(function, target, tuple(args))
