# Sourced by bin/dev and bin/test: finds Python 3.12 and keeps .venv in step with
# requirements.lock. Installs only when the lock file (or the Python) changed since last time.

python_is_recent_enough() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_is_recent_enough "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    cat >&2 <<'MESSAGE'
Quotery needs Python 3.12 (or newer), and neither python3.12 nor python3 on the PATH is.
Get it one of these ways, then run this command again:
  - pyenv:   pyenv install 3.12      (the repository's .python-version then selects it)
  - uv:      uv python install 3.12  (then put its python3.12 on the PATH)
  - Ubuntu 24.04: sudo apt-get install python3.12 python3.12-venv
  - Debian 13:    sudo apt-get install python3 python3-venv   (Python 3.13 works too)
MESSAGE
    return 1
}

ensure_venv() {
    local python stamp
    if [ -x .venv/bin/python ] && python_is_recent_enough .venv/bin/python; then
        :
    else
        if [ -e .venv ]; then
            echo "==> .venv is not a working Python 3.12 environment; making a new one"
            rm -rf .venv
        fi
        python=$(find_python) || return 1
        echo "==> Creating .venv with $python ($("$python" --version 2>&1))"
        if ! "$python" -m venv .venv; then
            echo "Could not create .venv. On Debian/Ubuntu: sudo apt-get install python3.12-venv" >&2
            return 1
        fi
    fi
    stamp="$(sha256sum requirements.lock | cut -d' ' -f1) $(.venv/bin/python --version 2>&1)"
    if [ -f .venv/.quotery-installed ] && [ "$(cat .venv/.quotery-installed)" = "$stamp" ]; then
        return 0
    fi
    echo "==> Installing the pinned dependencies from requirements.lock"
    if command -v uv >/dev/null 2>&1; then
        uv pip install --quiet --python .venv/bin/python -r requirements.lock || return 1
    else
        .venv/bin/python -m pip install -qq --disable-pip-version-check \
            -r requirements.lock || return 1
    fi
    echo "$stamp" >.venv/.quotery-installed
}
