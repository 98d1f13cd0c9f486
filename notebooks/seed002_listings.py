"""Seed 002's code listings as printed (indentation restored), and a check that reads them without
running them: the notebooks 2x_* use it to show which listings cannot run and why.

The listings are data: they are parsed with ``ast``, never executed.
"""

from __future__ import annotations

import ast
import builtins

# "Let's try using stochastic gradient descent (SGD)": the first of the three fits.
FIRST_FIT = """\
w = np.zeros((2, 1))
rjp = 0.1
X1 = np.insert(X, 0, 1, 1)
for iter in range(100):
    for n in range(X.shape[0]):
        Xn = X1[n:n + 1, :]
        Tn = T[n:n + 1, :]
        yn = f(Xn @ w)
        w += rho * Xn.T * (Tn - yn) * df(yn)

plt.plot(X, T, 'o')
plt.plot(X, f(X1 @ w))
w
"""

# "Now in python." (Preparing for Python)
PYTHON_STEP = """\
# Given input X and target T, do forward pass to calculate network output, Y
Z = tanh(X1 @ V))
Y = Z1 @ W
# Do gradient descent on derivative of squared error with respect to each weight to update V and W.
error = T - Y
V = V + rh * X1.T @ ((error @ W[1:, :].T) * (1 - Z**2))
W = W + ro * Z1.T @ error
"""

# "Finally, the Code": the cell that should define addOnes.
ADD_ONES = """\
# Add constant column of 1's
return np.insert(A, 0, 1, axis=1)
"""

# "Finally, the Code": the training cell (the plotting at its end left out: it reads only names
# the loop defines).
TRAINING = """\
# Set parameters of neural network
nHiddens = 20

rhoh = 0.1
rhoo = 0.01

# rh = rhoh / (nSamples * nOutputs)
# ro = rhoo / (nSamples * nOutputs)

# Initialize weights to uniformly distributed values between small normally-distributed between -0.1 and 0.1
V = np.random.uniform(-0.1, 0.1, size=(1 + 1, nHiddens))
W = np.random.uniform(-0.1, 0.1, size=(1 + nHiddens, nOutputs))

# Take nEpochs steepest descent steps in gradient descent search in mean-squared-error function
nEpochs = 100000
# collect training and testing errors for plotting
errorTrace = np.zeros((nEpochs, 2))

fig = plt.figure(figsize=(10, 20))
for epoch in range(nEpochs):

    # Forward pass on training data
    Z = np.tanh(XtrainS1 @ V)
    Y = Z1 @ W

    # Error in output
    error = TtrainS - Y

    # Backward pass - the backpropagation and weight update steps
    V = V + rh * XtrainS1.T @ ( ( error @ W[1:, :].T) * (1 - Z**2))
    W = W + ro * Z1.T @ error

    YtestS = addOnes(np.tanh(XtestS1 @ V)) @ W  #!! Forward pass in one line
    Ytest = YtestS * Tstds + Tmeans

    # error traces for plotting
    error = error * Tstds  # to unstandardize otuput error
    errorTrace[epoch, 0] = np.sqrt(np.mean((error**2)))
    errorTrace[epoch, 1] = np.sqrt(np.mean((Ytest - Ttest)**2))
"""


def syntax_error(code: str) -> str | None:
    """Python's complaint about ``code`` ("line 2: unmatched ')'"), or None if it compiles.
    ``compile`` parses and checks the listing (a ``return`` outside a function is caught there, not
    by ``ast.parse``); it does not run it."""
    try:
        compile(code, "<seed 002>", "exec")
    except SyntaxError as e:
        return f"line {e.lineno}: {e.msg}"
    return None


def unbound_names(code: str, defined: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The names ``code`` reads that neither it, the earlier cells (``defined``) nor Python's builtins
    ever assign: each one is a NameError when the listing runs."""
    tree = ast.parse(code)
    written = set(defined) | set(dir(builtins))
    read = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (written if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            written.add(node.name)
        elif isinstance(node, ast.arg):
            written.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            written.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return sorted(read - written)
