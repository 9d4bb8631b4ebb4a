#!/bin/bash
# Copies the run bundles bnd-export wrote into bundles/ beside dmtcp.jar and lists them,
# in the resolver's order, in bundles/index.txt (the launcher installs from that list,
# loading each bundle where it is: an installation is bin/, dmtcp.jar and bundles/).
# The framework itself is on the launcher's class path, not a bundle to install.
set -euo pipefail
src=$1 dst=$2
rm -rf "$dst"; mkdir -p "$dst"
: > "$dst/index.txt"
for f in "$src"/*.jar; do
  name=$(basename "$f")
  case "$name" in org.apache.felix.framework*) continue ;; esac
  cp "$f" "$dst/$name"
  echo "$name" >> "$dst/index.txt"
done
[ -s "$dst/index.txt" ] || { echo "embed-bundles: no bundles in $src" >&2; exit 1; }
