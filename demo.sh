#!/bin/bash
# Builds the project, then runs a real C program under checkpoint control, as DMTCP's
# quick start does: coordinator, dmtcp_checkpoint, status, list, a checkpoint, kill, then
# ./dmtcp_restart_script.sh: the program continues where it was, and is checkpointed again.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
if [ "${1:-}" != --no-build ]; then
  echo "== building (mvn install -DskipTests)"
  mvn -B -ntp -q install -DskipTests
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/dmtcp-demo.XXXXXX")
trap 'bin/dmtcp_command -p "${port:-0}" -q >/dev/null 2>&1 || true' EXIT
cat > "$work/counter.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void) {
  for (long n = 0;; n++) { printf("counter: %ld (pid %d)\n", n, getpid()); fflush(stdout); sleep(1); }
}
C
gcc -O1 -o "$work/counter" "$work/counter.c"
cd "$work"
step() { echo; echo "== $*"; }

step "dmtcp_coordinator --daemon -p 0   (prints the port it chose)"
port=$("$here/bin/dmtcp_coordinator" --daemon -p 0 --exit-on-last)
echo "coordinator on port $port"
export DMTCP_PORT=$port

step "dmtcp_checkpoint ./counter   (the program starts at once; its output follows)"
"$here/bin/dmtcp_checkpoint" ./counter &
launcher=$!
for i in $(seq 1 100); do "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1 && break; sleep 0.2; done

step "dmtcp_command --status"
"$here/bin/dmtcp_command" --status
step "dmtcp_command --list"
"$here/bin/dmtcp_command" --list
step "dmtcp_command --bcheckpoint   (every stage is a global barrier)"
"$here/bin/dmtcp_command" --bcheckpoint
sleep 2
ls -l ckpt_*.dmtcp dmtcp_restart_script.sh
step "dmtcp_inspect ckpt_*.dmtcp   (what the image holds; every record verified)"
"$here/bin/dmtcp_inspect" ckpt_*.dmtcp
step "dmtcp_command --kill   (the program is gone)"
"$here/bin/dmtcp_command" --kill
wait "$launcher" || echo "dmtcp_checkpoint exited with $? (128 + SIGKILL: the program was killed)"
for i in $(seq 100); do "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0 && break; sleep 0.2; done

step "./dmtcp_restart_script.sh   (the counter continues from the checkpoint, in a new process)"
./dmtcp_restart_script.sh &
restarter=$!
for i in $(seq 100); do "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1 && break; sleep 0.2; done
sleep 3
step "dmtcp_command --bcheckpoint   (the restarted program is checkpointed again)"
"$here/bin/dmtcp_command" --bcheckpoint
sleep 1
step "dmtcp_command --quit"
"$here/bin/dmtcp_command" --quit
wait "$restarter" || true
echo
echo "demo done in $work"
