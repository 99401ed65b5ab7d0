#!/usr/bin/env bash
# Where the server's CPU goes under the bench load, grouped so that two runs compare.
#
#   bench/profile.sh [--only postgres|sqlite] [--duration 20s] [--connections 32]
#
# Runs bench/run.sh (same arguments) with the response cache off, so every request executes,
# and samples the server with `perf record` (self time of each frame, 499 Hz) during the
# measured run. Prints, per backend, the share of samples in each group:
#
#   executor       async-graphql's executor, futures and tokio polling, waking, scheduling
#   allocation     malloc, free, realloc, memcpy/memmove of growing buffers
#   serialisation  JSON and GraphQL value building, escaping and writing
#   sql            sea-orm, sea-query, sqlx, SQLite and the PostgreSQL wire protocol
#   http           hyper, axum, tower
#   gongzhi        our own code (resolvers, loaders, limits, services)
#   kernel         system calls, network stack, scheduler ([k] frames)
#   other          everything else
#
# and the 25 hottest frames. Needs perf (Debian: linux-perf); the figures go in
# bench/README.md before and after each change. GONGZHI_RESPONSE_CACHE_MS is passed through
# when set (set it to a positive value to profile the cached path instead).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! command -v perf >/dev/null; then
    echo "installing perf from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
fi
OUT=$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-profile.XXXXXX")
export BENCH_PERF_DIR=$OUT
export GONGZHI_RESPONSE_CACHE_MS=${GONGZHI_RESPONSE_CACHE_MS:-0}
status=0
"$BENCH_DIR/run.sh" "$@" || status=$?

for data in "$OUT"/*.perf.data; do
    [[ -e $data ]] || continue
    name=$(basename "$data" .perf.data)
    printf '\n===== %s: where the CPU goes (self time) =====\n' "$name"
    perf report -i "$data" --no-children --sort dso,sym --stdio --percent-limit 0 2>/dev/null | python3 -c '
import re, sys
groups = [
    ("kernel", re.compile(r"^\[k\]")),
    ("allocation", re.compile(r"\bmi_|_mi_|malloc|free|realloc|calloc|memcpy|memmove|memset|alloc::raw_vec|__rust_(alloc|dealloc|realloc)|_int_|tcache|arena")),
    ("serialisation", re.compile(r"serde|async_graphql_value|ConstValue|ryu|itoa|format_escaped|Serializer|to_writer")),
    ("sql", re.compile(r"sqlx|sea_orm|sea_query|sqlite3|libsqlite|postgres|tokio_postgres")),
    ("http", re.compile(r"hyper|axum|tower|http::|h2::|httparse")),
    ("gongzhi", re.compile(r"^(<)?(gongzhi|entity|migration)::")),
    ("executor", re.compile(r"async_graphql|futures_util|futures_core|tokio::|async_io|async_task|core::future|parking_lot|std::sync|crossbeam|pin_project|Waker|RawWaker")),
]
totals, rows = {}, []
for line in sys.stdin:
    m = re.match(r"\s*([0-9.]+)%\s+(\S+)\s+(\[[.k]\])\s+(.*)$", line)
    if not m:
        continue
    pct, dso, mark, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
    key = ("[k] " if mark == "[k]" else "") + sym
    group = "other"
    for g, rx in groups:
        if rx.search(key) or (g == "sql" and rx.search(dso)):
            group = g
            break
    totals[group] = totals.get(group, 0.0) + pct
    rows.append((pct, group, sym[:110]))
for g in ["executor", "allocation", "serialisation", "sql", "http", "gongzhi", "kernel", "other"]:
    print(f"  {g:<14} {totals.get(g, 0.0):6.1f} %")
print("\n  hottest frames:")
for pct, group, sym in sorted(rows, reverse=True)[:25]:
    print(f"  {pct:6.2f} %  {group:<13} {sym}")
'
done
echo "perf data kept in $OUT (perf report -i $OUT/<backend>.perf.data)" >&2
exit "$status"
