# Sourced by the bin/ scripts: finds the installation and dmtcp.jar, then runs a tool.
# Usage (from a script): dmtcp_run TOOL [JVM options --] ARGS...
set -u
_self=$(readlink -f "${BASH_SOURCE[1]}")
DMTCP_HOME=$(cd "$(dirname "$_self")/.." && pwd)
if [ -n "${DMTCP_JAR:-}" ]; then
  _jar=$DMTCP_JAR
elif [ -f "$DMTCP_HOME/lib/dmtcp.jar" ]; then
  _jar=$DMTCP_HOME/lib/dmtcp.jar
else
  _jar=$DMTCP_HOME/runtime/target/dmtcp.jar
fi
if [ ! -f "$_jar" ]; then
  echo "$(basename "$_self"): $_jar not found: build first (mvn -q package -DskipTests, see README.md)" >&2
  exit 2
fi
_java=${JAVA:-java}
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then _java=$JAVA_HOME/bin/java; fi
dmtcp_run() {
  local tool=$1; shift
  # C1 only: the hot work is native (deflate, CRC, ptrace, pread/pwrite); C2's compiler threads
  # would compete with a restore for the cores while the runtime starts (restart 1 GB: -0.5 s)
  local jvm=(-XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -XX:TieredStopAtLevel=1 "-Ddmtcp.home=$DMTCP_HOME")
  if [ "$tool" = command ]; then jvm+=(-Xss512k); fi
  exec "$_java" "${jvm[@]}" ${DMTCP_JAVA_OPTS:-} -jar "$_jar" "$tool" "$@"
}
