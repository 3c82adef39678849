#!/usr/bin/env bash
# Runs the Postman collection with newman against a running development instance.
# Needs BASE_URL, ADMIN_USERNAME and ADMIN_PASSWORD (a helpdesk administrator) in the environment,
# and contract/node_modules (newman, pinned by contract/package-lock.json).
# Exits non-zero if any assertion fails (--bail stops at the first failure).
# Optional: NEWMAN_JUNIT_FILE=path also writes a JUnit XML report there (a relative path is from contract/).
set -euo pipefail

: "${BASE_URL:?set BASE_URL, e.g. http://127.0.0.1:8080}"
: "${ADMIN_USERNAME:?set ADMIN_USERNAME to a helpdesk administrator}"
: "${ADMIN_PASSWORD:?set ADMIN_PASSWORD to the password of that administrator}"

reporters=(--reporters cli)
if [ -n "${NEWMAN_JUNIT_FILE:-}" ]; then
    reporters=(--reporters cli,junit --reporter-junit-export "$NEWMAN_JUNIT_FILE")
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."   # contract/, where node_modules is

npx --no-install newman run postman/nhsmail-dental.postman_collection.json \
    -e postman/nhsmail-dental.postman_environment.json \
    --env-var "baseUrl=$BASE_URL" \
    --env-var "adminUsername=$ADMIN_USERNAME" \
    --env-var "adminPassword=$ADMIN_PASSWORD" \
    --bail \
    --color off \
    "${reporters[@]}"
