#!/usr/bin/env bash
# Streams the tasks export at 100,000 and at 1,000,000 rows and prints, for each size and form,
# the rows and bytes received, the time to the first byte and to the last, and the server's
# resident memory before and at its peak: an export's memory must stay flat whatever its size.
#
#   bench/export.sh [--only sqlite|postgres]
#
# fresh database -> `gongzhi seed demo` -> tasks copied in SQL to 100,000 -> `gongzhi serve`
# -> GET /export/tasks.csv and .ndjson, RSS sampled every 10 ms -> tasks to 1,000,000 -> again.
# Not a test: the figures go in bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
ONLY=sqlite
PG_URL_BASE=${PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=gongzhi_export

while [[ $# -gt 0 ]]; do
    case "$1" in
        --only) ONLY=$2; shift 2 ;;
        -h|--help) sed -n 2,10p "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[export] %s\n' "$*" >&2; }

export GONGZHI_JWT_SECRET="${GONGZHI_JWT_SECRET:-export-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"
export GONGZHI_ID_NUMBER_KEY="${GONGZHI_ID_NUMBER_KEY:-export-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"

if [[ -n ${GONGZHI_BIN:-} ]]; then
    BIN=$GONGZHI_BIN
else
    log "cargo build --release --bin gongzhi"
    (cd "$ROOT" && cargo build --release --bin gongzhi >&2)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/gongzhi"
fi
[[ -x $BIN ]] || { echo "not an executable: $BIN" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-export.XXXXXX")
SERVER_PID=""
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

COLUMNS="community_id, campaign_id, site_id, title, description, category, priority, status, level, due_at, evidence, reported_by, created_at, updated_at, resolved_at, closed_at, escalated_at, version"
case "$ONLY" in
    sqlite)
        URL="sqlite://$WORK/export.sqlite?mode=rwc"
        sql() { sqlite3 "$WORK/export.sqlite" "$1"; }
        # Copies of one task with fresh ids, until there are $1 tasks.
        grow() {
            sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - (SELECT count(*) FROM task))
                 INSERT INTO task (id, $COLUMNS)
                 SELECT randomblob(16), community_id, campaign_id, site_id, title || ' #' || i || '，\"引号\", 逗号', description, category, priority, status, level, due_at, evidence, reported_by, created_at, updated_at, resolved_at, closed_at, escalated_at, version
                 FROM n, (SELECT * FROM task LIMIT 1)"
        } ;;
    postgres)
        command -v psql >/dev/null || { echo "psql is needed for --only postgres" >&2; exit 1; }
        psql "$PG_URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
        URL="$PG_URL_BASE/$PG_DB"
        sql() { psql "$URL" -qAtc "$1"; }
        grow() {
            sql "INSERT INTO task (id, $COLUMNS)
                 SELECT gen_random_uuid(), community_id, campaign_id, site_id, title || ' #' || i || '，\"引号\", 逗号', description, category, priority, status, level, due_at, evidence, reported_by, created_at, updated_at, resolved_at, closed_at, escalated_at, version
                 FROM generate_series(1, $1 - (SELECT count(*) FROM task)) AS i, (SELECT * FROM task LIMIT 1) AS t" >/dev/null
        } ;;
    *) echo "--only sqlite|postgres" >&2; exit 2 ;;
esac

log "seeding the demo street ($ONLY)"
GONGZHI_LOG=warn "$BIN" seed demo --database-url "$URL" >&2
ADMIN=$("$BIN" token --role street-admin --street meiling-street)

serve() {
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    GONGZHI_LOG=warn "$BIN" serve --addr "127.0.0.1:$PORT" --database-url "$URL" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz" 2>/dev/null && return
        sleep 0.1
    done
    echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}

measure() {
    python3 - "$PORT" "$SERVER_PID" "$ADMIN" "$1" "$ONLY" <<'PY'
import subprocess, sys, threading, time
port, pid, admin, size, backend = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

for form in ("csv", "ndjson"):
    before = rss_mb()
    peak = [before]
    done = threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.01)
    t = threading.Thread(target=sample); t.start()
    out = subprocess.run(
        ["curl", "-sS", "-H", f"Authorization: Bearer {admin}", "-o", "/dev/stdout", "-w", "\n%{http_code} %{time_starttransfer} %{time_total} %{size_download}",
         f"http://127.0.0.1:{port}/export/tasks.{form}"], capture_output=True, check=True).stdout
    done.set(); t.join()
    body, _, tail = out.rpartition(b"\n")
    code, first, total, size_dl = tail.decode().split()
    lines = body.count(b"\n") - (1 if form == "csv" else 0)
    print(f"{backend:8} {size:>9} tasks  {form:6}  HTTP {code}  rows {lines:>9}  {int(size_dl)/1e6:8.1f} MB  first byte {float(first)*1000:7.1f} ms  "
          f"all {float(total):6.2f} s  RSS {before:6.1f} -> peak {peak[0]:6.1f} MB")
PY
}

for size in 100000 1000000; do
    [[ -n $SERVER_PID ]] && { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }
    log "growing the tasks to $size"
    grow "$size"
    serve
    measure "$size"
done
