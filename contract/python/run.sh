#!/usr/bin/env bash
# The Python contract client: generates a client from openapi.yaml alone (openapi-python-client),
# type-checks the journey against it (mypy --strict) and drives the whole journey against a
# running service. Needs BASE_URL, ADMIN_USERNAME and ADMIN_PASSWORD (contract/clients.sh sets
# them) and contract/.venv, created from contract/requirements.lock (contract/setup.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/../.venv/bin"
: "${BASE_URL:?set BASE_URL}" "${ADMIN_USERNAME:?set ADMIN_USERNAME}" "${ADMIN_PASSWORD:?set ADMIN_PASSWORD}"

# Generate (overwriting) into generated/nhsmail_dental_client. The generator warns that it skips
# PUT /v1/admin/reference-data/{dataset} (a text/csv body); journey.py makes that one call itself.
rm -rf "$here/generated"
"$venv/openapi-python-client" generate \
    --path "$here/../../openapi.yaml" \
    --config "$here/config.yaml" \
    --meta none \
    --output-path "$here/generated/nhsmail_dental_client" \
    --overwrite

cd "$here"
MYPYPATH="$here/generated" "$venv/mypy" --strict --cache-dir "$here/generated/.mypy_cache" \
    journey.py generated/nhsmail_dental_client
PYTHONPATH="$here/generated" "$venv/python" journey.py
