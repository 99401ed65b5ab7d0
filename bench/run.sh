#!/usr/bin/env bash
# gongzhi GraphQL benchmark: one command, both database backends.
#
#   bench/run.sh [--duration 20s] [--connections 32] [--only postgres|sqlite] [--rls on|off]
#                [--scenario poll|mixed]
#
# `--scenario poll` (the default): every request is bench/query.json as the street admin, the
# overview many front-ends poll. `--scenario mixed`: 80 % of that, 20 % bench/mixed.json (the
# same query with random page sizes) as the street admin or the staff of one of eight
# communities picked at random, which the response cache rarely holds (bench/mixed.lua).
#
# For each backend (PostgreSQL, then SQLite in a temporary directory):
# fresh database -> `gongzhi migrate` -> `gongzhi seed demo --scale 10`
# (timed) -> `gongzhi serve` on a free port -> wait for /healthz -> street-admin
# token -> one sanity request with curl (must return 20 communities) -> 3 s
# warm-up -> wrk (2 threads, --latency, bench/query.lua POSTing
# bench/query.json) -> peak RSS (VmHWM) of the server -> SIGTERM the server.
#
# PostgreSQL's row-level security: with `--rls on` (the default) the server logs in as
# `gongzhi_bench`, a member of `gongzhi_app` that owns nothing, as in production, so every
# policy applies; with `--rls off` it logs in as the database's owner (a superuser here), which
# row-level security lets by. Run both one after the other to see what the wall costs.
#
# Every response is checked by bench/query.lua (status 200, body has "data",
# no "errors").  The script exits non-zero at the end if any response was bad,
# if wrk saw socket errors or timeouts, or if the sanity request failed.
# Missing the performance targets is reported but does not fail the run.
#
# Environment:
#   GONGZHI_BIN   use this gongzhi binary instead of `cargo build --release`
#   KEEP_WORKDIR  if set to 1, keep the temporary directory (logs, SQLite db)
#   BENCH_PERF_DIR  if set, `perf record` samples the server during the measured run and
#                 writes <backend>.perf.data there (bench/profile.sh uses it)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A server outside development needs keys of its own (the public development secret is refused
# with any database but the default file); the tokens below are signed with the same one.
# The bench is one principal at full speed: the rate limits would measure themselves.
export GONGZHI_RATE_LIMIT="${GONGZHI_RATE_LIMIT:-0}"
export GONGZHI_JWT_SECRET="${GONGZHI_JWT_SECRET:-bench-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"
export GONGZHI_ID_NUMBER_KEY="${GONGZHI_ID_NUMBER_KEY:-bench-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"
ROOT=$(dirname "$BENCH_DIR")
QUERY_JSON="$BENCH_DIR/query.json"
QUERY_LUA="$BENCH_DIR/query.lua"

DURATION=20s
CONNECTIONS=32
THREADS=2
WARMUP=3s
ONLY=""
RLS=on
SCENARIO=poll
SCALE=10
EXPECTED_ROWS=20

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
PG_DB=gongzhi_bench
PG_VERSION=15
PG_CLUSTER=main

# Targets (PostgreSQL, 2-core machine, client and database on the same box).
TARGET_RPS=1500
TARGET_P99_MS=50
TARGET_RSS_MB=100

usage() {
    sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- arguments
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration)      [[ $# -ge 2 ]] || die "--duration needs a value"; DURATION=$2; shift 2 ;;
        --duration=*)    DURATION=${1#*=}; shift ;;
        --connections)   [[ $# -ge 2 ]] || die "--connections needs a value"; CONNECTIONS=$2; shift 2 ;;
        --connections=*) CONNECTIONS=${1#*=}; shift ;;
        --only)          [[ $# -ge 2 ]] || die "--only needs a value"; ONLY=$2; shift 2 ;;
        --only=*)        ONLY=${1#*=}; shift ;;
        --rls)           [[ $# -ge 2 ]] || die "--rls needs on or off"; RLS=$2; shift 2 ;;
        --rls=*)         RLS=${1#*=}; shift ;;
        --scenario)      [[ $# -ge 2 ]] || die "--scenario needs poll or mixed"; SCENARIO=$2; shift 2 ;;
        --scenario=*)    SCENARIO=${1#*=}; shift ;;
        -h|--help)       usage; exit 0 ;;
        *)               usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ $RLS == on || $RLS == off ]] || die "--rls must be on or off (got '$RLS')"
case "$SCENARIO" in
    poll)  ;;
    mixed) QUERY_LUA="$BENCH_DIR/mixed.lua"; export BENCH_DIR ;;
    *)     die "--scenario must be poll or mixed (got '$SCENARIO')" ;;
esac
[[ $DURATION =~ ^[0-9]+[smh]?$ ]] || die "--duration must look like 20s, 1m or 20 (got '$DURATION')"
[[ $CONNECTIONS =~ ^[0-9]+$ ]] || die "--connections must be a number (got '$CONNECTIONS')"
(( CONNECTIONS >= THREADS )) || die "--connections must be at least $THREADS (one per wrk thread)"
case "$ONLY" in
    "")       BACKENDS=(postgres sqlite) ;;
    postgres) BACKENDS=(postgres) ;;
    sqlite)   BACKENDS=(sqlite) ;;
    *)        die "--only must be postgres or sqlite (got '$ONLY')" ;;
esac

# ------------------------------------------------------------------- tools
[[ -f $QUERY_JSON ]] || die "missing $QUERY_JSON"
[[ -f $QUERY_LUA ]] || die "missing $QUERY_LUA"
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if [[ " ${BACKENDS[*]} " == *" postgres "* ]]; then
    command -v psql >/dev/null || die "psql is required for the PostgreSQL run (or use --only sqlite)"
fi
if ! command -v wrk >/dev/null; then
    log "installing wrk from Debian"
    SUDO=""
    if [[ $EUID -ne 0 ]]; then SUDO=sudo; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
    command -v wrk >/dev/null || die "wrk is still missing after apt-get install"
fi

# ------------------------------------------------------------------ binary
if [[ -n ${GONGZHI_BIN:-} ]]; then
    BIN=$GONGZHI_BIN
    log "using GONGZHI_BIN=$BIN"
else
    log "cargo build --release --bin gongzhi"
    # Ask cargo where the executable is (respects CARGO_TARGET_DIR and
    # .cargo/config.toml); compiler messages still go to stderr.
    BIN=$(cd "$ROOT" && cargo build --release --bin gongzhi --message-format=json-render-diagnostics \
        | python3 -c '
import json, sys
exe = ""
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "gongzhi" and m.get("executable"):
        exe = m["executable"]
print(exe)
')
    [[ -n $BIN ]] || die "cargo build did not report a gongzhi executable"
fi
[[ -x $BIN ]] || die "not an executable: $BIN"

# ------------------------------------------------------ workdir and cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-bench.XXXXXX")
SERVER_PID=""
SERVER_LOG=""
FAILURES=()
SUMMARY_ROWS=()

# True while $1 is a running (not zombie) process.
alive() {
    local stat state
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    state=${stat##*) }
    state=${state%% *}
    [[ -n $state && $state != Z && $state != X ]]
}

stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    local pid=$SERVER_PID status=0 i
    SERVER_PID=""
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            warn "server (pid $pid) still running 10 s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || status=$?
    log "server stopped (pid $pid, exit status $status)"
}

show_server_log() {
    if [[ -n $SERVER_LOG && -s $SERVER_LOG ]]; then
        printf -- '--- last lines of %s ---\n' "$SERVER_LOG" >&2
        tail -n 30 "$SERVER_LOG" >&2 || true
        printf -- '---\n' >&2
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT
    if [[ $rc -ne 0 && -n $SERVER_PID ]]; then show_server_log; fi
    stop_server || true
    if [[ $rc -ne 0 || ${KEEP_WORKDIR:-0} == 1 ]]; then
        log "kept work directory (logs): $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ----------------------------------------------------------------- helpers
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_up() {
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1
}

prepare_postgres() {
    if ! pg_up; then
        log "PostgreSQL is not answering; starting cluster $PG_VERSION/$PG_CLUSTER"
        pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
        local i
        for ((i = 0; i < 30; i++)); do
            pg_up && break
            sleep 1
        done
        pg_up || die "PostgreSQL did not come up on $PG_HOST:$PG_PORT"
    fi
    log "recreating database $PG_DB"
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -q \
        -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" \
        -c "CREATE DATABASE $PG_DB"
}

# The URL the server logs in with: on PostgreSQL with --rls on, a login of gongzhi_app.
server_url() {
    local url=$1 name=$2
    if [[ $name == postgres && $RLS == on ]]; then
        psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -q -c \
            "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gongzhi_bench') THEN CREATE ROLE gongzhi_bench LOGIN; END IF; END \$\$" \
            -c "GRANT gongzhi_app TO gongzhi_bench" >&2
        printf 'postgres://gongzhi_bench@%s:%s/%s' "$PG_HOST" "$PG_PORT" "$PG_DB"
    else
        printf '%s' "$url"
    fi
}

start_server() {
    local url=$1 port=$2 name=$3 i serve_url
    SERVER_LOG="$WORK/$name-server.log"
    serve_url=$(server_url "$url" "$name")
    log "$name: the server logs in as ${serve_url%%@*} (row-level security $RLS)"
    # A plain command in the background: bash execs it, so $! is the server; the migrations
    # (already run) are the owner's.
    GONGZHI_OWNER_DATABASE_URL="$url" GONGZHI_LOG=warn "$BIN" serve --addr "127.0.0.1:$port" --database-url "$serve_url" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for ((i = 0; i < 600; i++)); do
        if ! alive "$SERVER_PID"; then
            die "server exited before /healthz answered"
        fi
        if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
            log "server up (pid $SERVER_PID, port $port) after $(awk -v i="$i" 'BEGIN { printf "%.1f", i / 10 }') s"
            return 0
        fi
        sleep 0.1
    done
    die "server did not answer /healthz within 60 s"
}

# Reads BENCH_RESULT key from the line in $RESULT_LINE.
result() {
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$RESULT_LINE"
}

# Seconds in a wrk duration (20, 20s, 2m, 1h).
duration_seconds() {
    local d=$1
    case "$d" in
        *h) echo $(( ${d%h} * 3600 )) ;;
        *m) echo $(( ${d%m} * 60 )) ;;
        *s) echo "${d%s}" ;;
        *)  echo "$d" ;;
    esac
}

# wrk stops early and still exits 0 on SIGINT (Ctrl-C), and bash then carries
# on; a run shorter than asked for is treated as interrupted.
check_complete() {  # check_complete WHAT REQUESTED_DURATION
    local got want
    [[ -n $RESULT_LINE ]] || die "$1: wrk printed no BENCH_RESULT line"
    got=$(result duration_s)
    want=$(duration_seconds "$2")
    if ! awk -v g="$got" -v w="$want" 'BEGIN { exit !(g >= 0.9 * w) }'; then
        die "$1: wrk ran ${got} s of ${want} s (interrupted?)"
    fi
}

run_wrk() {  # run_wrk DURATION ENDPOINT TOKEN [--latency]
    local duration=$1 endpoint=$2 token=$3
    shift 3
    BENCH_TOKEN=$token BENCH_TOKENS=${BENCH_TOKENS:-$token} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" "$@" \
        -s "$QUERY_LUA" "$endpoint" -- "$QUERY_JSON"
}

# ------------------------------------------------------------ one backend
run_backend() {
    local name=$1 url
    case "$name" in
        postgres)
            prepare_postgres
            url="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
            ;;
        sqlite)
            mkdir -p "$WORK/sqlite"
            url="sqlite://$WORK/sqlite/gongzhi.db?mode=rwc"
            ;;
    esac

    printf '\n############ %s: %s\n' "$name" "$url"

    local t0 t1 migrate_s seed_s
    log "$name: migrate"
    t0=$(now)
    "$BIN" migrate --database-url "$url"
    t1=$(now)
    migrate_s=$(elapsed "$t0" "$t1")

    log "$name: seed demo --scale $SCALE"
    t0=$(now)
    "$BIN" seed demo --database-url "$url" --scale "$SCALE"
    t1=$(now)
    seed_s=$(elapsed "$t0" "$t1")
    log "$name: seed took $seed_s s (migrate $migrate_s s)"

    local port endpoint token
    port=$(free_port)
    start_server "$url" "$port" "$name"
    endpoint="http://127.0.0.1:$port/graphql"

    token=$("$BIN" token --role street-admin --street meiling-street)
    [[ $token =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$ ]] \
        || die "gongzhi token did not print a single JWT line (got: ${token:0:120})"

    # Sanity: one request with curl; the page must hold $EXPECTED_ROWS communities.
    local sanity="$WORK/$name-sanity.json" http rows total nerr
    http=$(curl -sS -o "$sanity" -w '%{http_code}' --max-time 30 \
        -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
        --data-binary @"$QUERY_JSON" "$endpoint")
    read -r rows total nerr < <(python3 -c '
import json, sys
try:
    d = json.load(open(sys.argv[1], encoding="utf-8"))
except Exception:
    print("invalid-json - -"); sys.exit()
errs = (d.get("errors") or []) if isinstance(d, dict) else []
try:
    c = d["data"]["communities"]
    print(len(c["edges"]), c.get("totalCount", "-"), len(errs))
except Exception:
    print("none -", len(errs))
' "$sanity")
    log "$name: sanity request: HTTP $http, $rows communities returned (totalCount $total, $nerr errors)"
    if [[ $http != 200 || $rows != "$EXPECTED_ROWS" || $nerr != 0 ]]; then
        FAILURES+=("$name: sanity request returned HTTP $http, $rows communities (expected $EXPECTED_ROWS), $nerr errors")
        printf -- '--- sanity response (first 600 bytes) ---\n%s\n---\n' "$(head -c 600 "$sanity")" >&2
    fi

    if [[ $SCENARIO == mixed ]]; then
        # The street admin and the staff of eight of its communities.
        local codes code
        codes=$(curl -sS --max-time 30 -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
            --data-binary '{"query":"{ communities(first: 8) { edges { node { code } } } }"}' "$endpoint" |
            python3 -c 'import json,sys; print(" ".join(e["node"]["code"] for e in json.load(sys.stdin)["data"]["communities"]["edges"]))')
        BENCH_TOKENS=$token
        for code in $codes; do
            BENCH_TOKENS+=" $("$BIN" token --role community-staff --community "$code")"
        done
        export BENCH_TOKENS
        log "$name: mixed scenario: 20 % executed as $(wc -w <<<"$BENCH_TOKENS") principals"
    fi

    log "$name: warm-up $WARMUP"
    local warm="$WORK/$name-warmup.txt"
    run_wrk "$WARMUP" "$endpoint" "$token" >"$warm"
    RESULT_LINE=$(grep '^BENCH_RESULT ' "$warm" || true)
    check_complete "$name warm-up" "$WARMUP"
    log "$name: warm-up: $(result requests) requests, $(result bad) bad"

    log "$name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency"
    local out="$WORK/$name-wrk.txt"
    # bench/profile.sh sets BENCH_PERF_DIR: sample the server's stacks for the length of the run.
    local perf_pid=""
    if [[ -n ${BENCH_PERF_DIR:-} ]]; then
        # BENCH_PERF_CALLGRAPH=dwarf (or fp, lbr) records stacks too, for `perf report --children`.
        perf record -F "${BENCH_PERF_HZ:-499}" ${BENCH_PERF_CALLGRAPH:+--call-graph "$BENCH_PERF_CALLGRAPH"} \
            -p "$SERVER_PID" -o "$BENCH_PERF_DIR/$name.perf.data" \
            -- sleep "$(duration_seconds "$DURATION")" >"$WORK/$name-perf.log" 2>&1 &
        perf_pid=$!
    fi
    run_wrk "$DURATION" "$endpoint" "$token" --latency | tee "$out"
    if [[ -n $perf_pid ]]; then
        wait "$perf_pid" || warn "$name: perf record failed (see $WORK/$name-perf.log)"
    fi
    RESULT_LINE=$(grep '^BENCH_RESULT ' "$out" || true)
    check_complete "$name" "$DURATION"

    # Peak memory of the server, read just before stopping it.
    local hwm_kb rss_mb
    hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || true)
    [[ -n $hwm_kb ]] || die "$name: could not read VmHWM of pid $SERVER_PID (server gone?)"
    rss_mb=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    stop_server

    local rps p50 p99 bad sock checked requests
    rps=$(result rps); p50=$(result p50_ms); p99=$(result p99_ms)
    bad=$(result bad); sock=$(result socket_errors)
    checked=$(result checked); requests=$(result requests)

    local rps_note="" p99_note="" rss_note
    if [[ $name == postgres ]]; then
        rps_note=$(awk -v v="$rps" -v t="$TARGET_RPS" 'BEGIN { print (v >= t) ? "target >= " t ": met" : "target >= " t ": MISSED" }')
        p99_note=$(awk -v v="$p99" -v t="$TARGET_P99_MS" 'BEGIN { print (v < t) ? "target < " t " ms: met" : "target < " t " ms: MISSED" }')
    fi
    rss_note=$(awk -v v="$rss_mb" -v t="$TARGET_RSS_MB" 'BEGIN { print (v < t) ? "target < " t " MB: met" : "target < " t " MB: MISSED" }')

    printf '\n===== %s summary =====\n' "$name"
    printf '  seed demo --scale %-5s: %s s (migrate %s s)\n' "$SCALE" "$seed_s" "$migrate_s"
    printf '  communities returned   : %s (expected %s; totalCount %s)\n' "$rows" "$EXPECTED_ROWS" "$total"
    printf '  requests/s             : %s   %s\n' "$rps" "$rps_note"
    printf '  latency p50            : %s ms\n' "$p50"
    printf '  latency p99            : %s ms   %s\n' "$p99" "$p99_note"
    printf '  bad responses          : %s of %s checked (%s completed)\n' "$bad" "$checked" "$requests"
    printf '  socket errors/timeouts : %s\n' "$sock"
    printf '  peak RSS (VmHWM)       : %s MB   %s\n' "$rss_mb" "$rss_note"

    if [[ $bad != 0 ]]; then
        FAILURES+=("$name: $bad bad responses")
    fi
    if [[ $sock != 0 ]]; then
        FAILURES+=("$name: $sock socket errors/timeouts")
    fi
    if [[ $checked == 0 ]]; then
        FAILURES+=("$name: no responses were checked")
    fi

    SUMMARY_ROWS+=("| $name | $rps | $p50 | $p99 | $rss_mb | $bad | $seed_s |")
}

# -------------------------------------------------------------------- main
printf 'gongzhi benchmark: %s, %s cores, %s, duration %s, %s threads, %s connections, scenario %s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }')" \
    "$DURATION" "$THREADS" "$CONNECTIONS" "$SCENARIO"
printf 'binary: %s\n' "$BIN"

for backend in "${BACKENDS[@]}"; do
    run_backend "$backend"
done

printf '\n===== results (markdown, for bench/README.md) =====\n'
printf '| backend | requests/s | p50 (ms) | p99 (ms) | peak RSS (MB) | bad responses | seed (s) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
printf '%s\n' "${SUMMARY_ROWS[@]}"

if [[ ${#FAILURES[@]} -gt 0 ]]; then
    printf '\nFAILED:\n' >&2
    printf '  - %s\n' "${FAILURES[@]}" >&2
    exit 1
fi
printf '\nOK: every response was 200 with "data" and without "errors".\n'
