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
Only ASCII is read, except that the typographic minus − is a minus; any other character
(x², a digit of another script, a full-width ｘ, ×) is an error that names it.

Exit codes: 0, the results; 2, bad input: one line on stderr, ``autodiff graph: error: …``,
and nothing on stdout, since every option is checked and every picture made before anything
is printed; 1, graphviz is missing; 130 and 143, interrupted (Ctrl-C, SIGTERM: dot is killed
too). The work is bounded: pictures are cut to what dot lays out in a fraction of a second
(``viz.MAX_LAYOUT``), --steps is for small graphs, and dot gets DRAW_SECONDS in all.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import viz
from .engine import topological_order
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
MAX_DIGITS = 17
"""Most significant digits --digits accepts: 17 already tell any two floats apart."""
MAX_EXPLAIN = 20
"""--explain explains at most this many variables (each explanation walks the whole graph)."""
MAX_STEPS = 25
STEPS_LAYOUT = 400
"""--steps draws one picture per backward step: at most MAX_STEPS of them, each of layout size
(viz.layout_size) at most STEPS_LAYOUT, so that all of them take dot a second or two."""
DRAW_SECONDS = 6.0
"""Time graphviz's dot gets for all the pictures of one command before it is stopped."""

_FUNCTIONS = frozenset(UNARY_FUNCTIONS)
_ALLOWED = ("numbers, variable names, + - * / **, parentheses and the functions "
            + ", ".join(UNARY_FUNCTIONS))
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# the longest run that could be meant as one number: digits, letters, dots, and a sign after e/E
_NUMBER_RUN = re.compile(r"[0-9.](?:[0-9A-Za-z_.]|(?<=[eE])[+-])*")
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SIGNED_NUMBER = re.compile(r"[+-]?" + _NUMBER.pattern)
_DIGITS = frozenset("0123456789")  # str.isdigit() is also true of ² and of other scripts' digits
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"
_TIMES = "×·⋅∗✕"
_DIVIDE = "÷∕"


class ExpressionError(AutodiffError, ValueError):
    """A command-line expression, value or option that cannot be used; the message says where
    and why."""


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
        elif c in _DIGITS or (c == "." and text[i + 1:i + 2] in _DIGITS):
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
        elif _NAME.match(c):
            m = _NAME.match(text, i)
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
    at = f"{c!r} at column {col}"
    if "\uff01" <= c <= "\uff5e":  # the full-width forms of ASCII, as East Asian keyboards type
        return f"{at} is a full-width character: type {chr(ord(c) - 0xFEE0)!r} instead"
    if c in _SUPERSCRIPTS:
        return f"{at}: write a power with **, e.g. x**2"
    if c.isnumeric():  # other scripts' digits, fractions, roman numerals
        return f"{at} is not one of the digits 0-9: write numbers with 0-9"
    if c in _TIMES:
        return f"{at}: write * for a product"
    if c in _DIVIDE:
        return f"{at}: write / for a division"
    if c.isalpha():
        return f"unexpected character {at}: names use the letters a-z, A-Z, digits and _"
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
                    push(_call(arg, pop()))
                else:
                    b = pop()
                    push(_binary(arg, pop(), b))
        except ZeroDivisionError:
            raise ExpressionError(f"division by zero while evaluating {self.text!r}") from None
        except DomainError as e:
            raise ExpressionError(str(e)) from None
        (result,) = stack
        return result if isinstance(result, Value) else Value(result)


def _call(name: str, a) -> Value:
    x = a if isinstance(a, Value) else Value(a)
    try:
        return getattr(x, name)()
    except DomainError:
        raise
    except (ValueError, OverflowError):  # the math module's own refusals, e.g. math.sin(inf)
        why = ("" if math.isfinite(x.data) else
               f": {name} needs a finite input, and a value in the expression overflowed to {x.data}")
        raise ExpressionError(f"{name}({x.data!r}) is undefined{why}") from None


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
class _UsageError(Exception):
    """A command line argparse cannot read; ``prog`` is the (sub)command it belongs to."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, except that an error is one line that says what is wrong, not the usage text."""

    def error(self, message: str):
        raise _UsageError(self.prog, message)


def _argument_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _ArgumentParser(
        prog="autodiff",
        description="Reverse-mode automatic differentiation you can read and look at.")
    parser.add_argument("--version", action="version", version=f"autodiff {__version__}")
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
    g.add_argument("--digits", type=int, default=4,
                   help=f"significant digits in the picture (4; at most {MAX_DIGITS})")
    g.add_argument("--no-grad", action="store_true", help="leave grads out of the picture")
    g.add_argument("--no-edge-labels", action="store_true",
                   help="leave local derivatives and contributions off the edges")
    g.add_argument("--max-nodes", type=int, default=150,
                   help="draw at most this many nodes, nearest the output (150; 0: no limit)")
    g.add_argument("--explain", action="store_true",
                   help=f"also print the chain-rule sum behind each variable's gradient (the "
                        f"first {MAX_EXPLAIN} variables)")
    g.add_argument("--steps", metavar="DIR",
                   help=f"also write one picture per backward step to DIR, and DIR/steps.html "
                        f"(for graphs of at most {MAX_STEPS} steps)")
    return parser


_LONG_OPTION = re.compile(r"--[A-Za-z][\w-]*(=.*)?", re.DOTALL)


def _usage_hint(message: str, argv: Sequence[str]) -> str:
    """What probably went wrong, for the argparse errors a reader of the help still makes."""
    argv = list(argv)
    before = argv[:argv.index("--")] if "--" in argv else argv
    if len(before) < len(argv) and "unrecognized" in message:
        return " (everything after '--' is the expression: put the options before '--')"
    # -o and -h are the only short options: any other word that starts with '-' and does not
    # look like --an-option is an expression
    dashed = [a for a in before if a[:1] == "-" and a[1:2] not in ("", "o", "h")
              and not _LONG_OPTION.fullmatch(a) and not _SIGNED_NUMBER.fullmatch(a)]
    if dashed and ("unrecognized" in message or "expected" in message or "required" in message):
        return (f" (an expression that starts with '-', such as {dashed[0]!r}, goes after '--': "
                "autodiff graph --at x=2 -- \"-x**2\")")
    if "required: expression" in message and "--at" in argv:
        return " (--at takes every word after it: write the expression before --at)"
    return ""


_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what str.splitlines() splits at
_NO_DOT = f"graphviz's dot program is not on PATH, and drawing needs it; {viz.INSTALL_HINT}"


def _one_line(text: str) -> str:
    """text with its line breaks escaped (\\n, \\u2028, …), so an error stays one line."""
    return "".join(repr(c)[1:-1] if c in _LINE_BREAKS else c for c in text)


def _error(prog: str, message: str, code: int = 2) -> int:
    print(f"{prog}: error: {_one_line(message)}", file=sys.stderr)
    return code


def _graph(args: argparse.Namespace) -> int:
    """The graph command: every check on the options comes before any work, every picture is
    made before anything is printed, so an error is the only output."""
    _check_numbers(args)
    if args.steps is not None:
        _check_directory(args.steps)
    out = _output_path(args.output, args.steps)
    expr = parse_expression(args.expression)
    given = parse_assignments(args.at)
    used = set(expr.variables)
    unknown = [name for name in given if name not in used]
    if unknown:
        uses = (f"the expression uses {_names(expr.variables)}" if expr.variables
                else "the expression has no variables")
        raise ExpressionError(f"unknown variable '{unknown[0]}' in --at: {uses}")
    leaves = {name: Value(given[name], label=name) for name in expr.variables if name in given}
    root = expr.evaluate(leaves)
    if not root.label:  # a name for the output that no variable has: f, else f1, f2, ...
        root.label = next(n for n in ("f", *(f"f{k}" for k in range(1, len(used) + 2))) if n not in used)
    deadline = time.monotonic() + DRAW_SECONDS
    if args.steps is not None:
        _check_steps(root)
        viz.save_steps(root, args.steps, timeout=DRAW_SECONDS, **_draw_options(args))  # runs backward
    else:
        root.backward()
    picture = None if out is None else _picture(root, out, args, deadline - time.monotonic())
    _print_results(expr, root, leaves, args)
    if args.steps is not None and not root.parents:
        print(f"no backward steps to draw: the output {root.label} is not computed from anything")
    elif args.steps is not None:
        print(f"wrote the backward steps to {args.steps} (open {Path(args.steps) / 'steps.html'})")
    if out is None:
        return 0
    source, data = picture
    if data is None:  # no dot program: keep the work, the DOT source renders later or elsewhere
        dot_path = out.with_suffix(".dot")
        dot_path.write_text(source, encoding="utf-8")
        return _error("autodiff graph", f"{_NO_DOT}; the DOT source was written to {dot_path} (render it "
                                        f"later: dot -T{out.suffix[1:].lower()} {dot_path} -o {out})", 1)
    out.write_bytes(data)
    print(f"wrote {out}")
    return 0


def _output_path(text: str | None, steps: str | None) -> Path | None:
    """The -o file, checked before any work: a picture format, in a directory that exists (or
    that --steps makes first)."""
    if text is None:
        return None
    if steps is not None and Path(text) == Path(steps):
        raise ExpressionError(f"-o and --steps both name {text!r}: the picture needs a file of its own")
    out = Path(text)
    if out.suffix.lower().lstrip(".") not in PICTURE_FORMATS:
        raise ExpressionError(f"cannot tell the picture format from {text!r}: "
                              "end the file name in .svg, .png, .pdf or .dot")
    if "\0" in text:
        raise ExpressionError(f"-o {text!r}: a file name cannot contain the character NUL")
    if out.is_dir():
        raise ExpressionError(f"-o {text!r} is a directory: give a file name, e.g. {out / 'graph.svg'}")
    folder = out.parent
    if steps is not None and folder == Path(steps):  # checked by _check_directory, made first
        return out
    if not folder.is_dir():
        what = "is not a directory" if folder.exists() else "does not exist"
        raise ExpressionError(f"cannot write {text!r}: the directory {str(folder)!r} {what}")
    if not os.access(folder, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ExpressionError(f"cannot write {text!r}: permission denied")
    return out


def _check_directory(text: str) -> None:
    """--steps DIR: a directory, or one that can be made (its first existing ancestor is a
    writable directory)."""
    if "\0" in text or not text:
        raise ExpressionError(f"--steps {text!r}: give the name of a directory for the pictures")
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise ExpressionError(f"--steps {text!r} is a file, not a directory: give a directory "
                              "for the pictures")
    existing = next(p for p in (folder, *folder.parents, Path(".")) if p.exists())
    if not existing.is_dir():
        raise ExpressionError(f"--steps {text!r}: cannot make the directory, {str(existing)!r} "
                              "is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExpressionError(f"--steps {text!r}: cannot write into {str(existing)!r}: "
                              "permission denied")


def _check_numbers(args: argparse.Namespace) -> None:
    if not 1 <= args.digits <= MAX_DIGITS:
        raise ExpressionError(f"--digits must be between 1 and {MAX_DIGITS} ({MAX_DIGITS} significant "
                              f"digits tell any two floats apart), got {args.digits}")
    if args.max_nodes < 0:
        raise ExpressionError(f"--max-nodes must be 0 (no limit) or more, got {args.max_nodes}")


def _check_steps(root: Value) -> None:
    """One picture per backward step is for small graphs: bound the pictures and their size."""
    steps = sum(1 for node in topological_order(root) if node.parents)
    if steps > MAX_STEPS:
        raise ExpressionError(f"--steps draws one picture per backward step, so it is for small "
                              f"graphs: this one has {steps} steps (the limit is {MAX_STEPS}); "
                              "draw it once with -o instead")
    size = viz.layout_size(root)
    if size > STEPS_LAYOUT:
        raise ExpressionError(f"--steps draws one picture per backward step, so it is for small "
                              f"graphs: this one is too large to lay out {steps} times (layout "
                              f"size {size}, the limit is {STEPS_LAYOUT}; a value used by many "
                              "operations makes it large); draw it once with -o instead")


def _draw_options(args: argparse.Namespace) -> dict:
    return {"rankdir": "TB" if args.top_down else "LR", "digits": args.digits,
            "show_grad": not args.no_grad, "edge_labels": not args.no_edge_labels,
            "max_nodes": args.max_nodes or None, "size": None}  # a file: natural size, the viewer zooms


def _picture(root: Value, out: Path, args: argparse.Namespace, seconds: float) -> tuple:
    """(DOT source, the file's bytes), the bytes None if graphviz's dot program is missing."""
    source = viz.draw(root, **_draw_options(args)).source
    ext = out.suffix.lower().lstrip(".")
    if ext == "dot":
        return source, source.encode("utf-8")
    try:
        return source, viz.render(source, ext, timeout=max(seconds, 0.1))
    except viz.GraphvizNotFoundError:
        return source, None


def _print_results(expr: Expression, root: Value, leaves: dict, args: argparse.Namespace) -> None:
    f = root.label
    text = " ".join(expr.text.split())
    text = text if len(text) <= 70 else text[:67] + "..."
    print(f"{f} = {root.data:.10g}" if text == f else f"{f} = {text} = {root.data:.10g}")
    if leaves:
        header = f"d{f}/d(variable)"  # a total derivative (∂ is kept for one edge's local one)
        width = max(8, *(len(n) for n in leaves))
        print(f"{'variable':<{width}}  {'value':>16}  {header:>16}")
        for name, leaf in leaves.items():
            print(f"{name:<{width}}  {leaf.data:>16.10g}  {leaf.grad:>16.10g}")
    if args.explain:
        for leaf in list(leaves.values())[:MAX_EXPLAIN]:
            print()
            print(viz.explain(leaf, root, digits=args.digits))
        if len(leaves) > MAX_EXPLAIN:
            print(f"\n(--explain explains the first {MAX_EXPLAIN} of {len(leaves)} variables)")


def _names(names: Sequence[str], shown: int = 10) -> str:
    """``x, w, b``; past ``shown`` names, ``x0, x1, …, x9 and 990 more``."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


class _Terminated(BaseException):
    """SIGTERM arrived: raised where the command is, so that it unwinds as Ctrl-C does."""


@contextlib.contextmanager
def _sigterm_unwinds():
    """While the command runs, SIGTERM (kill, timeout(1)) unwinds the stack instead of ending
    the process on the spot, so a running dot is killed with us, not left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def unwind(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, unwind)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``autodiff`` console script; returns the exit code (2: bad input).

    Every error is one line on stderr, ``autodiff graph: error: what is wrong``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if hasattr(sys.stdout, "reconfigure"):  # a file name that is not valid UTF-8, a Latin-1 terminal
        sys.stdout.reconfigure(errors="backslashreplace")
    parser = _argument_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as e:
        return _error(e.prog, str(e) + _usage_hint(str(e), argv))
    except SystemExit as e:  # --help and --version have printed what was asked
        return e.code if isinstance(e.code, int) else 0
    if args.command is None:
        return _error("autodiff", "no command given: try  autodiff graph \"tanh(x*w + b)\" --at "
                                  "x=0.5 w=-1.5 b=2  (or autodiff --help)")
    prog = "autodiff graph"
    try:
        with _sigterm_unwinds():
            return _graph(args)
    except _Terminated:
        return 128 + signal.SIGTERM
    except ExpressionError as e:
        return _error(prog, str(e))
    except viz.GraphvizTimeoutError:
        return _error(prog, f"graphviz's dot was stopped after {DRAW_SECONDS:g} s, the time all the "
                            "pictures of one command get: the graph is too large to draw; draw "
                            "fewer nodes with --max-nodes (0 means no limit)")
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as a killed pipe does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except OSError as e:  # a file that cannot be written after all (disk full, a race)
        return _error(prog, f"cannot write {e.filename or 'a file'}: {e.strerror or e}")
    except viz.GraphvizNotFoundError:
        return _error(prog, _NO_DOT, 1)
    except (ImportError, viz.GraphvizError) as e:
        return _error(prog, str(e), 1)
    except KeyboardInterrupt:
        return _error(prog, "interrupted", 130)
