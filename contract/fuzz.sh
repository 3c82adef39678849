#!/usr/bin/env bash
# Fuzzes a fresh instance of the service with Schemathesis (every check, every operation) on the
# database given as the first argument (sqlite://PATH or postgres://…), authenticated with
# fixtures from contract/fixtures.py. Exits non-zero on any failure or server error.
# Needs the service binary ($BINARY) and the pinned Schemathesis in $VENV (contract/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source contract/lib.sh
VENV=${VENV:-contract/.venv}
start_service "$1" "${PORT:-18080}"

eval "$(python3 contract/fixtures.py "$BASE_URL" "$ADMIN_USERNAME" "$ADMIN_PASSWORD")"
export HELPDESK_TOKEN ACCOUNT_TOKEN ACCOUNT_ID RESET_ID WAITING_APPLICATION_ID DRAFT_APPLICATION_ID
export DRAFT_APPLICATION_TOKEN DRAFT_MEMBER_ID SPARE_HELPDESK_TOKEN SPARE_ACCOUNT_TOKEN

status=0
"$VENV/bin/schemathesis" --config-file contract/schemathesis.toml run openapi.yaml \
    --url "$BASE_URL" --checks all --workers 1 --seed "${SEED:-1}" \
    --max-examples "${MAX_EXAMPLES:-25}" --no-color || status=$?
check_service_log || status=1
exit $status
