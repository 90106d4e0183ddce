#!/usr/bin/env bash
# Makes a big real migration stream for benchmarks: runs src/test/guest/memfill.S under QEMU (-M virt -cpu max,
# TCG) with MIB MiB of RAM, waits until it has filled RAM above 2 MiB with non-zero, per-page-distinct data, then
# stops it and saves with migrate "exec:cat > OUT".
#
# usage: scripts/make-big-stream.sh MIB OUT        e.g.  scripts/make-big-stream.sh 256 /tmp/big-256.mig
#                                                        scripts/make-big-stream.sh 2200 /tmp/big-2200.mig
set -euo pipefail
mib=${1:?usage: make-big-stream.sh MIB OUT}
out=${2:?usage: make-big-stream.sh MIB OUT}
here=$(cd "$(dirname "$0")/.." && pwd)
qemu=${QEMU:-qemu-system-aarch64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ram_base=$((0x40000000))
fill_end=$(printf '0x%x' $((ram_base + mib * 1024 * 1024)))
aarch64-linux-gnu-as --defsym FILL_END="$fill_end" -o "$work/memfill.o" "$here/src/test/guest/memfill.S"
aarch64-linux-gnu-ld -N -Ttext=0x40080000 -e _start --no-warn-rwx-segments -o "$work/memfill.elf" "$work/memfill.o" 2>/dev/null \
  || aarch64-linux-gnu-ld -N -Ttext=0x40080000 -e _start -o "$work/memfill.elf" "$work/memfill.o"

rm -f "$out"
: > "$work/serial.txt"
{
  for _ in $(seq 1 1200); do
    grep -q "memfill done" "$work/serial.txt" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "memfill done" "$work/serial.txt" || { echo "memfill did not finish" >&2; echo quit; exit 1; }
  echo stop
  echo "migrate_set_parameter max-bandwidth 100G"   # the default rate limit would take ~17 s for 2 GB
  echo "migrate \"exec:cat > $out\""
  echo quit
} | "$qemu" -M virt -cpu max -m "$mib" -nodefaults -display none -kernel "$work/memfill.elf" \
      -serial "file:$work/serial.txt" -monitor stdio > "$work/monitor.log" 2>&1
[ -s "$out" ] || { echo "no stream written" >&2; cat "$work/monitor.log" >&2; exit 1; }
echo "$out: $(stat -c %s "$out") bytes ($(cat "$work/serial.txt" | tr -d '\n'))"
