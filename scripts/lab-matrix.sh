#!/usr/bin/env bash
# lab-matrix.sh [OUT]
#
# The real-KVM migration matrix: every ordered pair of KERNELS, for every in-host QEMU release and host, through
# `regshim lab matrix` (each source saved once and loaded directly on every other kernel; a failing direction then
# tried through regshim rewrite and live through regshim proxy). One line per direction, grouped per (QEMU, host), in
# OUT (default: lab-matrix.txt), every report as JSON in OUT.jsonl. Takes a few hours on 2 cores.
#
#   env  KERNELS (default: 6.12.43 6.12 6.18 7.3: 6.12 at its oldest and newest point release)
#        QEMUS   (default: 10.0 11.1 7.2)
#        HOSTS   (default: max@10.0 max@11.1: a host without FEAT_TCR2/S1PIE and one with)
#        REGSHIM (default: ./regshim)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-lab-matrix.txt}
KERNELS=${KERNELS:-"6.12.43 6.12 6.18 7.3"}
QEMUS=${QEMUS:-"10.0 11.1 7.2"}
HOSTS=${HOSTS:-"max@10.0 max@11.1"}
REGSHIM=${REGSHIM:-./regshim}
: > "$out"
: > "$out.jsonl"
status=0
for q in $QEMUS; do
  for h in $HOSTS; do
    # shellcheck disable=SC2086
    $REGSHIM lab matrix $KERNELS --host "$h" --qemu "$q" --json-lines "$out.jsonl" >> "$out" || status=$?
    echo >> "$out"
  done
done
echo "lab-matrix: results in $out ($out.jsonl)" >&2
exit $status
