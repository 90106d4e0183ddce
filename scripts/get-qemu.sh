#!/usr/bin/env bash
# get-qemu.sh [--force] [--arch arm64] SERIES [DEST]
#
# Provides a private qemu-system-aarch64 of another QEMU series for regshim's tests, without installing
# anything: Debian's qemu-system-arm of that series and the shared libraries it needs are downloaded with a
# private apt configuration, unpacked with dpkg-deb -x, and run through that release's own dynamic loader by a
# small wrapper. The system's apt/dpkg state and its own QEMU are left alone.
#
#   SERIES   7.2   Debian bookworm's qemu-system-arm (--arch arm64 only: amd64 7.2 is the system's own)
#            10.0  Debian trixie's qemu-system-arm
#            11.1  Debian trixie-backports' qemu-system-arm (built against trixie's libraries)
#   DEST     default: ${REGSHIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/regshim}/qemu-SERIES (qemu-SERIES-arm64)
#            (dev.regshim.qemu.QemuBinary looks there; REGSHIM_QEMU10 / REGSHIM_QEMU11 may name the wrapper)
#   --arch arm64  the arm64 build instead, with busybox-static: the userland regshim's lab (regshim lab migrate)
#            packs into the initramfs of an arm64 KVM host, where the wrapper `qemu-system-aarch64` runs it; it
#            cannot run here, so it is checked by its ELF header instead of --version
#   --force  rebuild even when DEST already holds a working QEMU of that series
#   env      MIRROR (default: the first Debian mirror in this machine's apt sources),
#            QEMU_DEB_VERSION (pin, e.g. 1:10.0.13+ds-0+deb13u1)
#
# Idempotent: when DEST/qemu-system-aarch64 already reports version 10.0 nothing is downloaded.
# The result is built in a sibling staging directory and renamed into place, so an interrupted run
# never leaves a half-built DEST behind. Prints the wrapper's path on its last line.
set -euo pipefail

force=false
ARCH=amd64
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=true; shift ;;
    --arch) ARCH=${2:-}; shift 2 ;;
    *) break ;;
  esac
done
[ "$ARCH" = amd64 ] || [ "$ARCH" = arm64 ] || { echo "get-qemu.sh: --arch amd64 or arm64" >&2; exit 2; }
SERIES=${1:-}
case $SERIES in
  7.2) SUITES="bookworm"; PIN_SUITE=""; [ "$ARCH" = arm64 ] || { echo "get-qemu.sh: QEMU 7.2 for amd64 is Debian bookworm's qemu-system-arm: install it" >&2; exit 2; } ;;
  10.0) SUITES="trixie"; PIN_SUITE="" ;;
  11.1) SUITES="trixie trixie-backports"; PIN_SUITE="trixie-backports" ;;
  *) echo "usage: get-qemu.sh [--force] [--arch arm64] 7.2|10.0|11.1 [DEST]" >&2; exit 2 ;;
esac
shift
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${REGSHIM_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/regshim}
suffix=""; [ "$ARCH" = amd64 ] || suffix="-$ARCH"
DEST=${1:-$cache/qemu-$SERIES$suffix}
WANT_SERIES="QEMU emulator version $SERIES."
me="get-qemu $SERIES$suffix"
LIBDIR=x86_64-linux-gnu; LOADER=ld-linux-x86-64.so.2
[ "$ARCH" = amd64 ] || { LIBDIR=aarch64-linux-gnu; LOADER=ld-linux-aarch64.so.1; }

# An ELF executable for AArch64 (e_machine 183 at byte 18, little-endian).
is_aarch64_elf() {
  [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] && [ "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" = 183 ]
}

works() {
  if [ "$ARCH" = arm64 ]; then
    [ -x "$1/qemu-system-aarch64" ] && [ -f "$1/version.txt" ] && grep -qE "^${SERIES//./\\.}(\\.|\$)" "$1/version.txt" \
      && is_aarch64_elf "$1/root/usr/bin/qemu-system-aarch64" && [ -x "$1/root/bin/busybox" ]
    return
  fi
  [ -x "$1/qemu-system-aarch64" ] && "$1/qemu-system-aarch64" --version 2>/dev/null | grep -q "^$WANT_SERIES"
}

if ! $force && works "$DEST"; then
  echo "$me: already present: $(head -n1 "$DEST/version.txt" 2>/dev/null || "$DEST/qemu-system-aarch64" --version | head -n1)" >&2
  echo "$DEST/qemu-system-aarch64"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "$me: needs $tool (a Debian-based host)" >&2; exit 1; }
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || { echo "$me: needs $keyring (package debian-archive-keyring)" >&2; exit 1; }

if [ -z "${MIRROR:-}" ]; then
  MIRROR=$(grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
             | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
fi
if [ -z "${MIRROR:-}" ]; then
  MIRROR=$(grep -h -E '^deb ' /etc/apt/sources.list 2>/dev/null \
             | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
fi
[ -n "${MIRROR:-}" ] || { echo "$me: no Debian mirror in this machine's apt sources; set MIRROR" >&2; exit 1; }

mkdir -p "$(dirname "$DEST")"
DEST=$(cd "$(dirname "$DEST")" && pwd)/$(basename "$DEST")
stage=$(mktemp -d "$DEST.staging.XXXXXX")
trap 'rm -rf "$stage"' EXIT

apt_dir=$stage/apt
mkdir -p "$apt_dir"/etc/sources.list.d "$apt_dir"/etc/preferences.d "$apt_dir"/lists/partial \
         "$apt_dir"/cache/archives/partial "$apt_dir"/state "$stage"/debs "$stage"/root
: > "$apt_dir"/state/status   # an empty dpkg status: apt resolves the full closure, not "what is installed"
for suite in $SUITES; do echo "deb [arch=$ARCH signed-by=$keyring] $MIRROR $suite main"; done \
  > "$apt_dir"/etc/sources.list
cat > "$apt_dir"/apt.conf <<CONF
Dir::Etc::SourceList "$apt_dir/etc/sources.list";
Dir::Etc::SourceParts "$apt_dir/etc/sources.list.d";
Dir::Etc::Preferences "$apt_dir/etc/preferences";
Dir::Etc::PreferencesParts "$apt_dir/etc/preferences.d";
Dir::State "$apt_dir/state";
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/state/status";
Dir::Cache "$apt_dir/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Architecture "$ARCH";
APT::Architectures { "$ARCH"; };
APT::Sandbox::User "root";
CONF
if [ -n "$PIN_SUITE" ]; then
  # backports are never candidates by default: make them the default release, so QEMU and every library it was
  # built against resolve to their backports versions where there are any
  echo "APT::Default-Release \"$PIN_SUITE\";" >> "$apt_dir"/apt.conf
fi
export APT_CONFIG=$apt_dir/apt.conf

echo "$me: reading $SUITES package lists from $MIRROR" >&2
apt-get -q -o Debug::NoLocking=1 update >&2

# Depends/Pre-Depends closure of qemu-system-arm; only its shared-library packages are unpacked
# (data, firmware and helper packages are not needed for -M virt with -nodefaults).
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances qemu-system-arm \
  | grep -E '^[a-z0-9]' | sort -u > "$stage"/closure.txt
grep -E '^(lib|zlib1g$)' "$stage"/closure.txt > "$stage"/libpkgs.txt

extra=""; [ "$ARCH" = amd64 ] || extra="busybox-static"
(cd "$stage"/debs && apt-get -q -o Debug::NoLocking=1 download \
   "qemu-system-arm${QEMU_DEB_VERSION:+=$QEMU_DEB_VERSION}" $(cat "$stage"/libpkgs.txt) $extra >&2)
for deb in "$stage"/debs/*.deb; do dpkg-deb -x "$deb" "$stage"/root; done
dpkg-deb -f "$stage"/debs/qemu-system-arm_*.deb Version > "$stage"/deb-version.txt
rm -rf "$apt_dir" "$stage"/debs

if [ "$ARCH" = arm64 ]; then
  # bookworm keeps the loader in /lib, trixie in /usr/lib (merged /usr)
  loader=""
  for l in usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 lib/ld-linux-aarch64.so.1; do
    [ -e "$stage/root/$l" ] && { loader=$l; break; }
  done
  [ -n "$loader" ] || { echo "$me: no ld-linux-aarch64.so.1 in the unpacked packages" >&2; exit 1; }
  # Runs on the arm64 host the lab boots, from wherever the tree is unpacked there.
  cat > "$stage"/qemu-system-aarch64 <<WRAP
#!/bin/sh
here=\$(dirname "\$(readlink -f "\$0")")
root=\$here/root
exec "\$root/$loader" \\
  --library-path "\$root/usr/lib/aarch64-linux-gnu:\$root/lib/aarch64-linux-gnu" \\
  "\$root/usr/bin/qemu-system-aarch64" "\$@"
WRAP
  chmod +x "$stage"/qemu-system-aarch64
  # bookworm ships /bin/busybox, trixie /usr/bin/busybox: the lab looks in bin/
  if [ ! -e "$stage"/root/bin/busybox ] && [ -e "$stage"/root/usr/bin/busybox ]; then
    mkdir -p "$stage"/root/bin && cp "$stage"/root/usr/bin/busybox "$stage"/root/bin/busybox
  fi
  for f in "$stage"/root/usr/bin/qemu-system-aarch64 "$stage/root/$loader" "$stage"/root/bin/busybox; do
    [ -e "$f" ] || { echo "$me: $f missing from the unpacked packages" >&2; exit 1; }
  done
  is_aarch64_elf "$stage"/root/usr/bin/qemu-system-aarch64 || { echo "$me: not an AArch64 QEMU" >&2; exit 1; }
  # The Debian version names the QEMU release: 1:10.0.13+ds-0+deb13u1 -> 10.0.13
  sed -e 's/^[0-9]*://' -e 's/[+~-].*//' "$stage"/deb-version.txt > "$stage"/version.txt
  rm -rf "$stage"/root/usr/share/doc "$stage"/root/usr/share/man "$stage"/root/usr/share/locale
  rm -rf "$DEST"
  mv "$stage" "$DEST"
  trap - EXIT
  echo "$me: QEMU $(cat "$DEST"/version.txt) for arm64 (deb qemu-system-arm $(cat "$DEST"/deb-version.txt)), with busybox" >&2
  echo "$DEST/qemu-system-aarch64"
  exit 0
fi

# The wrapper finds its tree relative to itself, so DEST can be renamed or moved.
cat > "$stage"/qemu-system-aarch64 <<'WRAP'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
root=$here/root
exec "$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
  --library-path "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" \
  "$root/usr/bin/qemu-system-aarch64" "$@"
WRAP
chmod +x "$stage"/qemu-system-aarch64

# Every NEEDED library must resolve inside the private tree, never to the host's bookworm libraries.
root=$stage/root
ld=$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
if "$ld" --library-path "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" --list \
     "$root"/usr/bin/qemu-system-aarch64 \
   | grep -v -e "=> $root/" -e 'linux-vdso' -e "^\s*$ld" -e '^\s*/lib64/ld-linux' >&2; then
  echo "$me: libraries resolved outside $root (listed above)" >&2
  exit 1
fi
works "$stage" || { "$stage"/qemu-system-aarch64 --version >&2 || true; echo "$me: the unpacked binary does not report $WANT_SERIES" >&2; exit 1; }
"$stage"/qemu-system-aarch64 --version | head -n1 > "$stage"/version.txt

rm -rf "$DEST"
mv "$stage" "$DEST"
trap - EXIT
echo "$me: $(cat "$DEST"/version.txt) (deb qemu-system-arm $(cat "$DEST"/deb-version.txt))" >&2
echo "$DEST/qemu-system-aarch64"
