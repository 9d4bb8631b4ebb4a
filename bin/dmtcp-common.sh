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
# The class-data sharing archive the build made beside the jar (runtime/make-cds.sh), used
# only if no other user can have written it: the JVM maps it as its own classes. It must be a
# regular file owned by root or by us, neither it nor its folder writable by group or others.
# DMTCP_CDS=0 leaves it out. A stale archive (another jar, another JDK) the JVM ignores itself.
_cds=()
_trusted() { # PATH: owned by root or us, not writable by group or others
  local o m; read -r o m < <(stat -L -c '%u %a' "$1" 2>/dev/null) || return 1
  { [ "$o" = 0 ] || [ "$o" = "$(id -u)" ]; } && [ $(( 8#$m & 8#022 )) = 0 ]
}
_archive=${_jar%.jar}.jsa
if [ "${DMTCP_CDS:-1}" != 0 ] && [ -f "$_archive" ] && [ ! -L "$_archive" ] \
    && _trusted "$_archive" && _trusted "$(dirname "$_archive")"; then
  _cds=("-XX:SharedArchiveFile=$_archive")
fi
dmtcp_run() {
  local tool=$1; shift
  # C1 only: the hot work is native (deflate, CRC, ptrace, pread/pwrite); C2's compiler threads
  # would compete with a restore for the cores while the runtime starts (restart 1 GB: -0.5 s)
  local jvm=(-XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto "${_cds[@]}" "-Ddmtcp.home=$DMTCP_HOME")
  # dmtcp_command sends one line and prints one answer: compiling anything costs more CPU than
  # interpreting it (0.10 s CPU against 0.12-0.17 s with C1)
  if [ "$tool" = command ]; then jvm+=(-Xss512k -Xint); else jvm+=(-XX:TieredStopAtLevel=1); fi
  # a small initial heap, grown as a checkpoint or restart needs it: an idle launcher holds
  # 68 MB resident instead of 98 (the default starts at 1/64 of the RAM: 384 MB here)
  if [ "$tool" != command ]; then jvm+=(-Xms8m); fi
  exec "$_java" "${jvm[@]}" ${DMTCP_JAVA_OPTS:-} -jar "$_jar" "$tool" "$@"
}
