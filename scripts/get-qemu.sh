#!/usr/bin/env bash
# get-qemu.sh [--force] SERIES [DEST]
#
# Provides a private qemu-system-aarch64 of another QEMU series for regshim's tests, without installing
# anything: Debian's qemu-system-arm of that series and the shared libraries it needs are downloaded with a
# private apt configuration, unpacked with dpkg-deb -x, and run through that release's own dynamic loader by a
# small wrapper. The system's apt/dpkg state and its own QEMU are left alone.
#
#   SERIES   10.0  Debian trixie's qemu-system-arm
#            11.1  Debian trixie-backports' qemu-system-arm (built against trixie's libraries)
#   DEST     default: ${REGSHIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/regshim}/qemu-SERIES
#            (dev.regshim.qemu.QemuBinary looks there; REGSHIM_QEMU10 / REGSHIM_QEMU11 may name the wrapper)
#   --force  rebuild even when DEST already holds a working QEMU of that series
#   env      MIRROR (default: the first Debian mirror in this machine's apt sources),
#            QEMU_DEB_VERSION (pin, e.g. 1:10.0.13+ds-0+deb13u1)
#
# Idempotent: when DEST/qemu-system-aarch64 already reports version 10.0 nothing is downloaded.
# The result is built in a sibling staging directory and renamed into place, so an interrupted run
# never leaves a half-built DEST behind. Prints the wrapper's path on its last line.
set -euo pipefail

force=false
if [ "${1:-}" = "--force" ]; then force=true; shift; fi
SERIES=${1:-}
case $SERIES in
  10.0) SUITES="trixie"; PIN_SUITE="" ;;
  11.1) SUITES="trixie trixie-backports"; PIN_SUITE="trixie-backports" ;;
  *) echo "usage: get-qemu.sh [--force] 10.0|11.1 [DEST]" >&2; exit 2 ;;
esac
shift
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${REGSHIM_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/regshim}
DEST=${1:-$cache/qemu-$SERIES}
WANT_SERIES="QEMU emulator version $SERIES."
me="get-qemu $SERIES"

works() {
  [ -x "$1/qemu-system-aarch64" ] && "$1/qemu-system-aarch64" --version 2>/dev/null | grep -q "^$WANT_SERIES"
}

if ! $force && works "$DEST"; then
  echo "$me: already present: $("$DEST/qemu-system-aarch64" --version | head -n1)" >&2
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
for suite in $SUITES; do echo "deb [arch=amd64 signed-by=$keyring] $MIRROR $suite main"; done \
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
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
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

(cd "$stage"/debs && apt-get -q -o Debug::NoLocking=1 download \
   "qemu-system-arm${QEMU_DEB_VERSION:+=$QEMU_DEB_VERSION}" $(cat "$stage"/libpkgs.txt) >&2)
for deb in "$stage"/debs/*.deb; do dpkg-deb -x "$deb" "$stage"/root; done
dpkg-deb -f "$stage"/debs/qemu-system-arm_*.deb Version > "$stage"/deb-version.txt
rm -rf "$apt_dir" "$stage"/debs

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
