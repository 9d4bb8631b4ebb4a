#!/bin/bash
# Checkpoint and restart benchmark (issue 3): mem.c 1024 50, mem.c 256 50 and threads.c 8
# under dmtcp_checkpoint, with and without gzip; then the event-loop program (issue 8). For each: the checkpoint time
# (dmtcp_command -bc, the whole round), the image size, and the time from starting
# dmtcp_restart to the program's next output line. In the same run, on the same bytes
# (the uncompressed image): `gzip -1` (DMTCP's compressor) and writing them raw (the
# physical limit), printed as ratios. Each measurement starts after a sync (not timed).
# The event-loop program (runtime/src/test/resources/e2e/eventloop.c: one epoll_wait over a
# self-pipe, an eventfd a worker thread posts to, a timerfd and a signalfd) is small: its
# times are medians of 5 cycles, against the same program in its "plain" mode (no event fd, the
# same output every 100 ms) measured alongside as the baseline.
# ckpt_s is the median of ROUNDS (default 3) checkpoints of the same program, one after the
# other (from the second on, each new image replaces the previous one, as in a long run).
# Usage: [ROUNDS=N] bench/checkpoint.sh [quick|eventloop]   (quick: mem 256 only; eventloop: only that).
# Build first (mvn -q package -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/bin
ROUNDS=${ROUNDS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/dmtcp-bench.XXXXXX")
trap '"$bin/dmtcp_command" -q >/dev/null 2>&1 || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
gcc -O2 -o mem "$here/bench/workloads/mem.c"
gcc -O2 -pthread -o threads "$here/bench/workloads/threads.c"
gcc -O2 -pthread -o eventloop "$here/runtime/src/test/resources/e2e/eventloop.c"
now() { date +%s.%N; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
peers() { for i in $(seq 600); do "$bin/dmtcp_command" -s 2>/dev/null | grep -q "NUM_PEERS=$1" && return 0; sleep 0.1; done; echo "timeout waiting for $1 peers" >&2; return 1; }
lines() { if [ -e "$1" ]; then wc -l < "$1"; else echo 0; fi; }

export DMTCP_PORT=$("$bin/dmtcp_coordinator" --daemon -p 0)
printf '%-16s %-6s %9s %10s %9s %9s %9s %9s\n' workload codec ckpt_s image_MB restart_s gzip1_s raw_s ratio
# one cycle: dmtcp_checkpoint ARGS..., wait for output, checkpoint, kill, dmtcp_restart, wait for
# the restored program's next line, kill. Sets ck (the round, s), img, bytes, mb and rs (restart, s).
measure() {
  rm -f ckpt_*.dmtcp out rout
  # stdout through a pipe: a restored program then writes to the restarter's stdout (rout),
  # where its first line marks the end of the restart
  "$bin/dmtcp_checkpoint" "$@" 2>/dev/null | cat > out &
  peers 1
  local n; n=$(lines out); while [ "$(lines out)" -le "$((n + 1))" ]; do sleep 0.05; done
  local s
  # the round's own time, as the coordinator measured it (not dmtcp_command's JVM start)
  # each measurement starts with no dirty page cache left by the previous one (an earlier
  # image or copy still being written back throttles new writes to the disk's speed)
  local i t rounds=()
  for i in $(seq "$ROUNDS"); do
    sync
    t=$("$bin/dmtcp_command" -bc 2>/dev/null | sed -n 's/.*done in \([0-9]*\) ms.*/\1/p' | awk '{printf "%.3f", $1 / 1000}')
    [ -n "$t" ] || { echo "$*: the checkpoint failed" >&2; exit 1; }
    rounds+=("$t")
  done
  ck=$(printf '%s\n' "${rounds[@]}" | median)
  img=$(ls ckpt_*.dmtcp); bytes=$(stat -c %s "$img"); mb=$(( bytes / 1048576 ))
  "$bin/dmtcp_command" -k > /dev/null; wait || true; peers 0
  sync
  s=$(now); "$bin/dmtcp_restart" "$img" > rout 2>/dev/null &
  while [ "$(lines rout)" -lt 1 ]; do sleep 0.01; done; rs=$(secs "$s" "$(now)")
  grep -q CORRUPT rout && { echo "$*: CORRUPT after restart" >&2; exit 1; }
  "$bin/dmtcp_command" -k > /dev/null; wait || true; peers 0
}
run() { # name codec(gzip|none) cmd...
  local name=$1 codec=$2; shift 2
  local opt=(); [ "$codec" = none ] && opt=(--no-gzip)
  measure "${opt[@]}" "$@"
  local g="" r="" ratio=""
  if [ "$codec" = none ]; then
    s=$(now); gzip -1 -c "$img" > /dev/null; g=$(secs "$s" "$(now)")
    sync
    s=$(now); dd if="$img" of=raw.copy bs=4M status=none; r=$(secs "$s" "$(now)"); rm -f raw.copy
    ratio=$(awk -v c="$ck" -v r="$r" 'BEGIN {printf "%.1fx raw", c / r}')
    last_gzip=$g
  else
    ratio=${last_gzip:+$(awk -v c="$ck" -v g="$last_gzip" 'BEGIN {printf "%.2fx gzip-1", c / g}')}
  fi
  printf '%-16s %-6s %9s %10s %9s %9s %9s %9s\n' "$name" "$codec" "$ck" "$mb" "$rs" "$g" "$r" "$ratio"
}
# medians of 5 cycles of the event loop and of its baseline, measured in turns
eventloop() {
  local lc=() lr=() pc=() pr=() i ml mp
  for i in 1 2 3 4 5; do
    ROUNDS=1 measure ./eventloop -; lc+=("$ck"); lr+=("$rs"); ml=$(awk -v b="$bytes" 'BEGIN {printf "%.2f", b / 1048576}')
    ROUNDS=1 measure ./eventloop - plain; pc+=("$ck"); pr+=("$rs"); mp=$(awk -v b="$bytes" 'BEGIN {printf "%.2f", b / 1048576}')
  done
  local c1 r1 c0 r0
  c1=$(printf '%s\n' "${lc[@]}" | median); r1=$(printf '%s\n' "${lr[@]}" | median)
  c0=$(printf '%s\n' "${pc[@]}" | median); r0=$(printf '%s\n' "${pr[@]}" | median)
  printf '%-16s %-6s %9s %10s %9s %9s %9s %9s\n' eventloop gzip "$c1" "$ml" "$r1" "" "" \
    "$(awk -v a="$c1" -v b="$c0" -v c="$r1" -v d="$r0" 'BEGIN {printf "%.2fx/%.2fx plain", a / b, c / d}')"
  printf '%-16s %-6s %9s %10s %9s %9s %9s %9s\n' "eventloop plain" gzip "$c0" "$mp" "$r0" "" "" "(baseline)"
}
last_gzip=""
if [ "${1:-}" = eventloop ]; then
  eventloop
else
  if [ "${1:-}" = quick ]; then set -- 256; else set -- 1024 256; fi
  for mb in "$@"; do
    run "mem $mb 50" none ./mem "$mb" 50
    run "mem $mb 50" gzip ./mem "$mb" 50
  done
  last_gzip=""
  run "threads 8" none ./threads 8
  run "threads 8" gzip ./threads 8
  eventloop
fi
echo "(ckpt_s: the checkpoint round as the coordinator timed it (dmtcp_command -bc), median of $ROUNDS in a row; restart_s: dmtcp_restart to the next output line;"
echo " gzip1_s / raw_s: gzip -1 / dd (page cache, as images are written) on the uncompressed image; ratio: ckpt time over that baseline;"
echo " eventloop: medians of 5, ratio: ckpt/restart over the same program's plain mode (no event fd) measured in turns with it;"
echo " $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
