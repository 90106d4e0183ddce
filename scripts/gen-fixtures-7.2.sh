#!/usr/bin/env bash
# Regenerates the small QEMU 7.2 stream fixtures (src/test/resources/streams/qemu-7.2/gen-*.mig.xz) with the
# installed qemu-system-aarch64: each config is started paused (-S, -m 64), saved over HMP with
# migrate "exec:cat > F", and compressed with xz. The manifest (gen-manifest.tsv) records the command line
# and the cpreg count per vCPU that qemu-oracle.md section 2 lists for the config (blank where it lists none).
#
# usage: scripts/gen-fixtures-7.2.sh [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/src/test/resources/streams/qemu-7.2}
qemu=${QEMU:-qemu-system-aarch64}
"$qemu" --version | head -1 | grep -q ' 7\.2\.' || { echo "need QEMU 7.2 ($qemu)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name | machine | cpu | smp | expected cpregs per vCPU (qemu-oracle.md section 2)
configs='a57|virt|cortex-a57|1|258
a53|virt|cortex-a53|1|258
a72|virt|cortex-a72|1|258
a76|virt|cortex-a76|1|260
n1|virt|neoverse-n1|1|260
a64fx|virt|a64fx|1|248
max|virt|max|1|304
max_nopauth|virt|max,pauth=off|1|294
max_nosve|virt|max,sve=off|1|293
max_mte|virt,mte=on|max|1|311
max_el2|virt,virtualization=on|max|1|354
max_el3|virt,secure=on|max|1|394
max_gic3|virt,gic-version=3|max|1|=gen-max
a57_smp2|virt|cortex-a57|2|258
max_smp2|virt|max|2|304
max_smp4|virt|max|4|=gen-max'

manifest="$out/gen-manifest.tsv"
mkdir -p "$out"
printf '# name\targs\tcpregs_per_cpu (qemu-oracle.md section 2; =NAME: same as fixture NAME)\n' > "$manifest"
while IFS='|' read -r name machine cpu smp expect; do
  args="-M $machine -cpu $cpu -smp $smp -m 64 -S -nodefaults -display none"
  # shellcheck disable=SC2086
  printf 'migrate "exec:cat > %s"\nquit\n' "$tmp/$name.mig" | "$qemu" $args -monitor stdio >"$tmp/$name.log" 2>&1
  [ -s "$tmp/$name.mig" ] || { echo "no stream for $name:" >&2; cat "$tmp/$name.log" >&2; exit 1; }
  xz -9e -c "$tmp/$name.mig" > "$out/gen-$name.mig.xz"
  printf '%s\t%s\t%s\n' "gen-$name" "$args" "$expect" >> "$manifest"
  echo "gen-$name: $(stat -c %s "$tmp/$name.mig") bytes, xz $(stat -c %s "$out/gen-$name.mig.xz")"
done <<< "$configs"
