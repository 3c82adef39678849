#!/usr/bin/env bash
# Fuzzes a fresh instance of the service with Schemathesis (every check, every operation) on the
# database given as the first argument (sqlite://PATH or postgres://…), authenticated with
# fixtures from contract/fixtures.py. Exits non-zero on any failure or server error.
# Needs: target/release or target/debug binary built, the pinned Schemathesis in $VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL=$1
BINARY=${BINARY:-target/debug/nhsmail-dental}
VENV=${VENV:-contract/.venv}
PORT=${PORT:-18080}
WORK=$(mktemp -d)
LOG="$WORK/server.log"

export APP_ENV=development DATABASE_URL LOAD_SAMPLE_DATA=true OUTBOX_FILE="$WORK/outbox.jsonl"
export BIND_ADDRESS="127.0.0.1:$PORT" NOTIFY_CALLBACK_TOKEN="fuzz-callback-token-$RANDOM$RANDOM"
export ADMIN_TOKEN_MINUTES=240 ACCOUNT_ACCESS_TOKEN_MINUTES=240 ACCOUNT_SESSION_HOURS=24
export DISPATCH_INTERVAL_MILLIS=50 RUST_LOG=warn

"$BINARY" migrate >/dev/null
ADMIN_PASSWORD="fuzzing harbour lantern maple" "$BINARY" admin create --username helpdesk.tester --name "Jo Tester" >/dev/null
"$BINARY" serve >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.1
done

eval "$(python3 contract/fixtures.py "http://127.0.0.1:$PORT" helpdesk.tester "fuzzing harbour lantern maple")"
export HELPDESK_TOKEN ACCOUNT_TOKEN ACCOUNT_ID RESET_ID WAITING_APPLICATION_ID DRAFT_APPLICATION_ID
export DRAFT_APPLICATION_TOKEN DRAFT_MEMBER_ID SPARE_HELPDESK_TOKEN SPARE_ACCOUNT_TOKEN

status=0
"$VENV/bin/schemathesis" --config-file contract/schemathesis.toml run openapi.yaml \
    --url "http://127.0.0.1:$PORT" --checks all --workers 1 --seed "${SEED:-1}" \
    --max-examples "${MAX_EXAMPLES:-25}" --no-color || status=$?
if grep -q 'level=ERROR\|panicked' "$LOG"; then
    echo "server log shows errors:" >&2
    grep 'ERROR\|panicked' "$LOG" | head -20 >&2
    status=1
fi
exit $status
