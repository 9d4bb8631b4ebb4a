#!/bin/bash
# Writes the class-data sharing archive (JDK AppCDS) beside dmtcp.jar: the classes each
# tool loads from the JDK and from dmtcp.jar, pre-parsed and laid out to be mapped at start
# (see doc/performance.md: dmtcp_command -s 0.25 s -> 0.1 s). bin/dmtcp-common.sh passes it to
# the JVM when it is there and no other user can write it. The JVM uses it only for the very
# jar it was made from (path, size and time are checked), and otherwise ignores it silently.
# The class list comes from training runs of the tools here and now: a coordinator, the
# status, list and checkpoint commands against it, a launch of /bin/true, --help of each.
# Usage: make-cds.sh TARGET_DIR   (holding dmtcp.jar; writes dmtcp.jsa there)
set -euo pipefail
dir=$(cd "$1" && pwd)
jar=$dir/dmtcp.jar
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
work=$(mktemp -d "${TMPDIR:-/tmp}/dmtcp-cds.XXXXXX")
export DMTCP_TMPDIR=$work/tmp DMTCP_KEY_FILE=$work/key DMTCP_CHECKPOINT_DIR=$work
unset DMTCP_PORT DMTCP_HOST DMTCP_JAR DMTCP_JAVA_OPTS
port=""
cleanup() {
  [ -n "$port" ] && "$java" -jar "$jar" command -p "$port" -q >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$DMTCP_TMPDIR"
n=0
train() { n=$((n + 1)); "$java" -XX:DumpLoadedClassList="$work/$n.lst" -Ddmtcp.home="$dir/../.." -jar "$jar" "$@" >/dev/null 2>&1 || true; }
for tool in command coordinator launch restart inspect; do train "$tool" --help; done
port=$("$java" -jar "$jar" coordinator --daemon -p 0 2>/dev/null | tail -1)
if [ -n "$port" ]; then
  train command -p "$port" -s
  train command -p "$port" --json -l
  train launch -p "$port" --join /bin/true
  train command -p "$port" -bc
fi
cat "$work"/*.lst | sort -u > "$work/classes.lst"
rm -f "$dir/dmtcp.jsa"
"$java" -Xshare:dump -XX:SharedClassListFile="$work/classes.lst" -XX:SharedArchiveFile="$dir/dmtcp.jsa.new" \
  -cp "$jar" > "$work/dump.log" 2>&1 || { echo "make-cds: the archive could not be written:" >&2; tail -5 "$work/dump.log" >&2; exit 0; }
chmod 444 "$dir/dmtcp.jsa.new"
mv "$dir/dmtcp.jsa.new" "$dir/dmtcp.jsa"
