#!/usr/bin/env bash
# capture-evidence.sh [DEST]
#
# Regenerates the kernel table's evidence: every arm64 kernel series Debian packages, captured with
# `regshim kernel capture` on hosts whose features differ, written xz-compressed with an index to
# DEST (default: src/main/resources/dev/regshim/data/kvm-captures). KernelCaptureEvidenceTest then checks that
# `kernel show SPEC` equals each capture, set by set.
#
# Two passes: the first captures every kernel on every host; the second captures each again, this time also writing
# every other kernel's values (from the first pass, same host) into a fresh vCPU (`--try`), so that each committed
# capture records which incoming values its KVM accepts: KvmWriteRulesEvidenceTest holds the rules against them.
#
#   env  KERNELS  the kernels (default: every series Debian has; 6.12 at its oldest and newest point release)
#        HOSTS    the hosts, CPU@SERIES (default: five CPU models on QEMU 7.2, 10.0 and 11.1)
#        REGSHIM  the regshim command (default: ./regshim)
#
# Each capture takes about 5-15 s after its kernel is downloaded (cached under ~/.cache/regshim/kernels).
# A capture the table disagrees with is kept and reported; the script exits 1 at the end if there was one.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-src/main/resources/dev/regshim/data/kvm-captures}
KERNELS=${KERNELS:-"6.1 6.12.43 6.12 6.16 6.17 6.18 6.19 7.0 7.1 7.2 7.3"}
HOSTS=${HOSTS:-"max@7.2 max@10.0 max@11.1 neoverse-n1@10.0 cortex-a72@10.0 neoverse-v1@11.1"}
REGSHIM=${REGSHIM:-./regshim}
command -v xz >/dev/null || { echo "capture-evidence: needs xz (package xz-utils)" >&2; exit 1; }
mkdir -p "$dest"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
: > "$work/index.rows"
# the first "name" : "value" line of a capture's pretty-printed JSON
field() { sed -n "s/^ *\"$1\" : \"\(.*\)\",\{0,1\}\$/\1/p" | head -n1; }
differs=0
mkdir -p "$work/first"
for h in $HOSTS; do
  for k in $KERNELS; do
    $REGSHIM kernel capture "$k" --host "$h" -o "$work/first/$k@$h.json" > /dev/null || [ $? -eq 1 ] \
      || { echo "capture-evidence: $k on $h failed" >&2; exit 1; }
  done
done
for k in $KERNELS; do
  for h in $HOSTS; do
    tmp=$work/capture.json
    status=0
    tries=()
    for other in $KERNELS; do
      [ "$other" = "$k" ] || tries+=(--try "$work/first/$other@$h.json")
    done
    $REGSHIM kernel capture "$k" --host "$h" "${tries[@]}" -o "$tmp" > "$work/summary.txt" || status=$?
    if [ "$status" -ge 2 ]; then
      echo "capture-evidence: $k on $h failed" >&2; exit 1
    fi
    [ "$status" -eq 1 ] && { differs=1; echo "capture-evidence: the table differs from $k on $h:" >&2; cat "$work/summary.txt" >&2; }
    upstream=$(field upstream < "$tmp")
    name="${upstream}-${h//@/-}.json.xz"
    xz -9 -c "$tmp" > "$dest/$name"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$upstream" "$(field release < "$tmp")" \
      "$(field package < "$tmp")" "$(field package_version < "$tmp")" "$(field suite < "$tmp")" \
      "$(field cpu < "$tmp")" "$(field qemu < "$tmp")" >> "$work/index.rows"
    echo "capture-evidence: $name ($(head -n1 "$work/summary.txt" | cut -c1-100))" >&2
  done
done
{ echo "# kernel captures bundled as the kernel table's evidence (scripts/capture-evidence.sh); KernelCaptureEvidenceTest checks this index against the files"
  printf '# columns: file\tupstream\trelease\tpackage\tpackage_version\tsuite\tcpu\tqemu\n'
  sort -V "$work/index.rows"; } > "$dest/index.tsv"
exit $differs
