#!/usr/bin/env bash
# Benchmarks `regshim rewrite` against `cp` in the same run, on a big real stream.
#
# usage: scripts/bench-rewrite.sh FILE [RUNS]      (make FILE with scripts/make-big-stream.sh MIB FILE)
#
# FILE is a -M virt -cpu max stream. The destination is a paused -cpu max,pauth=off QEMU with the same RAM size,
# saved next to FILE as FILE.nopauth-template.mig, so the rewrite has real work: 10 registers dropped and
# ID_AA64ISAR1_EL1 changed (hence --policy force; the cpu section is all that differs in size).
#   1. end to end: `regshim rewrite FILE OUT --to TEMPLATE --policy force` (a fresh JVM each run, start-up
#      included) and `cp FILE COPY`, alternating, each writing a new file next to FILE (deleted after each run);
#      median wall times, throughputs, the ratio (rewrite/cp throughput) and the rewrite's peak RSS
#      (max resident set size from /usr/bin/time, the JVM's VmHWM);
#   2. in-process steady state: `regshim bench rewrite` (no JVM start-up; both --verify modes).
set -euo pipefail
file=${1:?usage: bench-rewrite.sh FILE [RUNS]}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
qemu=${QEMU:-qemu-system-aarch64}
"$here/regshim" --version >/dev/null            # builds the jar if needed
jar="$here/target/regshim.jar"
dir=$(cd "$(dirname "$file")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$dir/.bench-rewrite-out.$$" "$dir/.bench-rewrite-cp.$$"' EXIT

ram=$(java -jar "$jar" inspect "$file" | awk '$1 == "mach-virt.ram" {print $2}')
[ -n "$ram" ] || { echo "bench-rewrite: $file has no mach-virt.ram block" >&2; exit 2; }
mib=$((ram / 1024 / 1024))
template="$file.nopauth-template.mig"
if [ ! -s "$template" ]; then
  printf 'migrate "exec:cat > %s"\nquit\n' "$template" \
    | "$qemu" -M virt -cpu max,pauth=off -m "$mib" -S -nodefaults -display none -monitor stdio > /dev/null
fi

out="$dir/.bench-rewrite-out.$$"
copy="$dir/.bench-rewrite-cp.$$"
cat "$file" > /dev/null
"$here/regshim" rewrite "$file" "$out" --to "$template" --policy force > /dev/null
rm -f "$out"

now() { date +%s%N; }
for i in $(seq 1 "$runs"); do
  t0=$(now); cp "$file" "$copy"; t1=$(now); rm -f "$copy"
  echo $(( (t1 - t0) / 1000 )) >> "$tmp/cp"
  t0=$(now)
  /usr/bin/time -f "%M" -o "$tmp/rss.$i" "$here/regshim" rewrite "$file" "$out" \
      --to "$template" --policy force > /dev/null
  t1=$(now); rm -f "$out"
  echo $(( (t1 - t0) / 1000 )) >> "$tmp/rewrite"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bytes=$(stat -c %s "$file")
cp_us=$(median "$tmp/cp")
rw_us=$(median "$tmp/rewrite")
rss=$(cat "$tmp"/rss.* | sort -n | tail -1)
awk -v b="$bytes" -v c="$cp_us" -v r="$rw_us" -v m="$rss" -v n="$runs" 'BEGIN {
  printf "file      %.0f bytes, %d runs each\n", b, n
  printf "cp        median %8.1f ms  %8.1f MB/s\n", c/1000, b/c
  printf "rewrite   median %8.1f ms  %8.1f MB/s  (CLI, JVM start-up included)\n", r/1000, b/r
  printf "ratio     %.2f of cp'"'"'s throughput (end to end)\n", c/r
  printf "peak RSS  %.0f KiB (max over the rewrite runs)\n", m
}'
echo "--- in-process steady state (regshim bench rewrite):"
"$here/regshim" bench rewrite "$file" --to "$template" --policy force --runs "$runs"
