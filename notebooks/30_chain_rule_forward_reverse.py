# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.16.0
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The chain rule, operation counts, forward and reverse mode
#
# **Lecture notes:** *Advanced machine learning and data analysis for the physical sciences, third
# week* (M. Hjorth-Jensen, seed file `003_70b1d3cf22e7eb32.txt`), the sections from *Reminder on
# the chain rule and gradients* to *Automatic differentiation → Chain rule*:
#
# * the chain rule for f(x(t), y(t)) and for f(x(t, s), y(t, s)) as a row times a Jacobian;
# * the simple example f(x) = exp x², its SymPy code, the intermediate a = x² that takes the
#   operation count from **6 to 4**, and the split of df/dx into *reverse* and *forward* mode;
# * the more complicated f(x) = √(x² + exp x²): SymPy code, the count of **5 + 10 = 15**
#   operations, the intermediates a, b, c, d, every partial derivative, and the final
#   ∂f/∂x = x(1 + b)/d in **3** operations;
# * the formal view: variables x₁ … x₅, parents Pa(xᵢ), and the chain-rule sum over children;
# * the claims about automatic differentiation versus symbolic differentiation and finite
#   differences ("truncation errors and values of the step size Δ").
#
# Every number is computed twice, **by hand as the notes do** (plain floats, or SymPy where the
# notes use SymPy) and **by autodiff** (`Value` and `backward()`), and the two are asserted equal.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np
from side_by_side import compare  # notebooks/side_by_side.py: hand beside autodiff, asserted

from autodiff import Value, draw, explain, topological_order

# %% [markdown]
# ## The chain rule for f(x(t), y(t))
#
# The notes write df/dt as a row of partial derivatives times a column:
# df/dt = [∂f/∂x ∂f/∂y]·[∂x/∂t ∂y/∂t]ᵀ = ∂f/∂x·∂x/∂t + ∂f/∂y·∂y/∂t.
# Take f(x, y) = x²y + sin y with x = cos t and y = t² at t = 0.9. By hand:
# ∂f/∂x = 2xy, ∂f/∂y = x² + cos y, ∂x/∂t = −sin t, ∂y/∂t = 2t.
# Autodiff never sees these formulas: it builds the graph t → x, y → f and adds up the products
# on its edges.

# %%
t0 = 0.9
x0, y0 = math.cos(t0), t0**2
row = np.array([2 * x0 * y0, x0**2 + math.cos(y0)])          # [∂f/∂x, ∂f/∂y]
column = np.array([-math.sin(t0), 2 * t0])                    # [∂x/∂t, ∂y/∂t]
df_dt_hand = row @ column

t = Value(t0, label="t")
x, y = t.cos(), t**2
f = x**2 * y + y.sin()
f.backward()
compare([("df/dt", df_dt_hand, t.grad)])

# %% [markdown]
# ## Two variables: the gradient as a row times the Jacobian
#
# With x = x(t, s) and y = y(t, s) the notes stack ∂f/∂s and ∂f/∂t as
# df/d(s, t) = [∂f/∂x ∂f/∂y] · [[∂x/∂s, ∂x/∂t], [∂y/∂s, ∂y/∂t]].
# Take x = s·t and y = s + t² with the same f, at s = 1.3, t = 0.4. One backward pass gives both
# ∂f/∂s and ∂f/∂t: reverse mode computes the whole row at once.

# %%
s0, t0 = 1.3, 0.4
x0, y0 = s0 * t0, s0 + t0**2
row = np.array([2 * x0 * y0, x0**2 + math.cos(y0)])
jacobian = np.array([[t0, s0],          # ∂x/∂s, ∂x/∂t
                     [1.0, 2 * t0]])    # ∂y/∂s, ∂y/∂t
grad_hand = row @ jacobian

s, t = Value(s0, label="s"), Value(t0, label="t")
x, y = s * t, s + t**2
f = x**2 * y + y.sin()
f.backward()
compare([("∂f/∂s", grad_hand[0], s.grad), ("∂f/∂t", grad_hand[1], t.grad)])

# %% [markdown]
# ## Simple example: f(x) = exp x² and the notes' SymPy code
#
# The notes' listing, run exactly as printed. (`from __future__ import division` is a no-op in
# Python 3, and `simplify(expr)` returns a new expression that the listing throws away: that line
# changes nothing.) `python(...)` prints the code that rebuilds an expression.

# %%
from __future__ import division  # noqa: E402, F404, UP010  (the notes' listing, as printed)

from sympy import *  # noqa: E402, F403

x = symbols('x')  # noqa: F405
expr = exp(x*x)  # noqa: F405
simplify(expr)  # noqa: F405
derivative = diff(expr,x)  # noqa: F405
print(python(expr))  # noqa: F405
print(python(derivative))  # noqa: F405

# %% [markdown]
# The listing's `from sympy import *` replaced `exp`, `sqrt`, `sin`, … by SymPy's versions, so from
# here on the notebook names every function by its module (`math.exp`, `sp.diff`). SymPy's
# derivative, evaluated at x = 0.7, against the hand formula f′(x) = 2x exp x² and against autodiff:

# %%
import sympy as sp  # noqa: E402

xs = sp.Symbol("x")
x0 = 0.7
sympy_value = float(sp.diff(sp.exp(xs * xs), xs).subs(xs, x0))
x = Value(x0, label="x")
f = (x**2).exp()
f.backward()
compare([("f(x)", math.exp(x0**2), f.data), ("f'(x) SymPy", sympy_value, x.grad),
      ("f'(x) hand", 2 * x0 * math.exp(x0**2), x.grad)])

# %% [markdown]
# ## Reducing the number of operations: 6 → 4
#
# Evaluated as written, f(x) = exp x² costs 2 operations (square, exponential) and
# f′(x) = 2x exp x² costs 4 (square, exponential, two products): **6** in total. With the
# intermediates a = x² and b = exp a the function still costs 2, but f′(x) = 2xb reuses b and
# costs 2: **4** in total.
#
# Counting by machine: `count(e)` counts the operations in a SymPy expression tree, once per
# occurrence (a k-term sum or product costs k − 1). SymPy's common-subexpression elimination
# `sp.cse` is exactly the notes' trick of naming intermediates, so counting after `cse` gives the
# notes' reduced numbers.

# %%
def count(e):
    """Operations in a SymPy expression, every occurrence counted (a k-term sum or product, divisions
    included, costs k − 1; √ and exp cost 1)."""
    if e.is_Atom:
        return 0
    if e.is_Mul:   # x·y/z is Mul(x, y, Pow(z, -1)): two operations, the reciprocal is the division
        parts = [a.base if a.is_Pow and a.exp == -1 else a for a in e.args]
        return len(e.args) - 1 + sum(count(a) for a in parts)
    own = len(e.args) - 1 if e.is_Add else 1
    return own + sum(count(a) for a in e.args)


def count_after_cse(exprs):
    """Operations once every repeated subexpression is computed once and reused (SymPy's cse)."""
    defs, reduced = sp.cse(exprs)
    return sum(count(v) for _, v in defs) + sum(count(r) for r in reduced), defs, reduced


f_sym = sp.exp(xs**2)
df_sym = sp.diff(f_sym, xs)
plain = count(f_sym) + count(df_sym)
reduced, defs, outs = count_after_cse([f_sym, df_sym])
print(f"as written: f = {f_sym} ({count(f_sym)} ops), f' = {df_sym} ({count(df_sym)} ops): {plain} in total")
print(f"with intermediates {defs}: f = {outs[0]}, f' = {outs[1]}: {reduced} in total")
assert (count(f_sym), count(df_sym), plain, reduced) == (2, 4, 6, 4)

# %% [markdown]
# By autodiff: the graph of `(x**2).exp()` holds exactly the notes' intermediates, one node per
# operation (a = x², b = exp a), so the forward pass costs 2. The backward pass multiplies the
# local derivative on each of the 2 edges, and the local derivative of exp is b itself, already
# computed: the same reuse the notes make by hand.

# %%
ops = [n for n in topological_order(f) if n.parents]
print("forward operations:", [n.op for n in reversed(ops)])
print("edges (one product each in backward):", sum(len(n.parents) for n in ops))
print("local derivative of exp is its own output b:", ops[0].local_grads[0] == f.data)
assert len(ops) == 2 and ops[0].local_grads[0] == f.data

# %% [markdown]
# ## Forward and reverse modes for f = exp x²
#
# df/dx = df/db · db/da · da/dx can be bracketed two ways:
# **reverse mode** [df/db · db/da] · da/dx starts at the output (df/db = 1) and moves towards the
# input; **forward mode** df/db · [db/da · da/dx] starts at the input. Same product, different
# order; with one input and one output they cost the same. The brackets with numbers:

# %%
df_db, db_da, da_dx = 1.0, math.exp(x0**2), 2 * x0
reverse = (df_db * db_da) * da_dx
forward = df_db * (db_da * da_dx)
compare([("reverse", reverse, x.grad), ("forward", forward, x.grad)])

# %% [markdown]
# ## More complicated function: f(x) = √(x² + exp x²)
#
# The notes' SymPy listing, as printed, then the notes' derivative
# f′(x) = x(1 + exp x²)/√(x² + exp x²) beside SymPy's and autodiff's.

# %%
from __future__ import division  # noqa: E402, F404, UP010

from sympy import *  # noqa: E402, F403

x = symbols('x')  # noqa: F405
expr = sqrt(x*x+exp(x*x))  # noqa: F405
simplify(expr)  # noqa: F405
derivative = diff(expr,x)  # noqa: F405
print(python(expr))  # noqa: F405
print(python(derivative))  # noqa: F405

# %% [markdown]
# Now the notes' intermediates, each a labelled node: a = x², b = exp a, c = a + b, d = √c.

# %%
x0 = 0.7
def named(node, label):
    """Give a graph node the notes' name (it shows in pictures and in explain)."""
    node.label = label
    return node


x = Value(x0, label="x")
a = named(x**2, "a")
b = named(a.exp(), "b")
c = named(a + b, "c")
d = named(c.sqrt(), "d")
d.backward()

notes_derivative = x0 * (1 + math.exp(x0**2)) / math.sqrt(x0**2 + math.exp(x0**2))
sympy_value = float(sp.diff(sp.sqrt(xs**2 + sp.exp(xs**2)), xs).subs(xs, x0))
compare([("f(x)", math.sqrt(x0**2 + math.exp(x0**2)), d.data), ("f'(x) notes", notes_derivative, x.grad),
      ("f'(x) SymPy", sympy_value, x.grad)])

# %% [markdown]
# ### The graph with a, b, c, d
#
# Each box is a node: its name, its value (data) and ∂f/∂node (grad). Each edge into an operation
# carries the local derivative ∂child/∂parent and, below it, the product grad × local that
# backward adds into the parent. Node a has **two** outgoing edges (into b and into c): that is
# why ∂f/∂a is a sum of two terms below.

# %%
draw(d, rankdir="TB", title="f(x) = √(x² + exp x²) at x = 0.7: the notes' a, b, c, d")

# %% [markdown]
# ## Counting the floating-point operations: 5 + 10 = 15
#
# The notes count 5 operations for f = √(x² + exp x²) (x² is computed twice) and 10 for
# f′ = x(1 + exp x²)/√(x² + exp x²): 15 in total, and ask whether this can be halved. Counted by
# machine on the SymPy expressions, then after `cse` (the intermediates a, b, c, d):

# %%
f_sym = sp.sqrt(xs**2 + sp.exp(xs**2))
df_notes = xs * (1 + sp.exp(xs**2)) / sp.sqrt(xs**2 + sp.exp(xs**2))
plain = count(f_sym) + count(df_notes)
reduced, defs, outs = count_after_cse([f_sym, df_notes])
print(f"as written: f {count(f_sym)} ops, f' {count(df_notes)} ops, {plain} in total")
print(f"with intermediates {defs}:\n  f = {outs[0]}, f' = {outs[1]}  → {reduced} in total")
assert (count(f_sym), count(df_notes), plain) == (5, 10, 15)
assert reduced == 4 + 3   # four for a, b, c, d; three for x(1 + b)/d
assert sp.simplify(df_notes - sp.diff(f_sym, xs)) == 0   # the notes' f' is right

# %% [markdown]
# So 15 → 7: the function in 4 operations (a, b, c, d: the four nodes of the graph above) and
# the derivative x(1 + b)/d in **3** (1 + b, x·(…), (…)/d), as the notes say.
#
# **Claim check.** The notes add that "a symbolic software like SymPy does not include such
# simplifications". True of `sp.diff` alone (it returns the 10-operation expression), but SymPy's
# `cse` finds exactly the notes' intermediates, as the cell above shows.
#
# A mechanical reverse sweep does not simplify algebra: it evaluates one local derivative per edge
# and one product per edge. The graph has 4 operations and 5 edges:

# %%
ops = [n for n in topological_order(d) if n.parents]
edges = [(p.label, n.label, local) for n in ops for p, local in zip(n.parents, n.local_grads)]
for parent, child, local in edges:
    print(f"∂{child}/∂{parent} = {local:.6f}")
assert [n.label for n in reversed(ops)] == ["a", "b", "c", "d"] and len(edges) == 5

# %% [markdown]
# The notes' 3 operations come from doing the algebra by hand (x(1 + b)/d). The library prints its
# own lists: `autodiff.trace` runs f once on graph nodes and returns the program backprop runs, the
# forward list (the Wengert list: one primitive per line, each repeated computation done once, so
# x² is computed once as the notes' a) and its adjoint (one line per edge, from d̄ = ∂f/∂d = 1 back
# to x̄ = ∂f/∂x), with their operation counts. Calling the program replays it on a new x without
# building a graph.

# %%
import autodiff  # noqa: E402

program = autodiff.trace(lambda x: (x**2 + (x**2).exp()).sqrt(), x0)
print(program)
out, (dx,) = program(x0)
compare([("f(x) traced", math.sqrt(x0**2 + math.exp(x0**2)), out), ("f'(x) traced", notes_derivative, dx),
         ("f'(x) traced vs backward", x.grad, dx)])
assert [line.split(" = ")[0].strip() for line in str(program).splitlines()[1:5]] == ["a", "b", "c", "d"]

# %% [markdown]
# The counts beside the notes'. The forward list is the notes' 5 operations as written (x² twice)
# and 4 with the intermediates. The adjoint is mechanical: one product ȳ·∂y/∂x per edge (5 edges),
# the local derivatives evaluated from stored values (∂d/∂c = 1/(2d) needs a reciprocal and a
# halving, ∂a/∂x = 2x a doubling), a sum where two edges meet at a, and the product with d̄ = 1:
# 7 operations. It does no algebra, so it does not reach the notes' 3 for x(1 + b)/d, but it never
# re-evaluates a subexpression, unlike SymPy's 10. The simple example exp x² gives 2 forward
# operations, as the notes count, and 3 for the adjoint (2x·b, and the product with b̄ = 1).

# %%
simple = autodiff.trace(lambda x: (x**2).exp(), x0)
print(simple)
full, short = program.counts, simple.counts
print(f"{'':28s}{'notes, as written':>19s}{'notes, intermediates':>22s}{'library program':>17s}")
print(f"{'√(x² + exp x²): f':28s}{5:>19d}{4:>22d}{full.forward:>17d}   ({full.forward_recorded} recorded)")
print(f"{'√(x² + exp x²): df/dx':28s}{10:>19d}{3:>22d}{full.adjoint:>17d}")
print(f"{'exp x²: f':28s}{2:>19d}{2:>22d}{short.forward:>17d}")
print(f"{'exp x²: df/dx':28s}{4:>19d}{2:>22d}{short.adjoint:>17d}")
assert (full.forward_recorded, full.forward, full.adjoint) == (5, 4, 7)
assert (short.forward, short.adjoint) == (2, 3)
compare([("(exp x²)' traced", 2 * x0 * math.exp(x0**2), simple(x0)[1][0])])

# %% [markdown]
# ## New expression for the derivative: every local partial derivative
#
# The notes list ∂a/∂x = 2x, ∂b/∂a = exp a, ∂c/∂a = 1, ∂c/∂b = 1, ∂d/∂c = 1/(2√c) and
# ∂f/∂d = 1. Autodiff stores the same numbers on the edges (`node.local_grads`, one per parent):

# %%
A, B = x0**2, math.exp(x0**2)
C = A + B
D = math.sqrt(C)
compare([("∂a/∂x", 2 * x0, a.local_grads[0]), ("∂b/∂a", math.exp(A), b.local_grads[0]),
      ("∂c/∂a", 1.0, c.local_grads[0]), ("∂c/∂b", 1.0, c.local_grads[1]),
      ("∂d/∂c", 1 / (2 * math.sqrt(C)), d.local_grads[0]), ("∂f/∂d", 1.0, d.grad)])

# %% [markdown]
# ## Final derivatives
#
# Back from the output: ∂f/∂c = ∂f/∂d·∂d/∂c = 1/(2√c); ∂f/∂b = ∂f/∂c·∂c/∂b = 1/(2√c);
# ∂f/∂a = ∂f/∂c·∂c/∂a + ∂f/∂b·∂b/∂a = (1 + exp a)/(2√c); ∂f/∂x = ∂f/∂a·∂a/∂x = x(1 + exp a)/√c,
# which is x(1 + b)/d. Hand against `grad` of each node:

# %%
compare([("∂f/∂c", 1 / (2 * math.sqrt(C)), c.grad), ("∂f/∂b", 1 / (2 * math.sqrt(C)), b.grad),
      ("∂f/∂a", (1 + math.exp(A)) / (2 * math.sqrt(C)), a.grad),
      ("∂f/∂x", x0 * (1 + math.exp(A)) / math.sqrt(C), x.grad),
      ("x(1 + b)/d", x0 * (1 + B) / D, x.grad)])

# %% [markdown]
# ## `explain`: ∂f/∂a is a sum over two paths
#
# a reaches d along two paths, a → c → d and a → b → c → d. The chain rule sums one term per
# edge leaving a: ∂f/∂a = ∂f/∂c·∂c/∂a + ∂f/∂b·∂b/∂a. `explain(a, d)` prints that sum with the
# numbers autodiff used.

# %%
print(explain(a, d))
terms = [c.grad * c.local_grads[0], b.grad * b.local_grads[0]]   # via c directly, via b
compare([("path a→c", 1 / (2 * D), terms[0]), ("path a→b→c", B / (2 * D), terms[1]),
      ("sum", (1 + B) / (2 * D), a.grad)])

# %% [markdown]
# ## Automatic differentiation, formally: x₁ … x₅, parents and children
#
# The notes number the variables x₁ = x, x₂ = a, x₃ = b, x₄ = c, x₅ = d, with l = 1 input and
# four intermediates; each xᵢ = gᵢ(x_Pa(xᵢ)) for an elementary function gᵢ of its parents. The
# chain rule runs over the **children** of each node:
#
# ∂f/∂xᵢ = Σ_{xⱼ : xᵢ ∈ Pa(xⱼ)} ∂f/∂xⱼ · ∂gⱼ/∂xᵢ, starting from ∂f/∂x_L = 1.
#
# `topological_order(d)` lists the nodes output first, which is the order backward visits them.
# Below, the list is printed input first (x₁ … x₅), and the sum over children is evaluated by hand
# from the edges alone, then compared with backward's grads.

# %%
nodes = list(reversed(topological_order(d)))           # x1 ... x5
index = {id(n): i + 1 for i, n in enumerate(nodes)}
for i, n in enumerate(nodes, 1):
    pa = ", ".join(f"x{index[id(p)]}" for p in n.parents) or "—"
    print(f"x{i} = {n.label}: g{i} = {n.op or 'input'}, Pa(x{i}) = {{{pa}}}, value {n.data:.6f}")

adjoint = {id(d): 1.0}                                  # ∂f/∂x_L = 1
for n in reversed(nodes[:-1]):                          # x4, x3, x2, x1
    children = [(m, j) for m in nodes for j, p in enumerate(m.parents) if p is n]
    adjoint[id(n)] = sum(adjoint[id(m)] * m.local_grads[j] for m, j in children)
compare([(f"∂f/∂x{index[id(n)]} ({n.label})", adjoint[id(n)], n.grad) for n in nodes])

# %% [markdown]
# ## Forward and reverse mode on √(x² + exp x²), by hand
#
# **Forward mode** carries a *tangent* (the derivative with respect to the input, written with a
# dot) along with each value, input to output:
# ẋ = 1, ȧ = 2x·ẋ, ḃ = exp(a)·ȧ, ċ = ȧ + ḃ, ḋ = ċ/(2d).
#
# **Reverse mode** (what `backward` does) carries an *adjoint* (the derivative of the output with
# respect to the node, written with a bar) from output to input:
# d̄ = 1, c̄ = d̄/(2d), b̄ = c̄, ā = c̄ + b̄·b, x̄ = ā·2x.

# %%
x_dot = 1.0
a_dot = 2 * x0 * x_dot
b_dot = B * a_dot
c_dot = a_dot + b_dot
d_dot = c_dot / (2 * D)

d_bar = 1.0
c_bar = d_bar / (2 * D)
b_bar = c_bar
a_bar = c_bar + b_bar * B
x_bar = a_bar * 2 * x0
compare([("forward ḋ", d_dot, x.grad), ("reverse x̄", x_bar, x.grad)])

# %% [markdown]
# ### When is reverse mode cheaper?
#
# The notes: reverse mode is the standard for neural networks "since the output of a neural
# network consists of either one or some few other output variables". One forward-mode sweep gives
# the derivative of **every output** with respect to **one input** direction; one reverse sweep
# gives the derivative of **one output** with respect to **every input**. So for f: ℝⁿ → ℝ the
# full gradient takes n forward sweeps but 1 reverse sweep, and for g: ℝ → ℝᵐ it is the other way
# round.
#
# Forward mode by hand: a dual number carries (value, tangent) through each operation with that
# operation's derivative rule. The library does not have forward mode yet, so this little class is
# the hand part; autodiff's reverse mode is the other side.

# %%
class Dual:
    """A value v and a tangent v̇ = dv/d(direction): forward mode, one input direction per sweep."""

    def __init__(self, v, dv=0.0):
        self.v, self.dv = v, dv

    def __add__(self, o):
        o = o if isinstance(o, Dual) else Dual(o)
        return Dual(self.v + o.v, self.dv + o.dv)

    __radd__ = __add__

    def __mul__(self, o):
        o = o if isinstance(o, Dual) else Dual(o)
        return Dual(self.v * o.v, self.dv * o.v + self.v * o.dv)

    __rmul__ = __mul__

    def sin(self):
        return Dual(math.sin(self.v), math.cos(self.v) * self.dv)

    def exp(self):
        return Dual(math.exp(self.v), math.exp(self.v) * self.dv)


def many_to_one(xs):
    """f: ℝⁿ → ℝ, f = Σᵢ sin(xᵢ)·x_{i+1} + exp(x₀)."""
    total = xs[0].exp()
    for i in range(len(xs) - 1):
        total = total + xs[i].sin() * xs[i + 1]
    return total


n = 8
point = [0.1 * (i + 1) for i in range(n)]
forward_sweeps = 0
grad_forward = []
for i in range(n):                       # one sweep per input direction eᵢ
    duals = [Dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(point)]
    grad_forward.append(many_to_one(duals).dv)
    forward_sweeps += 1

values = [Value(v) for v in point]
many_to_one(values).backward()          # one reverse sweep for all n partial derivatives
reverse_sweeps = 1
print(f"f: R^{n} → R   forward mode: {forward_sweeps} sweeps, reverse mode: {reverse_sweeps} sweep")
compare([(f"∂f/∂x{i}", g, v.grad) for i, (g, v) in enumerate(zip(grad_forward, values))])

# %%
def one_to_many(x, m):
    """g: ℝ → ℝᵐ, gₖ = sin(k·x)·exp(x)."""
    return [(k * x).sin() * x.exp() for k in range(1, m + 1)]


m, t0 = 6, 0.3
tangents = [g.dv for g in one_to_many(Dual(t0, 1.0), m)]   # one forward sweep: all m derivatives
reverse = []
for k in range(m):                                            # one backward pass per output
    t = Value(t0)
    one_to_many(t, m)[k].backward()
    reverse.append(t.grad)
print(f"g: R → R^{m}   forward mode: 1 sweep, reverse mode: {m} sweeps")
compare([(f"dg{k + 1}/dx", tangents[k], reverse[k]) for k in range(m)])

# %% [markdown]
# ### Forward mode in the library
#
# `autodiff.jvp` is the `Dual` class above done once for every op of the table: each op pushes
# the tangent ẏ = Σᵢ ∂y/∂xᵢ ẋᵢ as it runs, so one forward sweep gives f and f′ with no backward
# pass. `tangent_trace` prints that sweep with the notes' intermediates and their dotted tangents
# (ȧ = 2xẋ, ḃ = e^a ȧ, ċ = ȧ + ḃ, ḋ = ċ/(2d), with numbers):

# %%
import autodiff  # noqa: E402


def f_intermediates(v):
    a = v ** 2
    b = a.exp()
    c = a + b
    return c.sqrt()


value, slope = autodiff.jvp(f_intermediates, (x0,), (1.0,))
trace = autodiff.tangent_trace(f_intermediates, (x0,), (1.0,))
print(trace)
compare([("df/dx: reverse sweep (x.grad) vs one forward sweep", x.grad, slope),
         ("ȧ = 2x·ẋ", 2 * x0, trace.tangents[trace.nodes[1]]),
         ("ḃ = e^a·ȧ", math.exp(x0**2) * 2 * x0, trace.tangents[trace.nodes[2]])])
trace.draw(rankdir="TB")

# %% [markdown]
# And the cost argument, counted by the library itself: the full Jacobian of f: ℝ⁸ → ℝ takes 8
# forward sweeps (`jacfwd`, one column each) but 1 reverse sweep (`jacrev`, one row); for
# g: ℝ → ℝ⁶ it is the other way round.

# %%
with autodiff.count_ops() as fwd:
    by_columns = autodiff.jacfwd(many_to_one)(np.array(point))
with autodiff.count_ops() as rev:
    by_rows = autodiff.jacrev(many_to_one)(np.array(point))
print(f"f: R^{n} → R   jacfwd: {fwd.forward_sweeps} forward sweeps, {fwd.tangent_ops} tangent rules; "
      f"jacrev: {rev.reverse_sweeps} reverse sweep, {rev.backward_ops} VJPs")
assert (fwd.forward_sweeps, fwd.reverse_sweeps, rev.forward_sweeps, rev.reverse_sweeps) == (n, 0, 0, 1)
compare([(f"∂f/∂x{i}: Dual sweeps vs jacfwd", grad_forward[i], by_columns[i]) for i in range(n)]
        + [(f"∂f/∂x{i}: jacfwd vs jacrev", by_columns[i], by_rows[i]) for i in range(n)])

with autodiff.count_ops() as fwd:
    columns = autodiff.jacfwd(lambda v: one_to_many(v, m))(t0)
with autodiff.count_ops() as rev:
    rows = autodiff.jacrev(lambda v: one_to_many(v, m))(t0)
print(f"g: R → R^{m}   jacfwd: {fwd.forward_sweeps} forward sweep; jacrev: {rev.reverse_sweeps} reverse sweeps")
assert (fwd.forward_sweeps, rev.reverse_sweeps) == (1, m)
compare([(f"dg{k + 1}/dx: jacfwd vs jacrev", columns[k], rows[k]) for k in range(m)])

# %% [markdown]
# ## Automatic differentiation vs symbolic differentiation vs finite differences
#
# The notes: automatic differentiation gives "derivatives to numerical precision"; it is not
# symbolic differentiation (SymPy), nor "approximative formulae based on Taylor-expansions", which
# "are error prone due to truncation errors and values of the step size Δ".
#
# For f(x) = √(x² + exp x²) at x = 0.7 we take SymPy's derivative evaluated with 30 digits as the
# truth, and compare
# * the forward difference (f(x + Δ) − f(x))/Δ, truncation error ≈ ½|f″|Δ (slope 1 on a log-log
#   plot);
# * the central difference (f(x + Δ) − f(x − Δ))/(2Δ), truncation error ≈ |f‴|Δ²/6 (slope 2);
# * both suffer rounding error ≈ ε·|f|/Δ for small Δ (slope −1), ε ≈ 2.2·10⁻¹⁶;
# * autodiff: one number, no Δ.

# %%
def f_float(v):
    return math.sqrt(v * v + math.exp(v * v))


truth = float(sp.N(sp.diff(f_sym, xs).subs(xs, sp.Rational(7, 10)), 30))
steps = np.logspace(-15, -1, 57)
err_forward = np.array([abs((f_float(x0 + h) - f_float(x0)) / h - truth) for h in steps])
err_central = np.array([abs((f_float(x0 + h) - f_float(x0 - h)) / (2 * h) - truth) for h in steps])
err_ad = abs(x.grad - truth)


def slope(h_lo, h_hi, err):
    keep = (steps >= h_lo) & (steps <= h_hi)
    return np.polyfit(np.log10(steps[keep]), np.log10(err[keep]), 1)[0]


print(f"autodiff error below 1e-15: {err_ad < 1e-15}")
print(f"best forward difference  ~{err_forward.min():.0e} at Δ ~ {steps[err_forward.argmin()]:.0e}")
print(f"best central difference  ~{err_central.min():.0e} at Δ ~ {steps[err_central.argmin()]:.0e}")
print(f"slopes: forward {slope(1e-4, 1e-1, err_forward):.1f} (truncation), "
      f"central {slope(1e-3, 1e-1, err_central):.1f} (truncation), "
      f"forward {slope(1e-15, 1e-10, err_forward):.0f} (rounding)")
assert err_ad < 1e-15
assert abs(slope(1e-4, 1e-1, err_forward) - 1) < 0.1 and abs(slope(1e-3, 1e-1, err_central) - 2) < 0.1
assert abs(slope(1e-15, 1e-10, err_forward) + 1) < 0.3
assert err_forward.min() > 1e-10 and err_central.min() > 1e-12          # far from autodiff's 1e-16
assert 1e-10 < steps[err_forward.argmin()] < 1e-6 and 1e-7 < steps[err_central.argmin()] < 1e-3

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.5))
ax.loglog(steps, err_forward, "o-", ms=3, label="forward difference (f(x+Δ) − f(x))/Δ")
ax.loglog(steps, err_central, "s-", ms=3, label="central difference (f(x+Δ) − f(x−Δ))/2Δ")
ax.axhline(max(err_ad, 1e-17), color="k", ls="--", label=f"autodiff (error {err_ad:.0e})")
ax.loglog(steps, 0.5 * steps, ":", color="C0", alpha=0.6, label="slope 1")
ax.loglog(steps, 0.5 * steps**2, ":", color="C1", alpha=0.6, label="slope 2")
ax.loglog(steps, 2.2e-16 / steps, ":", color="grey", alpha=0.6, label="rounding ε/Δ")
ax.set_ylim(1e-17, 1)
ax.set_xlabel("step size Δ")
ax.set_ylabel("|error| in f′(0.7)")
ax.set_title("f(x) = √(x² + exp x²): truncation vs rounding error")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The V shapes are the point: shrinking Δ helps until rounding takes over, so the best a forward
# difference can do here is about 10⁻⁸ (at Δ ≈ √ε ≈ 10⁻⁸) and a central difference about 10⁻¹¹ (at
# Δ ≈ ε^(1/3) ≈ 10⁻⁵). Autodiff applies exact derivative rules to floating-point values, so its only
# error is the rounding of those few operations. SymPy is exact too, but it builds an expression
# first (10 operations against 3 for the derivative here).

# %% [markdown]
# ## In general not this simple: derivatives of programs
#
# The notes close the example: in general the implementation "involves repeated calculations of
# derivatives of elementary functions", and the functions "could also be computer programs". A
# program with a loop and a branch: Newton's iteration for √c, started at c and run a fixed number
# of times. Each iteration is just +, × and /, so autodiff differentiates the *program*;
# the result converges to d√c/dc = 1/(2√c), the derivative the notes use for ∂d/∂c.

# %%
def newton_sqrt(c, iterations):
    r = c if c.data > 1 else c * 0 + 1      # a branch on the value: the graph records the path taken
    for _ in range(iterations):
        r = 0.5 * (r + c / r)
    return r


for iterations in (2, 4, 6):
    cv = Value(C, label="c")
    r = newton_sqrt(cv, iterations)
    r.backward()
    print(f"{iterations} iterations: r = {r.data:.12f}, dr/dc = {cv.grad:.12f}")
compare([("√c", math.sqrt(C), r.data), ("d√c/dc", 1 / (2 * math.sqrt(C)), cv.grad)])
