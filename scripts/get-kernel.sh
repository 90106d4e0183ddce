#!/usr/bin/env bash
# get-kernel.sh list [--refresh]
# get-kernel.sh fetch [--refresh] [--modules] VERSION [DEST]
# get-kernel.sh unpack [--modules] FILE.deb DEST
#
# Debian's arm64 kernels for regshim's lab (kernel capture, lab migrate), fetched without installing anything:
# a private apt configuration with APT::Architecture "arm64" reads the package lists of every Debian suite that
# ships arm64 kernels (signatures checked by apt against the archive keyring), and `apt-get download` fetches the
# package; dpkg-deb -x unpacks it. The system's apt/dpkg state is left alone.
#
#   list     every generic arm64 kernel Debian has, one per line: UPSTREAM PACKAGE DEBIAN-VERSION SUITE
#   fetch    VERSION is an upstream release: "7.3" (the newest 7.3.x Debian has) or "6.12.117" (exactly that one;
#            when two suites build it, the newer Debian build wins). Release candidates only by their exact name
#            ("7.3~rc7"). Unpacks into DEST (default: $CACHE/kernels/DEBIAN-VERSION-arm64):
#              Image         the kernel (arm64 boot executable Image)
#              config        its build configuration (when Debian ships one)
#              kernel.txt    package=, version=, upstream=, suite=, sha256= (of the .deb)
#              modules/      with --modules only: the modules a lab host needs, as Debian ships them (.ko,
#                            .ko.xz or .ko.zst): the virtio stack and its console where this kernel builds them as
#                            modules (6.1 does; later kernels build them in), and the network's (virtio_net and its
#                            failover dependencies); modules/order lists them in load order
#   unpack   the same for a .deb the caller already has (suite=local)
#   --refresh  re-read the package lists even when the cached ones are less than a day old
#
#   env      REGSHIM_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/regshim), MIRROR, SECURITY_MIRROR
#
# The package lists are cached under $CACHE/apt-arm64 and re-read once a day. A fetched kernel is built in a
# staging directory and renamed into place, so an interrupted run never leaves a half-unpacked DEST. Messages go to
# stderr; the last line on stdout is the result (the list, or DEST). Exit 2 for a version Debian does not have.
set -euo pipefail

me=get-kernel
die() { echo "$me: error: $1" >&2; exit "${2:-1}"; }
usage() { die "usage: get-kernel.sh list [--refresh] | fetch [--refresh] [--modules] VERSION [DEST] | unpack [--modules] FILE.deb DEST" 2; }

cmd=${1:-}; [ -n "$cmd" ] || usage; shift
refresh=false; modules=false
while [ $# -gt 0 ]; do
  case $1 in
    --refresh) refresh=true; shift ;;
    --modules) modules=true; shift ;;
    --*) usage ;;
    *) break ;;
  esac
done

home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${REGSHIM_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/regshim}
# the modules regshim's lab loads, in load order: the virtio transport and console (the control port), present only
# where the kernel builds them as modules, then the network's, which every kernel must ship
LAB_OPTIONAL_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_console"
LAB_MODULES="failover net_failover virtio_net"
SUITES_MAIN="bookworm bookworm-backports trixie trixie-backports forky sid experimental"
SUITES_SECURITY="bookworm-security trixie-security"

need() { for tool in "$@"; do command -v "$tool" >/dev/null || die "needs $tool (a Debian-based host)"; done; }

# Unpacks the kernel of FILE.deb (and, when asked, of its modules package) into a fresh directory $2.
unpack_into() {
  local deb=$1 out=$2 tree
  tree=$(mktemp -d "$out.tree.XXXXXX")
  dpkg-deb -x "$deb" "$tree" || { rm -rf "$tree"; die "$deb: not a Debian package dpkg-deb can unpack" 2; }
  for extra in "${@:3}"; do dpkg-deb -x "$extra" "$tree" || { rm -rf "$tree"; die "$extra: cannot unpack" 2; }; done
  local image
  image=$(find "$tree/boot" "$tree/usr/lib/modules" -maxdepth 2 -type f -name 'vmlinuz*' 2>/dev/null | head -n1 || true)
  [ -n "$image" ] || { rm -rf "$tree"; die "$deb: holds no kernel image (no boot/vmlinuz-* nor usr/lib/modules/*/vmlinuz)" 2; }
  cp "$image" "$out/Image"
  local config
  config=$(find "$tree/boot" "$tree/usr/lib/modules" -maxdepth 2 -type f \( -name 'config-*' -o -name config \) 2>/dev/null | head -n1 || true)
  [ -z "$config" ] || cp "$config" "$out/config"
  if $modules; then
    mkdir -p "$out/modules"
    : > "$out/modules/order"
    local m found
    for m in $LAB_OPTIONAL_MODULES $LAB_MODULES; do
      found=$(find "$tree/lib/modules" "$tree/usr/lib/modules" -type f \( -name "$m.ko" -o -name "$m.ko.*" \) 2>/dev/null | head -n1 || true)
      if [ -z "$found" ]; then
        case " $LAB_OPTIONAL_MODULES " in *" $m "*) continue ;; esac
        rm -rf "$tree"; die "$deb: has no module $m" 2
      fi
      cp "$found" "$out/modules/"
      basename "$found" >> "$out/modules/order"
    done
  fi
  rm -rf "$tree"
}

if [ "$cmd" = unpack ]; then
  [ $# -eq 2 ] || usage
  need dpkg-deb sha256sum
  deb=$1; dest=$2
  [ -f "$deb" ] || die "$deb: no such file" 2
  mkdir -p "$(dirname "$dest")"
  stage=$(mktemp -d "$dest.staging.XXXXXX"); trap 'rm -rf "$stage"' EXIT
  unpack_into "$deb" "$stage"
  { echo "package=$(dpkg-deb -f "$deb" Package)"; echo "version=$(dpkg-deb -f "$deb" Version)"
    echo "upstream=$(dpkg-deb -f "$deb" Version | sed 's/-[^-]*$//')"; echo "suite=local"
    echo "sha256=$(sha256sum "$deb" | cut -d' ' -f1)"; } > "$stage/kernel.txt"
  rm -rf "$dest"; mv "$stage" "$dest"; trap - EXIT
  echo "$dest"; exit 0
fi

[ "$cmd" = list ] || [ "$cmd" = fetch ] || usage
need apt-get apt-cache dpkg-deb dpkg sha256sum
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "needs $keyring (package debian-archive-keyring)"

sources_uris() {
  { grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -h -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}'; } || true
}
[ -n "${MIRROR:-}" ] || MIRROR=$(sources_uris | grep -v -- '-security' | head -n1 || true)
[ -n "${MIRROR:-}" ] || MIRROR=http://deb.debian.org/debian
[ -n "${SECURITY_MIRROR:-}" ] || SECURITY_MIRROR=$(sources_uris | grep -- '-security' | head -n1 || true)
[ -n "${SECURITY_MIRROR:-}" ] || SECURITY_MIRROR=${MIRROR%/}-security

apt_dir=$cache/apt-arm64
mkdir -p "$apt_dir"/lists/partial "$apt_dir"/cache/archives/partial "$apt_dir"/etc "$apt_dir"/state
[ -f "$apt_dir"/state/status ] || : > "$apt_dir"/state/status
{ for s in $SUITES_MAIN; do echo "deb [arch=arm64 signed-by=$keyring] $MIRROR $s main"; done
  for s in $SUITES_SECURITY; do echo "deb [arch=arm64 signed-by=$keyring] $SECURITY_MIRROR $s main"; done
} > "$apt_dir"/etc/sources.list
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
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
APT::Sandbox::User "root";
Acquire::Languages "none";
CONF
export APT_CONFIG=$apt_dir/apt.conf
stamp=$apt_dir/updated
if $refresh || [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
  echo "$me: reading arm64 package lists of $SUITES_MAIN $SUITES_SECURITY" >&2
  apt-get -q -o Debug::NoLocking=1 update >&2 || die "apt-get update failed (see above)"
  touch "$stamp"
fi

# UPSTREAM PACKAGE DEBIAN-VERSION SUITE for every generic-flavour arm64 kernel (image or, from 6.19, binary package)
catalogue() {
  local names
  names=$(apt-cache pkgnames linux- | grep -E '^linux-(image|binary)-[0-9][^ ]*-arm64$' | grep -v -E -- '-(cloud|rt)-arm64$' | sort -u)
  [ -n "$names" ] || return 0
  # shellcheck disable=SC2086
  apt-cache madison $names | awk -F'|' '{
      gsub(/ /, "", $1); gsub(/ /, "", $2); split($3, src, " ");
      suite = src[2]; sub(/\/.*/, "", suite);
      up = $2; sub(/^[0-9]+:/, "", up); sub(/-[^-]*$/, "", up);
      print up, $1, $2, suite }' | sort -u -k1,1V -k3,3
}

if [ "$cmd" = list ]; then
  catalogue
  exit 0
fi

[ $# -ge 1 ] && [ $# -le 2 ] || usage
want=$1
[[ $want =~ ^[0-9]+\.[0-9]+([.~][0-9a-z.]+)?$ ]] || die "bad kernel version '$want' (expected e.g. 7.3 or 6.12.117)" 2
all=$(catalogue)
if [[ $want =~ ^[0-9]+\.[0-9]+$ ]]; then
  # the newest point release of the series (release candidates excluded)
  candidates=$(echo "$all" | awk -v w="$want" 'index($1, w ".") == 1 && $1 !~ /~/ || $1 == w')
else
  candidates=$(echo "$all" | awk -v w="$want" '$1 == w')
fi
if [ -z "$candidates" ]; then
  series=$(echo "$all" | awk '{split($1, v, /[.~]/); print v[1] "." v[2]}' | sort -u -V | tr '\n' ' ')
  die "Debian has no arm64 kernel $want (series it has: ${series% })" 2
fi
# newest upstream first, then the newest Debian build of it
best=$(echo "$candidates" | while read -r up pkg ver suite; do echo "$up $pkg $ver $suite"; done \
  | sort -k1,1V -k3,3V | tail -n1)
read -r up pkg ver suite <<<"$best"
dest=${2:-$cache/kernels/${ver//[^A-Za-z0-9.+-]/_}-arm64}
if [ -f "$dest/kernel.txt" ] && [ -f "$dest/Image" ] && { ! $modules || [ -f "$dest/modules/order" ]; }; then
  echo "$me: already present: $pkg $ver ($suite)" >&2
  echo "$dest"; exit 0
fi
mkdir -p "$(dirname "$dest")"
dest=$(cd "$(dirname "$dest")" && pwd)/$(basename "$dest")
stage=$(mktemp -d "$dest.staging.XXXXXX"); trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/debs"
echo "$me: downloading $pkg $ver ($suite)" >&2
(cd "$stage/debs" && apt-get -q -o Debug::NoLocking=1 download "$pkg=$ver" >&2) \
  || die "downloading $pkg $ver failed (see above)"
# From 6.19 the kernel is split: linux-binary-* has the Image, linux-base-* the config, linux-modules-* the modules.
# The archive does not keep every linux-base-*: without it the capture records no build configuration.
if [[ $pkg == linux-binary-* ]]; then
  base=${pkg/linux-binary-/linux-base-}
  (cd "$stage/debs" && apt-get -q -o Debug::NoLocking=1 download "$base=$ver" >&2 2>/dev/null) \
    || echo "$me: $base $ver is not in the archive: no build configuration for this kernel" >&2
  if $modules; then
    (cd "$stage/debs" && apt-get -q -o Debug::NoLocking=1 download "${pkg/linux-binary-/linux-modules-}=$ver" >&2) \
      || die "downloading the modules of $pkg $ver failed (see above)"
  fi
fi
main_deb=$(ls "$stage"/debs/"${pkg}"_*.deb)
others=()
for d in "$stage"/debs/*.deb; do [ "$d" = "$main_deb" ] || others+=("$d"); done
unpack_into "$main_deb" "$stage" "${others[@]}"
{ echo "package=$pkg"; echo "version=$ver"; echo "upstream=$up"; echo "suite=$suite"
  echo "sha256=$(sha256sum "$main_deb" | cut -d' ' -f1)"; } > "$stage/kernel.txt"
rm -rf "$stage/debs"
rm -rf "$dest"; mv "$stage" "$dest"; trap - EXIT
echo "$me: $pkg $ver ($suite) in $dest" >&2
echo "$dest"
