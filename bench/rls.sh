#!/usr/bin/env bash
# What PostgreSQL's row-level security costs: alternating runs with the wall off and on.
#
#   bench/rls.sh [--pairs 3] [--duration 15s] [--connections 32]
#
# Builds the release binary once, then runs `bench/run.sh --only postgres --rls off` and
# `--rls on` in turn, PAIRS times (off, on, on, off, off, on, ...: each setting goes first as
# often as the other, so a slow minute of this shared machine falls on both), and prints every
# run and the median of each setting with the difference. The response cache is off
# (GONGZHI_RESPONSE_CACHE_MS=0), so every request is executed with its policies.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
PAIRS=3
DURATION=15s
CONNECTIONS=32

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --pairs)       [[ $# -ge 2 ]] || die "--pairs needs a value"; PAIRS=$2; shift 2 ;;
        --duration)    [[ $# -ge 2 ]] || die "--duration needs a value"; DURATION=$2; shift 2 ;;
        --connections) [[ $# -ge 2 ]] || die "--connections needs a value"; CONNECTIONS=$2; shift 2 ;;
        -h|--help)     sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *)             die "unknown argument: $1" ;;
    esac
done
[[ $PAIRS =~ ^[1-9][0-9]*$ ]] || die "--pairs must be a positive number (got '$PAIRS')"

if [[ -z ${GONGZHI_BIN:-} ]]; then
    (cd "$ROOT" && cargo build --release --locked --bin gongzhi >&2)
    GONGZHI_BIN="$ROOT/target/release/gongzhi"
fi
export GONGZHI_BIN GONGZHI_RESPONSE_CACHE_MS=0

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
run=0
for ((pair = 1; pair <= PAIRS; pair++)); do
    if ((pair % 2)); then order=(off on); else order=(on off); fi
    for rls in "${order[@]}"; do
        run=$((run + 1))
        printf '==> run %s: row-level security %s\n' "$run" "$rls" >&2
        out=$("$BENCH_DIR/run.sh" --only postgres --rls "$rls" --duration "$DURATION" --connections "$CONNECTIONS" 2>/dev/null) \
            || die "bench/run.sh --rls $rls failed"
        rps=$(awk -F': *' '/^  requests\/s/ { split($2, a, " "); print a[1] }' <<<"$out")
        p50=$(awk -F': *' '/^  latency p50/ { split($2, a, " "); print a[1] }' <<<"$out")
        p99=$(awk -F': *' '/^  latency p99/ { split($2, a, " "); print a[1] }' <<<"$out")
        rss=$(awk -F': *' '/^  peak RSS/ { split($2, a, " "); print a[1] }' <<<"$out")
        printf '%s %s %s %s %s %s\n' "$run" "$rls" "$rps" "$p50" "$p99" "$rss" >>"$RESULTS"
    done
done

printf '\n| run | row-level security | requests/s | p50 (ms) | p99 (ms) | peak RSS (MB) |\n'
printf '| --- | --- | ---: | ---: | ---: | ---: |\n'
awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$RESULTS"
python3 - "$RESULTS" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = {}
for rls in ("off", "on"):
    of = [r for r in rows if r[1] == rls]
    med[rls] = [statistics.median(float(r[i]) for r in of) for i in (2, 3, 4)]
    print(f"\nmedian, row-level security {rls}: {med[rls][0]:.1f} requests/s, p50 {med[rls][1]:.2f} ms, p99 {med[rls][2]:.2f} ms", end="")
cost = 100 * (1 - med["on"][0] / med["off"][0])
print(f"\nthe wall costs {cost:.1f} % of the requests/s (median against median)")
EOF
