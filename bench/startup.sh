#!/bin/bash
# What the user waits for around a checkpoint (issue 9's targets), medians of RUNS:
#  - dmtcp_command -s / -l / -c against a running coordinator: wall and CPU (user+sys) time
#    (target <= 0.15 s wall, <= 0.1 s CPU)
#  - dmtcp_checkpoint PROG: time to PROG's first output line (target <= 0.15 s), and until
#    its participant joined the coordinator: through the agent (warm: the first launch of the
#    run starts it) and, as the previous figure, with DMTCP_AGENT=0 (a launcher JVM each)
#  - dmtcp_command -bc of threads.c 8, as the user waits for it (target <= 0.3 s)
#  - dmtcp_restart of a small program to its next line (target <= 0.3 s), through the agent
#    and, as the previous figure, with DMTCP_AGENT=0 (a restarter JVM)
#  - the resident memory of the project's processes per program (target <= 40 MB): the agent's
#    RSS with 10 programs over 10, and a launcher JVM's (DMTCP_AGENT=0); the coordinator's
#    (target <= 64 MB), with 10 programs running
# Baselines in the same run: a bare `java -Xshare:auto -version` (JVM start-up alone) and the
# program's first line without the project (`sh -c 'echo up'` started by this shell).
# Usage: bench/startup.sh [RUNS]   (default 7; build first: mvn -q package -DskipTests)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-7}
work=$(mktemp -d)
port=""
# a private folder of its own: the agent the run starts is its own, and goes with it
export DMTCP_TMPDIR=$work/tmp
mkdir -p "$DMTCP_TMPDIR"
agentpid() { local a; read -r a _ < "$DMTCP_TMPDIR/dmtcp-$(id -un)/agent.pid" 2>/dev/null && echo "$a"; }
trap '[ -n "$port" ] && DMTCP_PORT=$port "$here/bin/dmtcp_command" -q >/dev/null 2>&1 || true; kill $(jobs -p) $(agentpid) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
# timed CMD...: "wall_ms cpu_ms" of one run (GNU time's elapsed and user+sys)
timed() { /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >/dev/null 2>&1 || true; awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' "$work/t"; }
gcc -O2 -pthread -o threads "$here/bench/workloads/threads.c"

port=$("$here/bin/dmtcp_coordinator" --daemon -p 0)
export DMTCP_PORT=$port

jvm=$(for i in $(seq "$runs"); do timed java -Xshare:auto -version | cut -d' ' -f1; done | median)
native=$(for i in $(seq "$runs"); do s=$(now); sh -c 'echo up; exec sleep 1' > out & while ! grep -q up out 2>/dev/null; do sleep 0.002; done; ms "$s" "$(now)"; wait; rm -f out; done | median)

launches() { # AGENT: "first-line joined" medians of RUNS launches (the agent warmed by one more first)
  local first=() joined=() i s l n=$runs
  [ "$1" = 1 ] && n=$((runs + 1))
  for i in $(seq "$n"); do
    s=$(now)
    DMTCP_AGENT=$1 "$here/bin/dmtcp_checkpoint" --join sh -c 'echo up; exec sleep 30' > out 2>/dev/null &
    l=$!
    while ! grep -q up out 2>/dev/null; do sleep 0.002; done
    first+=("$(ms "$s" "$(now)")")
    while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1; do sleep 0.02; done
    joined+=("$(ms "$s" "$(now)")")
    "$here/bin/dmtcp_command" -k >/dev/null
    wait "$l" || true
    rm -f out
    while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0; do sleep 0.02; done
  done
  [ "$1" = 1 ] && { first=("${first[@]:1}"); joined=("${joined[@]:1}"); }
  echo "$(printf '%s\n' "${first[@]}" | median) $(printf '%s\n' "${joined[@]}" | median)"
}
read -r first_m joined_m < <(launches 1)
read -r first_jvm joined_jvm < <(launches 0)

# restart of a small program to its next line: checkpoint, kill, dmtcp_restart IMAGE (its
# stdout a pipe: the restored program writes to the restart command's stdout)
cat > tick.c <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void) { for (long n = 0;; n++) { printf("tick %ld\n", n); fflush(stdout); usleep(20000); } }
C
gcc -O2 -o tick tick.c
restarts() { # AGENT: median ms from dmtcp_restart to the restored program's next line
  local r=() i s
  DMTCP_AGENT=$1 "$here/bin/dmtcp_checkpoint" --join ./tick 2>/dev/null | cat > /dev/null &
  while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1; do sleep 0.02; done
  for i in $(seq "$runs"); do
    "$here/bin/dmtcp_command" -bc >/dev/null
    "$here/bin/dmtcp_command" -k >/dev/null
    while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0; do sleep 0.02; done
    rm -f rout
    s=$(now)
    DMTCP_AGENT=$1 DMTCP_AGENT_RESTART=$1 "$here/bin/dmtcp_restart" --join ckpt_tick_*.dmtcp 2>/dev/null | cat > rout &
    while ! grep -q tick rout 2>/dev/null; do sleep 0.002; done
    r+=("$(ms "$s" "$(now)")")
    while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1; do sleep 0.02; done
  done
  "$here/bin/dmtcp_command" -k >/dev/null
  wait || true
  while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0; do sleep 0.02; done
  rm -f ckpt_tick_*.dmtcp
  printf '%s\n' "${r[@]}" | median
}
restart_m=$(restarts 1)
restart_jvm=$(restarts 0)

row() { # label verb...: median wall and CPU of RUNS dmtcp_command calls
  local w c; w=(); c=()
  for i in $(seq "$runs"); do read -r a b < <(timed "$here/bin/dmtcp_command" "${@:2}"); w+=("$a"); c+=("$b"); done
  printf '%-44s %6s ms wall %5s ms CPU\n' "$1" "$(printf '%s\n' "${w[@]}" | median)" "$(printf '%s\n' "${c[@]}" | median)"
}
# the commands against an idle participant (a sleeping program): what they cost themselves
"$here/bin/dmtcp_checkpoint" --join sleep 300 >/dev/null 2>&1 &
while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1; do sleep 0.05; done
results=$(
  row "dmtcp_command -s" -s
  row "dmtcp_command -l" -l
  row "dmtcp_command -c (a round started)" -c
)
"$here/bin/dmtcp_command" -k >/dev/null
wait || true
while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0; do sleep 0.05; done
# the blocking checkpoint of threads.c 8 (eight busy threads on the cores), as the user waits
"$here/bin/dmtcp_checkpoint" --join ./threads 8 > tout 2>/dev/null &
while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1; do sleep 0.05; done
results="$results
$(row "dmtcp_command -bc, threads 8, as the user waits" -bc)"
"$here/bin/dmtcp_command" -k >/dev/null
wait || true
while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0; do sleep 0.05; done

# memory: 10 programs through the agent, then 10 under a launcher JVM each; the coordinator
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
ten() { # AGENT: starts 10 sleeps, waits until all joined
  local i
  pids=()
  for i in $(seq 10); do DMTCP_AGENT=$1 "$here/bin/dmtcp_checkpoint" --join sleep 300 >/dev/null 2>&1 & pids+=($!); done
  while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=10; do sleep 0.1; done
  sleep 2
}
killall10() {
  "$here/bin/dmtcp_command" -k >/dev/null
  wait "${pids[@]}" 2>/dev/null || true
  while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0; do sleep 0.05; done
}
ten 1
agent=$(rss "$(agentpid)")
coordpid=$(pgrep -f -- "--daemon-child --port=0 .*$work" | head -1 || true)
coord=$([ -n "$coordpid" ] && rss "$coordpid" || echo "?")
killall10
ten 0
# each launcher JVM is the parent of its program
launchers=$(for p in "${pids[@]}"; do rss "$p"; done | median)
total=$(for p in "${pids[@]}"; do rss "$p"; done | awk '{s += $1} END {print s}')
killall10

printf '%-44s %6s ms\n' "java -version (JVM start-up, baseline)" "$jvm"
echo "$results"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 1)}'; }
printf '%-44s %6s ms  (native: %s ms, %sx; launcher JVM: %s ms)\n' "dmtcp_checkpoint: program's first line" "$first_m" \
  "$native" "$(ratio "$first_m" "$native")" "$first_jvm"
printf '%-44s %6s ms  (launcher JVM: %s ms)\n' "dmtcp_checkpoint: joined the coordinator" "$joined_m" "$joined_jvm"
printf '%-44s %6s ms  (restarter JVM: %s ms)\n' "dmtcp_restart: a small program's next line" "$restart_m" "$restart_jvm"
printf '%-44s %6s MB  (the agent: %s MB with 10 programs)\n' "RSS of the project's processes per program" \
  "$((agent / 10))" "$agent"
printf '%-44s %6s MB  (10 programs: %s MB of launchers)\n' "  with DMTCP_AGENT=0: one launcher (median)" "$launchers" "$total"
printf '%-44s %6s MB\n' "RSS of the coordinator" "$coord"
echo "(medians of $runs runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
