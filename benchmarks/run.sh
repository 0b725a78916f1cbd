#!/usr/bin/env bash
# Runs every benchmark of docs/PERFORMANCE.md and prints a summary table.
#   benchmarks/run.sh            full run (about 15-20 minutes on 2 cores, plus up to ~45 for the backlog)
#   benchmarks/run.sh --smoke    every benchmark at a tiny size (about a minute): proves they run, measures nothing
#   benchmarks/run.sh --only jmh|export|cold|memory|cohorts|backlog   one of them (repeatable)
# Results (full output of each) go to benchmarks/target/results/<timestamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=true ;;
    --only) only+=("$2"); shift ;;
    *) echo "usage: $0 [--smoke] [--only jmh|export|cold|memory|cohorts|backlog]..." >&2; exit 2 ;;
  esac
  shift
done
wanted() { [ ${#only[@]} -eq 0 ] && return 0; for o in "${only[@]}"; do [ "$o" = "$1" ] && return 0; done; return 1; }

# A JDK >= 21 (the build makes Java 21 bytecode; the default java here may be 17): the repository's own choice.
source scripts/jdk.sh
JAVA="$JAVA_HOME/bin/java"
[ -d node_modules/mixpanel-import ] && [ -d node_modules/dynalite ] || npm ci --no-audit --no-fund --loglevel=error

echo "== building the shaded Lambda jar and the benchmarks (tests skipped)"
./mvnw -B -q -pl benchmarks -am package -DskipTests
CP="benchmarks/target/classes:$(cat benchmarks/target/benchmarks-classpath.txt)"
JAR=functions/target/currents-bridge-functions.jar
OUT="benchmarks/target/results/$(date -u +%Y%m%dT%H%M%SZ)$($smoke && echo -smoke || true)"
mkdir -p "$OUT"
RUN=("$JAVA" -Xmx2g -Dbench.repoRoot="$PWD" -Dbench.functionsJar="$PWD/$JAR" -Dbench.classes="$PWD/benchmarks/target/classes" -cp "$CP")

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "JDK: $("$JAVA" -version 2>&1 | head -1); node $(node --version); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "shaded jar: $JAR $(stat -c %s "$JAR") bytes"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
} | tee "$OUT/machine.txt"

if $smoke; then
  JMH_ARGS=(--smoke); E2E_ARGS=(--events 2000 --per-message 20 --repeat 1 --warmup-events 0)
  COLD_ARGS=(--runs 1 --per-message 5); MEM_ARGS=(--events 2000); COH_ARGS=(--members 1000 --page 250)
  BACKLOG_ARGS=(--events 3000 --containers 2 --lifted-containers 4 --quota-eps 1000 --visibility-timeout 10 --max-seconds 60)
  BACKLOG_STRESS_ARGS=()
  RENAME_ARGS=(--rename 3x1000)
else
  JMH_ARGS=(--forks 2); E2E_ARGS=(--events 200000 --repeat 3)
  COLD_ARGS=(--runs 7); MEM_ARGS=(--events 100000); COH_ARGS=(--members 100000 --page 1000)
  # docs/PERFORMANCE.md section 7: quota below what 5 containers push here (~4,000 events/s measured uncapped),
  # per rolling minute (a bucket of 60 s of quota, starting empty); then the 1 s bucket as a stress variant (capped)
  BACKLOG_ARGS=(--events 1000000 --containers 5 --lifted-containers 50 --quota-eps 3000 --max-seconds 900)
  BACKLOG_STRESS_ARGS=(--events 1000000 --containers 5 --lifted-containers 0 --quota-eps 3000 --burst-seconds 1 --max-seconds 900)
  RENAME_ARGS=(--rename 20x50000)
fi

if wanted jmh; then
  echo "== (1, 2) JMH: mapping vs the Jackson bound, Avro decode vs GenericDatumReader"
  "${RUN[@]}" dev.currentsbridge.bench.jmh.JmhMain "${JMH_ARGS[@]}" > "$OUT/jmh.txt" 2>&1
  sed -n '/^benchmark /,$p' "$OUT/jmh.txt"
fi
if wanted export; then
  echo "== (3) export end to end beside mixpanel-import (default JIT)"
  "${RUN[@]}" dev.currentsbridge.bench.harness.ExportEndToEnd "${E2E_ARGS[@]}" 2>&1 | grep -v '^WARNING\|^SLF4J' | tee "$OUT/export.txt"
  echo "== (3b) the exporter alone with Lambda's JIT flags (-XX:TieredStopAtLevel=1)"
  "$JAVA" -Xmx2g -XX:+TieredCompilation -XX:TieredStopAtLevel=1 "${RUN[@]:2}" dev.currentsbridge.bench.harness.ExportEndToEnd \
    "${E2E_ARGS[@]}" --no-peer 2>&1 | grep -v '^WARNING\|^SLF4J' | tee "$OUT/export-c1.txt"
fi
if wanted cold; then
  echo "== (4) cold start"
  "${RUN[@]}" dev.currentsbridge.bench.harness.ColdStart "${COLD_ARGS[@]}" --class-list "$OUT/cold-classes.txt" 2>&1 | grep -v '^WARNING\|^SLF4J' | tee "$OUT/cold.txt"
fi
if wanted memory; then
  echo "== (5) memory"
  "${RUN[@]}" dev.currentsbridge.bench.harness.MemoryHarness "${MEM_ARGS[@]}" 2>&1 | grep -v '^WARNING\|^SLF4J' | tee "$OUT/memory.txt"
fi
if wanted cohorts; then
  echo "== (6) cohorts"
  "${RUN[@]}" dev.currentsbridge.bench.harness.CohortsHarness "${COH_ARGS[@]}" 2>&1 | grep -v '^WARNING\|^SLF4J' | tee "$OUT/cohorts.txt"
  echo "== (6b) cohorts: the refresh after renaming every cohort, in a 256 MB heap (memory bounded by the largest cohort)"
  "$JAVA" -Xmx256m -Dbench.repoRoot="$PWD" -cp "$CP" dev.currentsbridge.bench.harness.CohortsHarness "${RENAME_ARGS[@]}" \
    2>&1 | grep -v '^WARNING\|^SLF4J' | tee "$OUT/cohorts-rename.txt"
fi
if wanted backlog; then
  echo "== (7) backlog under Mixpanel's rate limit: capped containers, then the cap lifted"
  "$JAVA" -Xmx3g "${RUN[@]:2}" dev.currentsbridge.bench.harness.BacklogHarness "${BACKLOG_ARGS[@]}" 2>&1 | grep -v '^WARNING\|^SLF4J' | tee "$OUT/backlog.txt"
  if [ ${#BACKLOG_STRESS_ARGS[@]} -gt 0 ]; then
    echo "== (7b) stress variant: the same backlog, capped, under a 1-second bucket (quota unused for 1 s is lost)"
    "$JAVA" -Xmx3g "${RUN[@]:2}" dev.currentsbridge.bench.harness.BacklogHarness "${BACKLOG_STRESS_ARGS[@]}" 2>&1 | grep -v '^WARNING\|^SLF4J' | tee -a "$OUT/backlog.txt"
  fi
fi

echo
echo "== summary ($OUT)"
printf '%-34s %s\n' "shaded jar" "$(awk '{printf "%.1f MB (budget 16 MB)", $0/1e6}' <<< "$(stat -c %s "$JAR")")"
[ -f "$OUT/jmh.txt" ] && sed -n '/^benchmark /,$p' "$OUT/jmh.txt" | grep -v '^$' | sed 's/^/jmh: /'
[ -f "$OUT/export.txt" ] && grep -E '^(exporter|peer) +median|^ratio' "$OUT/export.txt" | sed 's/^/export: /'
[ -f "$OUT/export-c1.txt" ] && grep -E '^exporter +median' "$OUT/export-c1.txt" | sed 's/^/export (C1 only): /'
[ -f "$OUT/cold.txt" ] && grep -E 'floor|cold:|above the floor|first batch after|classes loaded:' "$OUT/cold.txt" | grep -v '^RESULT' | cut -c1-160 | sed 's/^ */cold start: /'
[ -f "$OUT/memory.txt" ] && grep -E '^ +(snappy|deflate)' "$OUT/memory.txt" | sed 's/^ */memory: /'
[ -f "$OUT/cohorts.txt" ] && grep -E 'postbacks:|refresh:|Braze:|end to end' "$OUT/cohorts.txt" | cut -c1-170 | sed 's/^ */cohorts: /'
[ -f "$OUT/backlog.txt" ] && grep -E '^RESULT' "$OUT/backlog.txt" \
  | sed -E 's/^RESULT /backlog: /; s/,"delivered".*"pending":([0-9]+).*"drained":(true|false).*/,"pending":\1,"drained":\2}/'
exit 0
