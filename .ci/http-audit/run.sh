#!/usr/bin/env bash
# Run the GraphQL-over-HTTP conformance audit (graphql-http's auditServer)
# against a freshly started gongzhi server on a free loopback port with a
# throwaway SQLite database. Exits non-zero if any MUST requirement fails.
#
#   .ci/http-audit/run.sh
#
# Env:
#   GONGZHI_BIN   path to an already built gongzhi binary; if it does not
#                 point to an existing executable, the script runs
#                 `cargo build --release --bin gongzhi` instead.
#   AUDIT_TIMEOUT_MS  per-request timeout of the audit (default 30000).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
cd "$ROOT"

log() { echo "http-audit: $*" >&2; }

command -v node >/dev/null || { log "node is required (Node.js >= 18 for global fetch)"; exit 1; }

# --- audit dependencies ------------------------------------------------------
if [[ ! -d .ci/http-audit/node_modules ]]; then
  log "installing audit dependencies (npm ci)"
  (cd .ci/http-audit && npm ci --no-audit --no-fund)
fi

# --- server binary -------------------------------------------------------------
if [[ -n "${GONGZHI_BIN:-}" && -f "$GONGZHI_BIN" && -x "$GONGZHI_BIN" ]]; then
  BIN="$GONGZHI_BIN"
else
  if [[ -n "${GONGZHI_BIN:-}" ]]; then
    log "GONGZHI_BIN=$GONGZHI_BIN is not an executable file; building instead"
  fi
  log "building: cargo build --release --bin gongzhi"
  cargo build --release --bin gongzhi
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/gongzhi"
fi
log "server binary: $BIN"

# --- start the server ------------------------------------------------------------
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-http-audit.XXXXXX")"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

log "starting server on 127.0.0.1:$PORT (log: $TMP/server.log)"
GONGZHI_JWT_SECRET="audit-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" \
GONGZHI_ID_NUMBER_KEY="audit-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" \
GONGZHI_LOG=warn "$BIN" serve \
  --addr "127.0.0.1:$PORT" \
  --database-url "sqlite://$TMP/audit.sqlite?mode=rwc" \
  >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

# --- wait for /healthz (up to 60 s) -------------------------------------------------
ready=0
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  if curl -fsS --max-time 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    wait "$SERVER_PID" && rc=0 || rc=$?
    log "server exited (status $rc) before GET /healthz succeeded"
    SERVER_PID=""
    break
  fi
  sleep 0.5
done
if ((ready == 0)); then
  [[ -z "$SERVER_PID" ]] || log "server did not answer GET /healthz within 60 s"
  log "server log ($TMP/server.log):"
  cat "$TMP/server.log" >&2 || true
  exit 1
fi

# --- audit -------------------------------------------------------------------------
code=0
node .ci/http-audit/audit.mjs "http://127.0.0.1:$PORT/graphql" || code=$?
if ((code != 0)); then
  log "audit failed (exit $code); last lines of the server log:"
  tail -n 50 "$TMP/server.log" >&2 || true
fi
exit "$code"
