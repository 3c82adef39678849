#!/usr/bin/env bash
# Drives the whole journey through clients generated from openapi.yaml alone (TypeScript with
# openapi-typescript + openapi-fetch, Python with openapi-python-client) and through the Postman
# collection with newman, against a fresh instance on the database given as the first argument.
# Needs the service binary ($BINARY), contract/node_modules and contract/.venv (contract/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source contract/lib.sh
start_service "$1" "${PORT:-18090}"

status=0
for client in typescript python postman; do
    echo "== $client client"
    bash "contract/$client/run.sh" || { echo "FAIL: the $client client" >&2; status=1; }
done
check_service_log || status=1
exit $status
