#!/usr/bin/env bash
# Installs regshim under a prefix: PREFIX/share/regshim/regshim.jar (and its class-data-sharing archive),
# PREFIX/bin/regshim (the launcher), PREFIX/share/man/man1/regshim*.1 (a page per command) and
# PREFIX/share/bash-completion/completions/regshim. Builds the jar first when the checkout has none or an old one.
#   scripts/install.sh [--prefix DIR]     (default: ~/.local; /usr/local needs root)
# Uninstall: rm -r PREFIX/share/regshim PREFIX/bin/regshim PREFIX/share/man/man1/regshim*.1 \
#            PREFIX/share/bash-completion/completions/regshim
set -euo pipefail
prefix="$HOME/.local"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (usage: scripts/install.sh [--prefix DIR])" >&2; exit 2 ;;
  esac
done
command -v java >/dev/null || { echo "install.sh: java (17 or later) is not on PATH" >&2; exit 2; }
src=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
# the launcher builds target/regshim.jar when it is missing or stale; --version runs it once
"$src/regshim" --version >/dev/null
share="$prefix/share/regshim"
man="$prefix/share/man/man1"
completions="$prefix/share/bash-completion/completions"
mkdir -p "$prefix/bin" "$share" "$man" "$completions"
install -m 0644 "$src/target/regshim.jar" "$share/regshim.jar.new" && mv -f "$share/regshim.jar.new" "$share/regshim.jar"
install -m 0755 "$src/regshim" "$prefix/bin/regshim"
java -cp "$share/regshim.jar" dev.regshim.cli.InstallFiles man "$man" >/dev/null
java -cp "$share/regshim.jar" dev.regshim.cli.InstallFiles completion "$completions/regshim"
# class-data sharing for the installed jar: about a third off the JVM's start-up (see the launcher)
rm -f "$share/regshim.jsa"
java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ArchiveClassesAtExit="$share/regshim.jsa" -Xlog:cds=off \
  -Xlog:cds+dynamic=off -jar "$share/regshim.jar" regs decode ID_AA64ISAR1_EL1 >/dev/null 2>&1 || rm -f "$share/regshim.jsa"
# the installed launcher must run the installed jar
"$prefix/bin/regshim" --version >/dev/null || { echo "install.sh: $prefix/bin/regshim does not run" >&2; exit 1; }
echo "installed regshim in $prefix: bin/regshim, share/regshim/regshim.jar, $(ls "$man" | grep -c '^regshim') manual pages, bash completion"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "add $prefix/bin to PATH to run it as 'regshim'";; esac
case ":${MANPATH:-}:" in *":$prefix/share/man:"*) ;; *) [ "$prefix" = /usr/local ] || [ "$prefix" = /usr ] || echo "man pages: MANPATH=$prefix/share/man:\$MANPATH (or man -M $prefix/share/man regshim)";; esac
