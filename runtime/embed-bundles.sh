#!/bin/bash
# Copies the run bundles bnd-export wrote into bundles/ beside dmtcp.jar and lists them,
# in the resolver's order, in bundles/index.txt (the launcher installs from that list,
# loading each bundle where it is: an installation is bin/, dmtcp.jar and bundles/).
# The framework itself is on the launcher's class path, not a bundle to install.
# The new folder is filled beside the old one and swapped in by renames, so that a command
# starting meanwhile (tests running from this tree) never reads a half-copied jar.
set -euo pipefail
src=$1 dst=$2
new=$dst.new.$$
rm -rf "$new"; mkdir -p "$new"
: > "$new/index.txt"
for f in "$src"/*.jar; do
  name=$(basename "$f")
  case "$name" in org.apache.felix.framework*) continue ;; esac
  cp "$f" "$new/$name"
  echo "$name" >> "$new/index.txt"
done
[ -s "$new/index.txt" ] || { echo "embed-bundles: no bundles in $src" >&2; exit 1; }
if [ -d "$dst" ]; then mv "$dst" "$dst.old.$$"; fi
mv "$new" "$dst"
rm -rf "$dst.old.$$"
