#!/usr/bin/env bash
# Benchmark of `regshim proxy` against direct migration, in the same run, with real QEMU on 127.0.0.1.
#
# The guest is src/test/guest/memfill.S with MIB MiB of RAM, which fills everything above 2 MiB with non-zero,
# per-page-distinct data. Each run starts a fresh source and destination, waits until the guest has filled its RAM,
# then migrates it (return-path on, max-bandwidth BANDWIDTH) either
#   direct: source -> destination with the source's own -cpu,
#   relay:  source -> `regshim bench relay` -> destination with the source's own -cpu (a raw user-space socket copy:
#           the least any relay costs, the floor under the proxy), or
#   proxy:  source -> `regshim proxy` -> destination with DST_CPU (the proxy rewrites the cpu section),
# alternating direct/relay/proxy RUNS times. The wall time of a run is from `migrate` to query-migrate "completed" on the
# source (polled every 20 ms); QEMU's own total-time is printed too. The destination runs with -mem-prealloc: on a VM
# host the first touch of 1.2 GB of fresh guest RAM costs 0.3-3 s of page faults that vary from run to run and would
# swamp the comparison (both modes pay it the same way). The proxy runs as the real CLI
# (java $REGSHIM_JAVA_OPTS -jar target/regshim.jar proxy ...) under /usr/bin/time for its peak RSS (VmHWM).
#
# usage: scripts/bench-proxy.sh [MIB] [RUNS]          (default 1200 MiB, 3 runs of each)
# env:   SRC_CPU (default max,pauth=off)  DST_CPU (default max)  QEMU (default qemu-system-aarch64)
#        STOPPED=1  stop the guest before migrating (else it runs: memfill then spins)
#        BANDWIDTH  bytes/s for migrate-set-parameters max-bandwidth: "unlimited" (default, 100 GB/s) or "qemu"
#                   (leave QEMU's default, 128 MiB/s on 7.2) or a number
#        REGSHIM_JAVA_OPTS (default here: -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1: a 64 MiB heap bounds
#                   the proxy's memory; C1 alone compiles the copy-bound hot path as well as C2, at a fraction of
#                   the compile time and code-cache RSS)
set -euo pipefail
mib=${1:-1200}
runs=${2:-3}
src_cpu=${SRC_CPU:-max,pauth=off}
dst_cpu=${DST_CPU:-max}
qemu=${QEMU:-qemu-system-aarch64}
java_opts=${REGSHIM_JAVA_OPTS:--Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
bandwidth=${BANDWIDTH:-unlimited}
case $bandwidth in unlimited) bandwidth=107374182400;; qemu) bandwidth="";; esac
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/regshim" --version >/dev/null                 # builds the jar if needed
jar="$here/target/regshim.jar"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# --- the guest
fill_end=$(printf '0x%x' $((0x40000000 + mib * 1024 * 1024)))
aarch64-linux-gnu-as --defsym FILL_END="$fill_end" -o "$work/memfill.o" "$here/src/test/guest/memfill.S"
aarch64-linux-gnu-ld -N -Ttext=0x40080000 -e _start -o "$work/memfill.elf" "$work/memfill.o" 2>/dev/null

# --- QMP over TCP with bash's /dev/tcp: one connection per process, fd kept open
free_port() {  # a port nothing listens on (a race with other programs is possible, and harmless here)
  local p
  while :; do p=$(shuf -i 20000-60000 -n 1); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done
}
qmp_open() {  # VAR PORT: opens fd into VAR, reads the greeting, negotiates
  local port=$2 fd
  for _ in $(seq 1 200); do { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && break; sleep 0.05; done
  read -r _ <&"$fd"
  printf '{"execute":"qmp_capabilities"}\n' >&"$fd"
  qmp_reply "$fd" >/dev/null
  printf -v "$1" '%s' "$fd"
}
qmp_reply() { local line; while read -r line <&"$1"; do case $line in *'"return"'*|*'"error"'*) echo "$line"; return;; esac; done; }
qmp() { printf '%s\n' "$2" >&"$1"; qmp_reply "$1"; }
json_field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
wait_listen() {  # PORT: until a socket listens on it (read from /proc/net/tcp: connecting would be the migration)
  local pat; pat=$(printf ':%04X 00000000:0000 0A' "$1")
  for _ in $(seq 1 1200); do grep -q "$pat" /proc/net/tcp && return; sleep 0.05; done
  echo "nothing listens on port $1" >&2; exit 1
}

start_qemu() {  # LOGVAR QMPPORT ARGS...
  local log=$1 port=$2; shift 2
  "$qemu" -nodefaults -display none -qmp "tcp:127.0.0.1:$port,server=on,wait=off" "$@" >"$log" 2>&1 &
  pids+=($!)
}

run_once() {  # MODE N -> prints "MODE wall_ms qemu_total_ms rss_kib"
  local mode=$1 n=$2 dport dqmp sqmp pport sfd
  local serial="$work/serial.$n" rss="$work/rss.$n"
  dport=$(free_port); dqmp=$(free_port); sqmp=$(free_port); pport=$(free_port)
  local dcpu=$src_cpu; [ "$mode" = proxy ] && dcpu=$dst_cpu
  start_qemu "$work/dst.$n.log" "$dqmp" -M virt -cpu "$dcpu" -m "$mib" -mem-prealloc -incoming "tcp:127.0.0.1:$dport"
  local dst_pid=${pids[-1]}
  : >"$serial"
  start_qemu "$work/src.$n.log" "$sqmp" -M virt -cpu "$src_cpu" -m "$mib" -kernel "$work/memfill.elf" \
    -serial "file:$serial"
  local src_pid=${pids[-1]}
  qmp_open sfd "$sqmp"
  for _ in $(seq 1 3000); do grep -q "memfill done" "$serial" && break; sleep 0.05; done
  grep -q "memfill done" "$serial" || { echo "memfill did not finish" >&2; exit 1; }
  [ "${STOPPED:-0}" = 1 ] && qmp "$sfd" '{"execute":"stop"}' >/dev/null
  [ -n "$bandwidth" ] && qmp "$sfd" "{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"max-bandwidth\":$bandwidth}}" >/dev/null
  qmp "$sfd" '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"return-path","state":true}]}}' >/dev/null
  wait_listen "$dport"
  local target=$dport proxy_pid=""
  if [ "$mode" = proxy ]; then
    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S %M" -o "$rss" java $java_opts -jar "$jar" proxy --listen "127.0.0.1:$pport" \
      --to "127.0.0.1:$dport" --dest-profile "$work/dst-profile.json" --json >"$work/proxy.$n.json" 2>"$work/proxy.$n.err" &
    proxy_pid=$!
    pids+=("$proxy_pid")
    for _ in $(seq 1 400); do grep -q "listening on" "$work/proxy.$n.err" && break; sleep 0.05; done
    target=$pport
  elif [ "$mode" = relay ]; then
    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S %M" -o "$rss" java $java_opts -jar "$jar" bench relay --listen "127.0.0.1:$pport" \
      --to "127.0.0.1:$dport" >"$work/relay.$n.out" 2>"$work/relay.$n.err" &
    proxy_pid=$!
    pids+=("$proxy_pid")
    for _ in $(seq 1 400); do grep -q "listening on" "$work/relay.$n.err" && break; sleep 0.05; done
    target=$pport
  fi
  local t0 t1 status info
  t0=$(now_ms)
  qmp "$sfd" "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:$target\"}}" >/dev/null
  while true; do
    info=$(qmp "$sfd" '{"execute":"query-migrate"}')
    status=$(echo "$info" | json_field status)
    case $status in completed|failed|cancelled) break;; esac
    sleep 0.02
  done
  t1=$(now_ms)
  [ "$status" = completed ] || { echo "$mode run $n: migration $status" >&2; cat "$work/proxy.$n.err" >&2 2>/dev/null; exit 1; }
  local total; total=$(echo "$info" | json_field total-time)
  if [ -n "$proxy_pid" ]; then
    wait "$proxy_pid" || { echo "$mode failed" >&2; cat "$work/$mode.$n.err" >&2; exit 1; }
  fi
  kill -9 "$src_pid" "$dst_pid" 2>/dev/null || true
  wait "$src_pid" "$dst_pid" 2>/dev/null || true
  exec {sfd}>&-
  # MODE WALL_MS QEMU_TOTAL_MS [PROXY_USER_S PROXY_SYS_S PROXY_RSS_KIB]
  echo "$mode $((t1 - t0)) $total $( [ -f "$rss" ] && tail -1 "$rss" || true)"
}

echo "capturing the destination's profile (-cpu $dst_cpu -m $mib) ..." >&2
java -jar "$jar" profile capture -o "$work/dst-profile.json" -- "$qemu" -M virt -cpu "$dst_cpu" -m "$mib" >/dev/null

echo "guest: memfill, $mib MiB (non-zero from 2 MiB up), $([ "${STOPPED:-0}" = 1 ] && echo stopped || echo running)" \
  "while migrating; max-bandwidth ${bandwidth:-QEMU default}; direct: $src_cpu -> $src_cpu; proxy: $src_cpu ->" \
  "regshim proxy -> $dst_cpu; JVM: $java_opts"
for i in $(seq 1 "$runs"); do
  run_once direct "d$i" | tee -a "$work/results"
  run_once relay "r$i" | tee -a "$work/results"
  run_once proxy "p$i" | tee -a "$work/results"
done
last_json=$(ls "$work"/proxy.p*.json | tail -1)
echo "--- last proxy summary (--json):"
grep -E '"(outcome|bytes_in|bytes_out|data_pages|registers_changed|duration_ms|bytes_per_second)"' "$last_json"
awk '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  $1 == "direct" { dw[++nd] = $2; dt[nd] = $3 }
  $1 == "relay"  { rw[++nr] = $2; rt[nr] = $3; rc[nr] = $4 + $5 }
  $1 == "proxy"  { pw[++np] = $2; pt[np] = $3; pc[np] = $4 + $5; if ($6 > rss) rss = $6 }
  END {
    printf "direct  median wall %7.0f ms   QEMU total-time %7.0f ms   (%d runs)\n", median(dw, nd), median(dt, nd), nd
    printf "relay   median wall %7.0f ms   QEMU total-time %7.0f ms   (%d runs)\n", median(rw, nr), median(rt, nr), nr
    printf "proxy   median wall %7.0f ms   QEMU total-time %7.0f ms   (%d runs)\n", median(pw, np), median(pt, np), np
    printf "ratio   %.3f (proxy / direct, wall)   %.3f (QEMU total-time)\n", median(pw, np) / median(dw, nd), median(pt, np) / median(dt, nd)
    printf "ratio   %.3f (relay / direct, wall): what any user-space relay costs here\n", median(rw, nr) / median(dw, nd)
    printf "ratio   %.3f (proxy / relay, wall): what the proxy costs beyond a raw socket copy\n", median(pw, np) / median(rw, nr)
    printf "relay CPU       %.2f s user+sys per run (median, JVM start-up included)\n", median(rc, nr)
    printf "proxy CPU       %.2f s user+sys per run (median, JVM start-up included)\n", median(pc, np)
    printf "proxy peak RSS  %d KiB (%.1f MiB, max over the proxy runs)\n", rss, rss / 1024
  }' "$work/results"
