#!/usr/bin/env bash
# The project's two jobs, each installing what it needs first:
#   bash tasks.sh demo     install the package with its plotting extra, then run the demo
#   bash tasks.sh test     install the package with every development extra, then ruff and the test suite
#   bash tasks.sh python   create the environment if needed and print its Python (for scripts such as CI)
# Packages go into a virtual environment: the one you are in (an activated venv, or PYTHON=.../bin/python
# of a venv), otherwise .venv/ here, made with PYTHON (default python3). A system Python that refuses
# `pip install` (PEP 668: Debian 12, Ubuntu >= 23.04, Homebrew) is never installed into.
set -euo pipefail
cd "$(dirname "$0")"
BASE="${PYTHON:-python3}"
VENV=.venv

# Prints "prefix|base_prefix|X.Y|executable" of the Python $1 (a venv's prefix differs from its
# base_prefix); fails for a Python older than the package needs.
describe() {
    "$1" -c 'import sys; print(sys.prefix, sys.base_prefix, "%d.%d" % sys.version_info[:2], sys.executable, sep="|")
sys.exit(sys.version_info < (3, 10))'
}

venv_python() {
    local p
    for p in "$VENV/bin/python" "$VENV/Scripts/python.exe"; do
        if [ -x "$p" ]; then echo "$p"; return 0; fi
    done
    return 1
}

# Echoes the Python to install into and run with; messages go to stderr so `tasks.sh python` prints a path only.
environment() {
    local base prefix base_prefix version executable py venv venv_base venv_version existed=""
    base="$(describe "$BASE")" || { echo "!! $BASE is not a Python 3.10 or newer: set PYTHON=/path/to/python3" >&2; exit 1; }
    IFS='|' read -r prefix base_prefix version executable <<<"$base"
    if [ "$prefix" != "$base_prefix" ]; then
        echo "$executable"    # already inside a virtual environment: use it as it is
        return
    fi
    if py="$(venv_python)"; then
        venv="$(describe "$py")" || { echo "!! $VENV/ is broken: remove it (rm -rf $VENV) and run again" >&2; exit 1; }
        IFS='|' read -r _ venv_base venv_version executable <<<"$venv"
        if [ "$venv_base" != "$base_prefix" ] || [ "$venv_version" != "$version" ]; then
            echo "!! $VENV/ was made from Python $venv_version at $venv_base, but $BASE is Python $version at $base_prefix." >&2
            echo "!! remove it (rm -rf $VENV) to rebuild it from $BASE, or set PYTHON to the Python it was made from." >&2
            exit 1
        fi
        echo "$executable"
        return
    fi
    echo "== creating the virtual environment $VENV/ with $BASE (Python $version)" >&2
    if [ -e "$VENV" ]; then existed=yes; fi
    if ! "$BASE" -m venv "$VENV" >&2; then
        if [ -z "$existed" ]; then rm -rf "$VENV"; fi    # leave no half-made environment behind
        echo "!! $BASE cannot make a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
        exit 1
    fi
    IFS='|' read -r _ _ _ executable <<<"$(describe "$(venv_python)")"
    echo "$executable"
}

install() {
    local py="$1" extras="$2"
    if ! command -v dot >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "== installing graphviz (the 'dot' binary) with apt-get"
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
        else
            echo "!! graphviz's 'dot' binary is missing: pictures will not render (DOT source still works)."
            echo "!! install it with: sudo apt-get install graphviz  |  brew install graphviz  |  conda install graphviz"
        fi
    fi
    echo "== installing the package with its extras [$extras] into $py"
    "$py" -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
}

case "${1:-}" in
    demo)
        PY="$(environment)"
        install "$PY" plot
        "$PY" -m nn.demo "${@:2}"
        ;;
    test)
        PY="$(environment)"
        install "$PY" dev
        "$PY" -m ruff check .
        "$PY" -m pytest -q "${@:2}"
        ;;
    python)
        environment
        ;;
    *)
        echo "usage: bash tasks.sh demo [--epochs N] | test [pytest args] | python" >&2
        exit 2
        ;;
esac
