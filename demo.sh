#!/bin/bash
# Builds the project, then runs a real C program under checkpoint control, as DMTCP's
# quick start does: coordinator, dmtcp_checkpoint, status, list, a checkpoint, kill, then
# ./dmtcp_restart_script.sh: the program continues where it was, and is checkpointed again.
# Every wait is for an event (a line of output, a process ending), never a fixed sleep.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
if [ "${1:-}" != --no-build ]; then
  echo "== building (mvn package -DskipTests)"
  mvn -B -ntp -q package -DskipTests
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/dmtcp-demo.XXXXXX")
trap '[ -n "${port:-}" ] && "$here/bin/dmtcp_command" -p "$port" -q >/dev/null 2>&1 || true' EXIT
cat > "$work/counter.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void) {
  for (long n = 0;; n++) { printf("counter: %ld (pid %d)\n", n, getpid()); fflush(stdout); usleep(200000); }
}
C
gcc -O1 -o "$work/counter" "$work/counter.c"
cd "$work"
step() { echo; echo "== $*"; }
# waits (up to 30 s) until FILE has at least N lines
lines() { for _ in $(seq 300); do [ "$(wc -l < "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return; sleep 0.1; done
          echo "demo: timed out waiting for $1" >&2; exit 1; }

step "dmtcp_coordinator --daemon -p 0   (prints the port it chose)"
port=$("$here/bin/dmtcp_coordinator" --daemon -p 0)
echo "coordinator on port $port"
export DMTCP_PORT=$port

step "dmtcp_checkpoint ./counter   (the program starts at once; its output goes through a pipe to counter.log)"
# a pipe, not the file itself: a restarted program writes to the restarter's standard
# streams, but would reopen a file it had open and write on at its saved offset
"$here/bin/dmtcp_checkpoint" --join ./counter > >(cat > counter.log) &
launcher=$!
lines counter.log 3
tail -n 3 counter.log

step "dmtcp_command --bcheckpoint   (every stage is a global barrier; waits until the round is done)"
before=$(tail -n 1 counter.log)
"$here/bin/dmtcp_command" --bcheckpoint
at=$(tail -n 1 counter.log)
step "dmtcp_command --list   (the process under checkpoint control)"
"$here/bin/dmtcp_command" --list
ls -l ckpt_*.dmtcp dmtcp_restart_script.sh
step "dmtcp_inspect ckpt_*.dmtcp   (what the image holds; every record verified)"
"$here/bin/dmtcp_inspect" ckpt_*.dmtcp
lines counter.log $(( $(wc -l < counter.log) + 3 ))
step "dmtcp_command --kill   (the program is gone; it had gone on past the checkpoint:)"
tail -n 1 counter.log
"$here/bin/dmtcp_command" --kill
wait "$launcher" || echo "dmtcp_checkpoint exited with $? (128 + SIGKILL: the program was killed)"

step "./dmtcp_restart_script.sh   (the counter continues from the checkpoint, in a new process)"
./dmtcp_restart_script.sh > >(cat > restarted.log) &
restarter=$!
lines restarted.log 3
echo "around the checkpoint the counter was between: $before"
echo "                                         and: $at"
echo "after the restart:"
head -n 3 restarted.log
step "dmtcp_command --bcheckpoint   (the restarted program is checkpointed again)"
"$here/bin/dmtcp_command" --bcheckpoint
step "dmtcp_command --status"
"$here/bin/dmtcp_command" --status
step "dmtcp_command --quit"
"$here/bin/dmtcp_command" --quit
port=
wait "$restarter" || true
num() { echo "$1" | sed 's/counter: \([0-9]*\).*/\1/'; }
n_before=$(num "$before") n_at=$(num "$at") n_next=$(num "$(head -n 1 restarted.log)")
echo
# the image holds a counter value between the two lines around the checkpoint; the
# restarted program prints the next one
if [ "$n_next" -gt "$n_before" ] && [ "$n_next" -le $((n_at + 1)) ]; then
  echo "demo done: checkpointed between $n_before and $n_at, the restarted counter went on at $n_next (files in $work)"
else
  echo "demo FAILED: checkpointed between $n_before and $n_at, but the restarted counter began at $n_next (files in $work)" >&2
  exit 1
fi
