# Shared by the contract checks: starts a fresh development instance of the service on the
# database given, with a helpdesk administrator, and stops it on exit. Source it, then call
#   start_service DATABASE_URL PORT
# which exports BASE_URL, ADMIN_USERNAME, ADMIN_PASSWORD and SERVICE_LOG.

BINARY=${BINARY:-${CARGO_TARGET_DIR:-target}/debug/nhsmail-dental}
ADMIN_USERNAME=helpdesk.tester
ADMIN_PASSWORD="quiet harbour lantern maple"

start_service() {
    local database_url=$1 port=$2
    SERVICE_WORK=$(mktemp -d)
    SERVICE_LOG="$SERVICE_WORK/server.log"
    export APP_ENV=development DATABASE_URL="$database_url" LOAD_SAMPLE_DATA=true
    export OUTBOX_FILE="$SERVICE_WORK/outbox.jsonl" BIND_ADDRESS="127.0.0.1:$port"
    export NOTIFY_CALLBACK_TOKEN="callback-token-$RANDOM$RANDOM"
    export ADMIN_TOKEN_MINUTES=240 ACCOUNT_ACCESS_TOKEN_MINUTES=240 ACCOUNT_SESSION_HOURS=24
    export DISPATCH_INTERVAL_MILLIS=50 RUST_LOG=${RUST_LOG:-warn}
    # The tools send thousands of requests from one address; the throttles have tests of their own.
    export SIGN_IN_FAILURES_PER_CLIENT=1000000 APPLICATIONS_PER_CLIENT=1000000
    "$BINARY" migrate >/dev/null
    ADMIN_PASSWORD="$ADMIN_PASSWORD" "$BINARY" admin create --username "$ADMIN_USERNAME" --name "Jo Tester" >/dev/null
    "$BINARY" serve >"$SERVICE_LOG" 2>&1 &
    SERVICE_PID=$!
    trap 'kill $SERVICE_PID 2>/dev/null || true; rm -rf "$SERVICE_WORK"' EXIT
    for _ in $(seq 1 200); do
        curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "the service did not start:" >&2; cat "$SERVICE_LOG" >&2; return 1; }
    export BASE_URL="http://127.0.0.1:$port" ADMIN_USERNAME ADMIN_PASSWORD SERVICE_LOG
}

# Fails if the service logged an error or a panic.
check_service_log() {
    if grep -q 'ERROR\|panicked' "$SERVICE_LOG"; then
        echo "the service logged errors:" >&2
        grep 'ERROR\|panicked' "$SERVICE_LOG" | head -20 >&2
        return 1
    fi
}
