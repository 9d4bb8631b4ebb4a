#!/bin/bash
# Start-up latencies of the command line (issue 2's targets):
#  - dmtcp_command --status against a running coordinator (target < 0.5 s; it never boots OSGi)
#  - dmtcp_checkpoint PROG: time until PROG's first output line (the program is spawned
#    before the OSGi framework starts), and until the launcher has joined the coordinator
#  - an empty checkpoint round (-bc) with 3 participants
# Baseline printed in the same run: a bare `java -version` (JVM start-up alone).
# Usage: bench/startup.sh [RUNS]   (build first: mvn -q package -DskipTests)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
work=$(mktemp -d)
trap 'DMTCP_PORT=$port "$here/bin/dmtcp_command" -q >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%d", (b - a) * 1000}'; }

port=$("$here/bin/dmtcp_coordinator" --daemon -p 0)
export DMTCP_PORT=$port

jvm=$(for i in $(seq "$runs"); do s=$(now); java -Xshare:auto -version >/dev/null 2>&1; ms "$s" "$(now)"; echo; done | median)
cmd=$(for i in $(seq "$runs"); do s=$(now); "$here/bin/dmtcp_command" -s >/dev/null; ms "$s" "$(now)"; echo; done | median)

first=(); joined=()
for i in $(seq "$runs"); do
  s=$(now)
  "$here/bin/dmtcp_checkpoint" --join sh -c 'echo up; exec sleep 30' > "$work/out" 2>/dev/null &
  l=$!
  while ! grep -q up "$work/out" 2>/dev/null; do sleep 0.005; done
  first+=("$(ms "$s" "$(now)")")
  while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=1; do sleep 0.02; done
  joined+=("$(ms "$s" "$(now)")")
  "$here/bin/dmtcp_command" -k >/dev/null
  wait "$l" || true
  while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=0; do sleep 0.02; done
done
first_m=$(printf '%s\n' "${first[@]}" | median)
joined_m=$(printf '%s\n' "${joined[@]}" | median)

for i in 1 2 3; do "$here/bin/dmtcp_checkpoint" --join sleep 300 >/dev/null 2>&1 & done
while ! "$here/bin/dmtcp_command" -s 2>/dev/null | grep -q NUM_PEERS=3; do sleep 0.05; done
bc=$(for i in $(seq "$runs"); do s=$(now); "$here/bin/dmtcp_command" -bc >/dev/null; ms "$s" "$(now)"; echo; done | median)
"$here/bin/dmtcp_command" -k >/dev/null

printf '%-52s %6s ms\n' "java -version (JVM start-up, baseline)" "$jvm"
printf '%-52s %6s ms  (%.1fx the bare JVM; target < 500)\n' "dmtcp_command -s" "$cmd" "$(awk -v a="$cmd" -v b="$jvm" 'BEGIN{print a/b}')"
printf '%-52s %6s ms\n' "dmtcp_checkpoint: program's first output line" "$first_m"
printf '%-52s %6s ms\n' "dmtcp_checkpoint: joined the coordinator" "$joined_m"
printf '%-52s %6s ms\n' "dmtcp_command -bc, 3 participants, no plugins" "$bc"
echo "(medians of $runs runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
