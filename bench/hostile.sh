#!/usr/bin/env bash
# Sends the documents a hostile caller tried against gongzhi and prints, for each, the answer's
# code, how long it took and the server's peak memory; then measures an ordinary client's
# latency while eight clients send the worst documents the limits allow.
#
#   bench/hostile.sh [--only sqlite|postgres] [--seconds N]
#
# fresh database -> `gongzhi seed demo` -> `gongzhi serve` (response cache off, so every request
# is executed) -> each bomb, RSS sampled every 10 ms -> worst allowed documents for N s beside
# an ordinary query. Not a test: the figures go in bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
ONLY=sqlite
SECONDS_WORST=20
PG_URL_BASE=${PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=gongzhi_hostile

while [[ $# -gt 0 ]]; do
    case "$1" in
        --only) ONLY=$2; shift 2 ;;
        --seconds) SECONDS_WORST=$2; shift 2 ;;
        -h|--help) sed -n 2,10p "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

log() { printf '[hostile] %s\n' "$*" >&2; }

export GONGZHI_JWT_SECRET="${GONGZHI_JWT_SECRET:-hostile-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"
export GONGZHI_ID_NUMBER_KEY="${GONGZHI_ID_NUMBER_KEY:-hostile-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}"

if [[ -n ${GONGZHI_BIN:-} ]]; then
    BIN=$GONGZHI_BIN
else
    log "cargo build --release --bin gongzhi"
    (cd "$ROOT" && cargo build --release --bin gongzhi >&2)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/gongzhi"
fi
[[ -x $BIN ]] || { echo "not an executable: $BIN" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-hostile.XXXXXX")
SERVER_PID=""
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

case "$ONLY" in
    sqlite) URL="sqlite://$WORK/hostile.sqlite?mode=rwc" ;;
    postgres)
        psql "$PG_URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
        URL="$PG_URL_BASE/$PG_DB" ;;
    *) echo "--only sqlite|postgres" >&2; exit 2 ;;
esac

log "seeding the demo street ($ONLY)"
GONGZHI_LOG=warn "$BIN" seed demo --database-url "$URL" >&2
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
GONGZHI_LOG=warn GONGZHI_RESPONSE_CACHE_MS=0 "$BIN" serve --addr "127.0.0.1:$PORT" --database-url "$URL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
    sleep 0.1
done
ADMIN=$("$BIN" token --role street-admin --street meiling-street)

python3 - "$PORT" "$SERVER_PID" "$ADMIN" "$BIN" "$SECONDS_WORST" "$ONLY" <<'PY'
import json, subprocess, sys, threading, time, urllib.request

port, pid, admin, binary, seconds, backend = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6]
url = f"http://127.0.0.1:{port}/graphql"

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def post(query, token=None, timeout=120):
    body = json.dumps({"query": query}).encode()
    req = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    took = time.perf_counter() - started
    try:
        answer = json.loads(raw)
        code = (answer.get("errors") or [{}])[0].get("extensions", {}).get("code", "ok")
    except ValueError:
        code = "not JSON"
    return status, code, took, len(raw)

def aliases(n, field):
    return "{ " + " ".join(f"a{i}: {field}" for i in range(n)) + " }"

person = json.loads(urllib.request.urlopen(urllib.request.Request(url, data=json.dumps({"query": '{ community(code: "meiling") { members(first: 1) { edges { node { person { uuid } } } } } }'}).encode(), headers={"content-type": "application/json", "authorization": f"Bearer {admin}"})).read())["data"]["community"]["members"]["edges"][0]["node"]["person"]["uuid"]
member = subprocess.run([binary, "token", "--role", "member", "--person", person], capture_output=True, text=True, check=True).stdout.strip()

def bomb(name, query, token, clients):
    base = rss_mb()
    peak = [base]
    done = threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.01)
    sampler = threading.Thread(target=sample)
    sampler.start()
    results = []
    def one():
        results.append(post(query, token))
    threads = [threading.Thread(target=one) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - started
    done.set(); sampler.join()
    codes = sorted({r[1] for r in results})
    print(f"| {name} | {clients} × {len(query) // 1024} KB | {'/'.join(codes)} | {wall * 1000:.0f} ms | {max(r[3] for r in results)} B | {base:.0f} → {peak[0]:.0f} MB |")

print(f"\nbackend: {backend}\n")
print("| document | requests × size | answer | wall time | largest answer | server RSS |")
print("| --- | --- | --- | --- | --- | --- |")
bomb("anonymous: 2,000 aliased `__schema { types { fields { args } } }`", aliases(2000, "__schema { types { name fields { name args { name type { name } } } } }"), None, 1)
bomb("anonymous: the same, three at once", aliases(2000, "__schema { types { name fields { name args { name type { name } } } } }"), None, 3)
bomb("member: 10,000 aliases of `serviceCategories { code }`", aliases(10000, "serviceCategories { code }"), member, 8)
bomb("street admin: 1,000 aliases of `volunteerStatistics`", aliases(1000, "volunteerStatistics { volunteers totals { personTimes } }"), admin, 4)
bomb("anonymous: one full introspection (allowed)", "{ __schema { types { name fields { name args { name type { name } } } } } }", None, 1)

# The worst documents the limits allow, sent in a loop by eight clients, while one ordinary
# client measures its latency.
worst = aliases(100, "volunteerStatistics { volunteers totals { personTimes hours } byCategory { category totals { personTimes } } }")
status, code, took, size = post(worst, admin)
print(f"\nworst allowed document: {len(worst)} bytes, answer {code} in {took * 1000:.0f} ms ({size} bytes)")
stop = threading.Event()
hostile_done = [0]
def hostile():
    while not stop.is_set():
        post(worst, admin)
        hostile_done[0] += 1
peak = [rss_mb()]
threads = [threading.Thread(target=hostile) for _ in range(8)]
for t in threads: t.start()
latencies, failures = [], 0
deadline = time.perf_counter() + seconds
while time.perf_counter() < deadline:
    status, code, took, _ = post("{ viewer { kind } communities { totalCount } }", admin)
    if status != 200 or code != "ok":
        failures += 1
    latencies.append(took * 1000)
    peak[0] = max(peak[0], rss_mb())
    time.sleep(0.05)
stop.set()
for t in threads: t.join()
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]
print(f"ordinary query beside 8 clients sending it for {seconds:.0f} s: {len(latencies)} requests, {failures} failed, "
      f"p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, max {latencies[-1]:.0f} ms; {hostile_done[0]} worst documents served; peak RSS {peak[0]:.0f} MB")
baseline = []
for _ in range(50):
    baseline.append(post("{ viewer { kind } communities { totalCount } }", admin)[2] * 1000)
baseline.sort()
print(f"the same query alone: p50 {baseline[25]:.0f} ms, p99 {baseline[49]:.0f} ms")
PY
log "server log: $(grep -c . "$WORK/server.log" || true) lines"
