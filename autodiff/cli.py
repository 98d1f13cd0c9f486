"""The ``autodiff`` command line (also ``python -m autodiff``).

    autodiff graph "tanh(x*w + b)" --at x=0.5 w=-1.5 b=2 -o graph.svg

parses the expression, runs it forward and backward on ``Value``, prints each variable's value
and gradient, and writes the picture (format from the extension: svg, png, pdf or dot).

The expression is data, never code: a small tokenizer and recursive-descent parser accept only

    expression := term (('+' | '-') term)*
    term       := factor (('*' | '/') factor)*
    factor     := ('-' | '+')* atom ('**' factor)?    -x**2 = -(x**2) and 2**3**2 = 2**9, as in Python
    atom       := NUMBER | NAME | FUNCTION '(' expression ')' | '(' expression ')'

with FUNCTION one of ``ops.UNARY_FUNCTIONS``, and compile it to reverse Polish notation, which
a stack machine evaluates without recursion. Nothing is ever passed to eval, exec or compile.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import AutodiffError, DomainError
from .mathns import SCALAR
from .ops import UNARY_FUNCTIONS
from .value import Value

MAX_DEPTH = 200
"""Deepest nesting of parentheses, function calls and powers the parser accepts. It keeps the
parser's recursion (two Python frames per level) well below Python's limit of 1000."""
MAX_LENGTH = 100_000
"""Longest expression accepted, in characters."""

PICTURE_FORMATS = ("svg", "png", "pdf", "dot")

_FUNCTIONS = frozenset(UNARY_FUNCTIONS)
_ALLOWED = ("numbers, variable names, + - * / **, parentheses and the functions "
            + ", ".join(UNARY_FUNCTIONS))
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# the longest run that could be meant as one number: digits, letters, dots, and a sign after e/E
_NUMBER_RUN = re.compile(r"[0-9.](?:[0-9A-Za-z_.]|(?<=[eE])[+-])*")
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SIGNED_NUMBER = re.compile(r"[+-]?" + _NUMBER.pattern)


class ExpressionError(AutodiffError, ValueError):
    """A command-line expression or value that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Token:
    kind: str    # "num", "name", "op" (+ - * / **), "(" or ")"
    text: str
    column: int  # 1-based, for messages
    value: float = 0.0


def _describe(tok: Token | None) -> str:
    if tok is None:
        return "the end of the expression"
    if tok.kind == "num":
        return f"number {tok.text} at column {tok.column}"
    if tok.kind == "name":
        return f"name '{tok.text}' at column {tok.column}"
    return f"'{tok.text}' at column {tok.column}"


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens, rejecting any character outside the allow-list."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        col = i + 1
        if c.isspace():
            i += 1
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            run = _NUMBER_RUN.match(text, i).group()
            if not _NUMBER.fullmatch(run):
                hint = ""
                m = _NUMBER.match(run)
                if m and _NAME.fullmatch(run[m.end():]):
                    hint = f" (for a product write {m.group()}*{run[m.end():]})"
                raise ExpressionError(f"malformed number '{run}' at column {col}{hint}")
            value = float(run)
            if not math.isfinite(value):
                raise ExpressionError(f"number {run} at column {col} is too large (it overflows a float)")
            tokens.append(Token("num", run, col, value))
            i += len(run)
        elif c.isalpha() or c == "_":
            m = _NAME.match(text, i)
            if m is None:  # a letter outside ASCII
                raise ExpressionError(f"unexpected character {c!r} at column {col}: names use the "
                                      "letters a-z, A-Z, digits and _")
            tokens.append(Token("name", m.group(), col))
            i = m.end()
        elif text.startswith("**", i):
            tokens.append(Token("op", "**", col))
            i += 2
        elif c in "+-*/":
            tokens.append(Token("op", c, col))
            i += 1
        elif c == "\u2212":  # the typographic minus sign, as in printed formulas
            tokens.append(Token("op", "-", col))
            i += 1
        elif c in "()":
            tokens.append(Token(c, c, col))
            i += 1
        else:
            raise ExpressionError(_bad_character(c, col, tokens))
    return tokens


def _bad_character(c: str, col: int, tokens: list[Token]) -> str:
    if c == "." and tokens and tokens[-1].kind in ("name", ")", "num"):
        return f"attribute access ('.' at column {col}) is not allowed: {_ALLOWED} only"
    if c == "^":
        return f"'^' at column {col} is not allowed: write ** for a power, e.g. x**2"
    if c in "'\"":
        return f"text in quotes (column {col}) is not allowed: {_ALLOWED} only"
    if c == ",":
        return f"',' at column {col}: every function here takes exactly one argument"
    return f"unexpected character {c!r} at column {col}: an expression may contain {_ALLOWED}"


def _check_parentheses(tokens: list[Token]) -> None:
    open_columns: list[int] = []
    for tok in tokens:
        if tok.kind == "(":
            open_columns.append(tok.column)
        elif tok.kind == ")":
            if not open_columns:
                raise ExpressionError(f"unbalanced parentheses: ')' at column {tok.column} has no "
                                      "matching '('")
            open_columns.pop()
    if open_columns:
        raise ExpressionError(f"unbalanced parentheses: '(' at column {open_columns[-1]} is never closed")


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its text, its program in reverse Polish notation, e.g.
    ``x*w + b`` → ``[("var","x"), ("var","w"), ("op","*"), ("var","b"), ("op","+")]``, and its
    variables in order of first appearance."""

    text: str
    program: tuple
    variables: tuple

    def evaluate(self, values: Mapping[str, Value | float]) -> Value:
        """Run the program on a stack; numbers stay floats, variables are looked up in values.

        Raises ExpressionError for a missing variable, a division by zero or a domain error."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ExpressionError(_missing_message(missing))
        stack: list = []
        push, pop = stack.append, stack.pop
        try:
            for kind, arg in self.program:
                if kind == "num":
                    push(arg)
                elif kind == "var":
                    push(values[arg])
                elif kind == "neg":
                    push(-pop())
                elif kind == "call":
                    a = pop()
                    push(getattr(a if isinstance(a, Value) else Value(a), arg)())
                else:
                    b = pop()
                    push(_binary(arg, pop(), b))
        except ZeroDivisionError:
            raise ExpressionError(f"division by zero while evaluating {self.text!r}") from None
        except DomainError as e:
            raise ExpressionError(str(e)) from None
        (result,) = stack
        return result if isinstance(result, Value) else Value(result)


def _binary(op: str, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    if isinstance(a, float) and isinstance(b, float):
        return SCALAR.pow(a, b)  # a DomainError, not a complex number, for (-8) ** (1/3)
    return a ** b


def _missing_message(missing: Sequence[str]) -> str:
    if len(missing) == 1:
        return f"missing value for variable '{missing[0]}': add {missing[0]}=NUMBER after --at"
    names = ", ".join(missing)
    return f"missing values for variables {names}: add NAME=NUMBER for each after --at"


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


class _Parser:
    """Recursive descent over the token list, emitting reverse Polish notation.

    Only parentheses, function calls and powers recurse (two Python frames per level, and at
    most MAX_DEPTH levels); + - * / and signs are handled in loops, so a long flat expression
    such as x+x+...+x costs no stack at all."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.program: list = []
        self.variables: dict[str, None] = {}  # an ordered set

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at_binary(self) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "op" and tok.text in _PRECEDENCE

    def expression(self, depth: int) -> None:
        """expression := factor (op factor)*, op in + - * /: * and / bind tighter, all left-assoc."""
        pending: list[str] = []  # operators waiting for their right operand to be complete
        self.factor(depth)
        while self.at_binary():
            op = self.take().text
            while pending and _PRECEDENCE[pending[-1]] >= _PRECEDENCE[op]:
                self.program.append(("op", pending.pop()))
            pending.append(op)
            self.factor(depth)
        while pending:
            self.program.append(("op", pending.pop()))

    def factor(self, depth: int) -> None:
        """factor := ('-' | '+')* atom ('**' factor)?   so -x**2 = -(x**2) and 2**-1 work."""
        negate = False
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in ("+", "-"):
            self.take()
            negate ^= tok.text == "-"
        tok = self.peek()
        if tok is None:
            before = f" after '{self.tokens[-1].text}'" if self.tokens else ""
            raise ExpressionError(f"incomplete expression: expected a number, a variable, a "
                                  f"function or '('{before} at the end")
        self.take()
        function = None
        if tok.kind == "num":
            self.program.append(("num", tok.value))
        elif tok.kind == "name":
            nxt = self.peek()
            if nxt is not None and nxt.kind == "(":
                if tok.text not in _FUNCTIONS:
                    raise ExpressionError(f"'{tok.text}' at column {tok.column} is not an allowed "
                                          f"function: the functions are {', '.join(UNARY_FUNCTIONS)}")
                function = tok.text
                tok = self.take()
            elif tok.text in _FUNCTIONS:
                raise ExpressionError(f"'{tok.text}' at column {tok.column} is a function: "
                                      f"write {tok.text}(...)")
            else:
                self.variables[tok.text] = None
                self.program.append(("var", tok.text))
        elif tok.kind != "(":
            raise ExpressionError(f"unexpected {_describe(tok)}: expected a number, a variable, "
                                  "a function or '('")
        if tok.kind == "(":  # a group, or a function's argument
            nxt = self.peek()
            if nxt is not None and nxt.kind == ")":
                raise ExpressionError(f"empty parentheses at column {tok.column}")
            self.expression(self.deeper(depth, tok))
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise ExpressionError(f"unexpected {_describe(closing)}: expected ')' to close "
                                      f"the '(' at column {tok.column}")
            self.take()
            if function is not None:
                self.program.append(("call", function))
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text == "**":
            self.take()
            self.factor(self.deeper(depth, tok))
            self.program.append(("op", "**"))
        if negate:
            self.program.append(("neg", None))

    def deeper(self, depth: int, tok: Token) -> int:
        if depth >= MAX_DEPTH:
            raise ExpressionError(f"expression is nested too deeply at column {tok.column}: more "
                                  f"than {MAX_DEPTH} levels of parentheses, function calls or powers")
        return depth + 1


def parse_expression(text: str) -> Expression:
    """Parse text with the allow-list grammar (see the module docstring) into an Expression.

    Raises ExpressionError, with the column, for anything outside the grammar."""
    tokens = tokenize(text)
    if not tokens:
        raise ExpressionError("empty expression: write something like tanh(x*w + b)")
    _check_parentheses(tokens)
    parser = _Parser(tokens)
    parser.expression(0)
    extra = parser.peek()
    if extra is not None:
        raise ExpressionError(f"unexpected {_describe(extra)}: expected an operator (+ - * / **) "
                              "or the end")
    return Expression(text, tuple(parser.program), tuple(parser.variables))


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``["x=0.5", "w=-1.5"]`` → ``{"x": 0.5, "w": -1.5}``; ExpressionError for anything else."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, number = item.partition("=")
        name, number = name.strip(), number.strip()
        if not sep or not _NAME.fullmatch(name):
            raise ExpressionError(f"malformed --at item {item!r}: write NAME=NUMBER, e.g. x=0.5")
        if name in _FUNCTIONS:
            raise ExpressionError(f"'{name}' is a function, not a variable")
        signed = number.replace("\u2212", "-")
        if not _SIGNED_NUMBER.fullmatch(signed):
            raise ExpressionError(f"malformed number {number!r} for {name} in --at: "
                                  "write a decimal number such as 2, -1.5 or 3e-4")
        value = float(signed)
        if not math.isfinite(value):
            raise ExpressionError(f"number {number} for {name} is too large (it overflows a float)")
        if name in values:
            raise ExpressionError(f"variable '{name}' is given twice in --at")
        values[name] = value
    return values


# --- the command ----------------------------------------------------------------------------------
def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodiff",
        description="Reverse-mode automatic differentiation you can read and look at.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    g = sub.add_parser(
        "graph", help="differentiate an expression, print the gradients, draw the graph",
        description="Parse EXPRESSION, run it forward and backward, print every variable's "
                    "value and gradient, and (with -o) draw the computation graph.",
        epilog=f"An expression may contain {_ALLOWED}. An expression that starts with '-' goes "
               "after '--', e.g.  autodiff graph --at x=2 -- \"-x**2\"",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    g.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                   help="the value of each variable, e.g. --at x=0.5 w=-1.5 b=2")
    g.add_argument("-o", "--output", metavar="FILE",
                   help="write the picture here; format from the extension: .svg .png .pdf .dot")
    g.add_argument("--top-down", action="store_true", help="draw top-down (default: left to right)")
    g.add_argument("--digits", type=int, default=4, help="significant digits in the picture (4)")
    g.add_argument("--no-grad", action="store_true", help="leave grads out of the picture")
    g.add_argument("--no-edge-labels", action="store_true",
                   help="leave local derivatives and contributions off the edges")
    g.add_argument("--max-nodes", type=int, default=150,
                   help="draw at most this many nodes, nearest the output (150; 0: no limit)")
    g.add_argument("--explain", action="store_true",
                   help="also print the chain-rule sum behind each variable's gradient")
    g.add_argument("--steps", metavar="DIR",
                   help="also write one picture per backward step to DIR, and DIR/steps.html")
    return parser


def _error(message: str, code: int = 2) -> int:
    print(f"autodiff: error: {message}", file=sys.stderr)
    return code


def _graph(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower().lstrip(".") not in PICTURE_FORMATS:
        raise ExpressionError(f"cannot tell the picture format from {args.output!r}: "
                              "end the file name in .svg, .png, .pdf or .dot")
    if args.digits < 1:
        raise ExpressionError(f"--digits must be at least 1, got {args.digits}")
    if args.max_nodes < 0:
        raise ExpressionError(f"--max-nodes must be 0 (no limit) or more, got {args.max_nodes}")
    expr = parse_expression(args.expression)
    given = parse_assignments(args.at)
    unknown = [name for name in given if name not in expr.variables]
    if unknown:
        uses = (f"the expression uses {', '.join(expr.variables)}" if expr.variables
                else "the expression has no variables")
        raise ExpressionError(f"unknown variable '{unknown[0]}' in --at: {uses}")
    leaves = {name: Value(given[name], label=name) for name in expr.variables if name in given}
    root = expr.evaluate(leaves)
    if not root.label:
        root.label = "f"
    f = root.label
    if args.steps:
        from . import viz

        viz.save_steps(root, args.steps, **_draw_options(args))  # this runs backward
    else:
        root.backward()

    text = " ".join(expr.text.split())
    text = text if len(text) <= 70 else text[:67] + "..."
    print(f"{f} = {root.data:.10g}" if text == f else f"{f} = {text} = {root.data:.10g}")
    if leaves:
        header = f"∂{f}/∂variable"
        width = max(8, *(len(n) for n in leaves))
        print(f"{'variable':<{width}}  {'value':>16}  {header:>16}")
        for name, leaf in leaves.items():
            print(f"{name:<{width}}  {leaf.data:>16.10g}  {leaf.grad:>16.10g}")
    if args.explain:
        from .viz import explain

        for leaf in leaves.values():
            print()
            print(explain(leaf, root, digits=args.digits))
    if args.steps:
        print(f"wrote the backward steps to {args.steps} (open {Path(args.steps) / 'steps.html'})")
    if out is not None:
        return _write_picture(root, out, args)
    return 0


def _draw_options(args: argparse.Namespace) -> dict:
    return {"rankdir": "TB" if args.top_down else "LR", "digits": args.digits,
            "show_grad": not args.no_grad, "edge_labels": not args.no_edge_labels,
            "max_nodes": args.max_nodes or None}


def _write_picture(root: Value, out: Path, args: argparse.Namespace) -> int:
    from . import viz

    try:
        graph = viz.draw(root, **_draw_options(args))
    except ImportError as e:
        return _error(str(e), 1)
    try:
        viz.save(graph, out)
    except viz.GraphvizNotFoundError as e:
        # keep the work: the DOT source renders later, or on another machine
        dot_path = out.with_suffix(".dot")
        dot_path.write_text(e.source, encoding="utf-8")
        return _error(f"{e} The DOT source was written to {dot_path}.", 1)
    print(f"wrote {out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``autodiff`` console script; returns the exit code (2: bad input)."""
    parser = _argument_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _graph(args)
    except ExpressionError as e:
        return _error(str(e))
