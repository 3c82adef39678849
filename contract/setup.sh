#!/usr/bin/env bash
# Installs the contract-check tools from the versions pinned in this directory: Node packages
# from package-lock.json (npm ci) and Python packages from requirements.lock into .venv.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check --requirement requirements.lock
