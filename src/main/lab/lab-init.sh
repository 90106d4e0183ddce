#!/lab/busybox sh
# lab-init.sh: /init of a regshim lab host (`regshim lab migrate`). The outer QEMU boots a real arm64 kernel at
# EL2; this script starts Debian's arm64 qemu-system-aarch64 (unpacked under /lab/qemu) with -accel kvm -cpu host
# and runs one side of a migration of a small guest, reporting on the console in lines "@@ WORD ...":
#   @@ lab begin ROLE / @@ lab release R / @@ lab event NAME / @@ lab error TEXT / @@ lab done
#   @@ qemu-err LINE        every line the inner QEMU wrote on stderr, in order
#   @@ qemu-exit STATUS     when the inner QEMU exited by itself
#   @@ migrate STATUS       the source's migration outcome (completed, failed, ...)
#   @@ guest LINE           the guest's serial output (guest-partial: a last line the guest had not finished)
# The host drives it through the virtio-serial port "regshim.ctl" (one command per line):
#   migrate URI             (source) migrate to URI (tcp: with the return-path capability), then report
#   run SECONDS             let the guest run this long, then report its output so far
#   cont SECONDS            resume a paused guest (QEMU 11.1 after a failed migration), then as run
#   quit                    stop QEMU, power off
# Parameters on the kernel command line: regshim.role=source|destination, regshim.guest=counter|idle,
# regshim.incoming=file|tcp (destination: the stream in /lab/incoming.mig, or a migration to port 4444),
# regshim.net=1 (bring up eth0 as 10.0.2.15 behind QEMU user networking).
/lab/busybox mount -t proc proc /proc
/lab/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/lab/busybox --install -s
mount -t devtmpfs dev /dev 2>/dev/null
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp

say() { echo "@@ $*"; }
fail() { say "lab error $*"; say "lab done"; sync; poweroff -f; }

param() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^regshim\.$1=//p" | head -n1; }
ROLE=$(param role)
GUEST=$(param guest)
INCOMING=$(param incoming)
NET=$(param net)
say "lab begin $ROLE"
say "lab release $(uname -r)"
[ -e /dev/kvm ] || fail "the kernel has no KVM (/dev/kvm is missing)"

# the modules regshim packed, in load order (NN-name.ko): the virtio stack where the kernel builds it as modules,
# then, for a live migration, the network's
for m in /lab/modules/*.ko; do
  [ -e "$m" ] || continue
  insmod "$m" || fail "cannot load module $(basename "$m")"
done

if [ "$NET" = 1 ]; then
  ip link set lo up
  i=0
  while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  ip link set eth0 up || fail "no eth0 (virtio-net): $(ls /sys/class/net | tr '\n' ' ')"
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2
  say "lab event network"
fi

# the virtio-serial ports, by name
port() {
  for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && { echo "/dev/$(basename "$p")"; return; }
  done
}
CTL=$(port regshim.ctl)
i=0
while [ -z "$CTL" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); CTL=$(port regshim.ctl); done
[ -n "$CTL" ] || fail "no control port (virtio-serial port regshim.ctl not found)"
OUT=$(port regshim.out)

case $INCOMING in
  file) INCOMING="exec:cat /lab/incoming.mig" ;;
  tcp) INCOMING="tcp:0.0.0.0:4444" ;;
esac
Q=/lab/qemu/qemu-system-aarch64
ARGS="-M virt,gic-version=3 -accel kvm -cpu host -smp 1 -m 64 -nodefaults -display none -serial file:/tmp/guest.log"
[ "$GUEST" = counter ] && ARGS="$ARGS -kernel /lab/counter.elf"
[ "$GUEST" = idle ] && [ "$ROLE" = source ] && ARGS="$ARGS -S"

mkfifo /tmp/hmp
exec 3<>/tmp/hmp
if [ "$ROLE" = destination ]; then
  # shellcheck disable=SC2086
  $Q $ARGS -monitor stdio -incoming "$INCOMING" <&3 >> /tmp/hmp.out 2>> /tmp/qemu.err &
else
  # shellcheck disable=SC2086
  $Q $ARGS -monitor stdio <&3 >> /tmp/hmp.out 2>> /tmp/qemu.err &
fi
QPID=$!
hmp() { echo "$*" >&3; }

report_qemu() {
  [ -s /tmp/qemu.err ] && sed 's/^/@@ qemu-err /' /tmp/qemu.err
  : > /tmp/qemu.err
}
report_guest() {
  if [ -s /tmp/guest.log ]; then
    tail -c +"$((GUEST_SENT + 1))" /tmp/guest.log > /tmp/guest.new
    GUEST_SENT=$((GUEST_SENT + $(wc -c < /tmp/guest.new)))
    if [ -s /tmp/guest.new ] && [ -n "$(tail -c 1 /tmp/guest.new)" ]; then
      # the guest was stopped in the middle of a line: its start is reported apart, the next report completes it
      head -n "$(wc -l < /tmp/guest.new)" /tmp/guest.new | sed 's/^/@@ guest /'
      echo "@@ guest-partial $(tail -n 1 /tmp/guest.new)"
    else
      sed 's/^/@@ guest /' /tmp/guest.new
    fi
  fi
}
GUEST_SENT=0
alive() { kill -0 "$QPID" 2>/dev/null; }
status() { : > /tmp/hmp.out; hmp "info status"; sleep 0.5; sed -n 's/.*VM status: \([a-z-]*\).*/\1/p' /tmp/hmp.out | tail -n1; }

sleep 1
alive || { report_qemu; wait "$QPID"; say "qemu-exit $?"; say "lab done"; poweroff -f; }
if [ "$ROLE" = destination ]; then
  case $INCOMING in
    tcp:*)
      # wait until QEMU really listens on port 4444 (0x115C), so that no connection reaches a closed port
      i=0
      while ! grep -q ':115C 00000000:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null && [ $i -lt 150 ]; do
        sleep 0.2; i=$((i + 1))
      done
      say "lab event listening"
      ;;
  esac
  # wait until the load ends: QEMU exits (refused) or the VM runs
  i=0
  while alive; do
    s=$(status)
    if [ "$s" = running ]; then say "lab event loaded"; break; fi
    i=$((i + 1)); [ $i -gt 600 ] && { say "lab event load-timeout"; break; }
    sleep 0.5
  done
  if ! alive; then report_qemu; wait "$QPID"; say "qemu-exit $?"; report_guest; say "lab done"; sync; poweroff -f; fi
else
  say "lab event running"
fi

exec 4< "$CTL"
while :; do
  if ! read -r cmd arg <&4; then
    # nobody on the host end yet: the port reads as closed until the host connects; try again shortly
    sleep 0.2
    continue
  fi
  case $cmd in
    migrate)
      uri=$arg
      [ "$uri" = out ] && uri="exec:cat > $OUT"
      report_guest
      # a live migration asks for the return path, as docs/proxy.md advises: the source then learns that the
      # destination (or the proxy) refused, and its guest goes on running there
      case $uri in tcp:*) hmp "migrate_set_capability return-path on"; sleep 0.2 ;; esac
      hmp "migrate -d \"$uri\""
      st=""
      i=0
      while :; do
        : > /tmp/hmp.out; hmp "info migrate"; sleep 0.5
        # "Migration status: completed" (QEMU 7.2-10.x) or "Status: completed" (11.x)
        st=$(sed -n -e 's/.*Migration status: *\([a-z-]*\).*/\1/p' -e 's/^[[:space:]]*Status:[[:space:]]*\([a-z-]*\).*/\1/p' /tmp/hmp.out | tail -n1)
        case $st in completed|failed|cancelled) break;; esac
        alive || { st=qemu-exited; break; }
        # HMP's last line is its prompt, without a newline: end it, or the next report would join the debug line
        [ $i -eq 20 ] && { tail -n 5 /tmp/hmp.out; echo; } | tr -d '\033' | sed 's/^/@@ lab debug hmp: /' 
        i=$((i + 1)); [ $i -gt 600 ] && { st=timeout; break; }
      done
      # a file migration is complete when the writer has handed every byte to the port
      while pidof cat > /dev/null; do sleep 0.2; done
      report_qemu
      say "migrate $st"
      ;;
    cont)
      # resume a guest QEMU left paused (after a failed migration, as libvirt does), then as run
      hmp "cont"
      sleep "$arg"
      report_qemu
      say "lab event status $(status)"
      report_guest
      say "lab event ran"
      ;;
    run)
      sleep "$arg"
      report_qemu
      say "lab event status $(status)"
      report_guest
      say "lab event ran"
      ;;
    quit)
      hmp "quit"
      sleep 1
      report_qemu
      report_guest
      break
      ;;
  esac
done
say "lab done"
sync
poweroff -f
