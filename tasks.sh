#!/usr/bin/env bash
# The project's two jobs, each installing what it needs first:
#   bash tasks.sh demo   install everything, then run the demo (backprop on a neuron, then a digits MLP)
#   bash tasks.sh test   install everything, then run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"

install() {
    if ! command -v dot >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "== installing graphviz (the 'dot' binary) with apt-get"
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
        else
            echo "!! graphviz's 'dot' binary is missing: pictures will not render (DOT source still works)."
            echo "!! install it with: sudo apt-get install graphviz  |  brew install graphviz  |  conda install graphviz"
        fi
    fi
    echo "== installing the package and its extras with pip"
    "$PY" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e ".[dev]"
}

case "${1:-}" in
    demo)
        install
        "$PY" -m nn.demo "${@:2}"
        ;;
    test)
        install
        "$PY" -m ruff check .
        "$PY" -m pytest -q "${@:2}"
        ;;
    *)
        echo "usage: bash tasks.sh demo|test [pytest args]" >&2
        exit 2
        ;;
esac
