#!/usr/bin/env bash
# End-to-end benchmark of the CLI: `regshim inspect FILE` through the ./regshim launcher (a fresh JVM each run,
# with its CDS archive, serial GC and C1; startup included) against
# `cat FILE > /dev/null`, alternating in the same run, after a warm-up that puts FILE in the page cache.
# Prints median wall times, throughputs, the ratio (inspect/cat throughput) and inspect's peak RSS
# (max resident set size from /usr/bin/time, i.e. the JVM's VmHWM). Then the in-process steady-state numbers
# (`regshim bench inspect`, no JVM startup).
#
# usage: scripts/bench-inspect.sh FILE [RUNS]      (make FILE with scripts/make-big-stream.sh)
set -euo pipefail
file=${1:?usage: bench-inspect.sh FILE [RUNS]}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/regshim" --version >/dev/null            # builds the jar if needed
jar="$here/target/regshim.jar"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$file" > /dev/null
"$here/regshim" inspect "$file" > /dev/null

now() { date +%s%N; }
for i in $(seq 1 "$runs"); do
  t0=$(now); cat "$file" > /dev/null; t1=$(now)
  echo $(( (t1 - t0) / 1000 )) >> "$tmp/cat"
  t0=$(now)
  /usr/bin/time -f "%M" -o "$tmp/rss.$i" "$here/regshim" inspect "$file" > /dev/null
  t1=$(now)
  echo $(( (t1 - t0) / 1000 )) >> "$tmp/inspect"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bytes=$(stat -c %s "$file")
cat_us=$(median "$tmp/cat")
ins_us=$(median "$tmp/inspect")
rss=$(cat "$tmp"/rss.* | sort -n | tail -1)
awk -v b="$bytes" -v c="$cat_us" -v i="$ins_us" -v r="$rss" -v n="$runs" 'BEGIN {
  printf "file      %.0f bytes, %d runs each\n", b, n
  printf "cat       median %8.1f ms  %8.1f MB/s\n", c/1000, b/c
  printf "inspect   median %8.1f ms  %8.1f MB/s  (CLI, JVM startup included)\n", i/1000, b/i
  printf "ratio     %.2f of cat'"'"'s throughput (end to end)\n", c/i
  printf "peak RSS  %.0f KiB (max over the inspect runs)\n", r
}'
echo "--- in-process steady state (regshim bench inspect):"
"$here/regshim" bench inspect "$file" --runs "$runs"
