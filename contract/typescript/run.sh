#!/usr/bin/env bash
# The whole journey through a TypeScript client generated from openapi.yaml alone:
# openapi-typescript turns the contract into types, `tsc --strict` compiles journey.ts (which
# calls the API only through openapi-fetch's typed client), and node runs it.
# Needs BASE_URL, ADMIN_USERNAME and ADMIN_PASSWORD (contract/clients.sh sets them) and
# contract/node_modules (`npm ci` in contract/). Set VERBOSE=1 to see every step.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${BASE_URL:?BASE_URL must be set}" "${ADMIN_USERNAME:?ADMIN_USERNAME must be set}" "${ADMIN_PASSWORD:?ADMIN_PASSWORD must be set}"

rm -rf typescript/generated typescript/dist
mkdir -p typescript/generated
npx --no-install openapi-typescript ../openapi.yaml --output typescript/generated/api.d.ts
npx --no-install tsc --project typescript/tsconfig.json
node typescript/dist/journey.js
