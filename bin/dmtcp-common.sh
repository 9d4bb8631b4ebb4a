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
# The JVM's options for TOOL, in _jvm
_jvm_opts() {
  local tool=$1
  # C1 only: the hot work is native (deflate, CRC, ptrace, pread/pwrite); C2's compiler threads
  # would compete with a restore for the cores while the runtime starts (restart 1 GB: -0.5 s)
  _jvm=(-XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto "${_cds[@]}" "-Ddmtcp.home=$DMTCP_HOME")
  # dmtcp_command sends one line and prints one answer: compiling anything costs more CPU than
  # interpreting it (0.10 s CPU against 0.12-0.17 s with C1)
  if [ "$tool" = command ]; then _jvm+=(-Xss512k -Xint); else _jvm+=(-XX:TieredStopAtLevel=1); fi
  # a small initial heap, grown as a checkpoint or restart needs it: an idle launcher holds
  # 68 MB resident instead of 98 (the default starts at 1/64 of the RAM: 384 MB here)
  if [ "$tool" != command ]; then _jvm+=(-Xms8m); fi
}
dmtcp_run() {
  local tool=$1; shift
  _jvm_opts "$tool"
  exec "$_java" "${_jvm[@]}" ${DMTCP_JAVA_OPTS:-} -jar "$_jar" "$tool" "$@"
}

# --- The agent (doc/architecture.md, "The agent") ---------------------------------------
# dmtcp_checkpoint asks this user's agent, a warm JVM in the private folder, to take the
# program into the computation, then execs the program itself: the user's shell stays its
# parent. Opt-in for now (DMTCP_AGENT=1). Returns (to the JVM launcher) whenever the agent cannot be used: no DMTCP_AGENT=1,
# options this script does not read, a Yama ptrace_scope other than 0 (the agent would not
# be allowed to trace a process it is no ancestor of), another agent's settings, no agent
# answering.

# The private folder as PrivateDir chooses it, in _adir; fails unless it is a real
# directory of ours, mode 0700, holding the agent's FIFO (the JVM checks the rest)
_agent_dir() {
  local d m
  if [ -n "${DMTCP_TMPDIR:-}" ]; then
    d=$DMTCP_TMPDIR/dmtcp-$(id -un)
  elif [[ ${XDG_RUNTIME_DIR:-} = /* ]] && [ -d "$XDG_RUNTIME_DIR" ] && [ -O "$XDG_RUNTIME_DIR" ] \
      && [ "$(stat -c %a "$XDG_RUNTIME_DIR")" = 700 ]; then
    d=$XDG_RUNTIME_DIR/dmtcp
  elif [[ ${XDG_CACHE_HOME:-} = /* ]]; then
    d=$XDG_CACHE_HOME/dmtcp
  else
    d=$(getent passwd "$EUID" | cut -d: -f6)/.cache/dmtcp
  fi
  [ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] || return 1
  m=$(stat -c %a "$d") && [ "$m" = 700 ] || return 1
  _adir=$d
}

# Whether agent.pid names a live agent with our settings
_agent_alive() {
  local pid start sig st
  read -r pid start sig 2>/dev/null < "$_adir/agent.pid" || return 1
  [ "$sig" = "$_asig" ] || return 2
  read -r -a st 2>/dev/null < "/proc/$pid/stat" || return 1
  [ "${st[21]:-}" = "$start" ]
}

# Closes every fd above 2 of this shell: the program gets fds 0-2, as from the JVM launcher
_close_fds() {
  local f
  for f in /proc/$BASHPID/fd/*; do f=${f##*/}; [ "$f" -gt 2 ] 2>/dev/null && exec {f}>&-; done
  return 0
}

# Stops the agent of agent.pid if it serves no program (agent-programs/ is empty); fails otherwise
_agent_idle_other() {
  local pid e i
  for e in "$_adir"/agent-programs/*; do [ -e "$e" ] && return 1; done
  read -r pid _ 2>/dev/null < "$_adir/agent.pid" || return 1
  kill "$pid" 2>/dev/null
  for ((i = 0; i < 300; i++)); do [ -e "/proc/$pid" ] || return 0; sleep 0.01; done
  return 1
}

# Starts an agent and waits (5 s at most) for its pid file
_agent_start() {
  local i
  [ -p "$_adir/agent.fifo" ] || mkfifo -m 600 "$_adir/agent.fifo" 2>/dev/null || [ -p "$_adir/agent.fifo" ] || return 1
  _jvm_opts agent
  # in a session of its own but not its leader (so that opening a program's terminal to
  # print its messages never makes it the agent's controlling terminal), an orphan at once
  # (never a child of the program this script becomes), holding none of the fds this script
  # was given (a pipe's reader would wait for it)
  (
    _close_fds
    setsid /bin/sh -c '"$@" &' sh "$_java" "${_jvm[@]}" ${DMTCP_JAVA_OPTS:-} -jar "$_jar" agent --signature "$_asig" \
      </dev/null >>"$_adir/agent.log" 2>&1 &
  )
  for ((i = 0; i < 500; i++)); do
    _agent_alive && return 0
    sleep 0.01
  done
  return 1
}

# _adir and _asig, the agent's settings: what its JVM took from its environment when it
# started (another value, another JVM); fails when the agent cannot serve here
_agent_prepare() {
  [ "${DMTCP_AGENT:-0}" = 1 ] || return 1
  local scope
  if read -r scope 2>/dev/null < /proc/sys/kernel/yama/ptrace_scope && [ "$scope" != 0 ]; then return 1; fi
  _agent_dir || return 1
  # the jar's modification time too: an agent of an installation since rebuilt or upgraded is not used
  local built
  built=$(stat -L -c %Y "$_jar" 2>/dev/null) || built=0
  _asig="1|$_jar|$built|$_java|${_cds[*]}|${DMTCP_JAVA_OPTS:-}|${DMTCP_KEY_FILE:-}|${XDG_CONFIG_HOME:-}|${DMTCP_PLUGIN_DIR:-}"
  _asig+="|${DMTCP_LOG_LEVEL:-}|${DMTCP_FSYNC:-}|${DMTCP_AGENT_IDLE:-}"
  _asig=${_asig// /_}
}

# dmtcp_command: the programs of an agent that was killed are taken over first (a new agent
# announces them before it says it serves), so the command finds them in the computation
dmtcp_agent_revive() {
  _agent_prepare 2>/dev/null || return 0
  local e
  for e in "$_adir"/agent-programs/*; do
    [ -e "$e" ] || return 0
    _agent_alive && return 0
    [ $? = 2 ] && return 0
    echo "$(basename "$0"): the agent of $_adir is gone; starting one to take its programs over" >&2
    _agent_start || echo "$(basename "$0"): warning: no agent started (see $_adir/agent.log)" >&2
    return 0
  done
}

# The options dmtcp_checkpoint and dmtcp_restart share, read into _o_* (defaults from the
# DMTCP_* variables); the words left in _o_rest. Fails on anything else (--help,
# --new-coordinator, --tmpdir, --allow-foreign-images, a bad number...): the JVM's to read.
_agent_options() {
  _o_host=${DMTCP_HOST:-localhost} _o_port=${DMTCP_PORT:-7779} _o_join=0
  _o_interval=${DMTCP_CHECKPOINT_INTERVAL:-0} _o_ckpt=${DMTCP_CHECKPOINT_DIR:-.} _o_gzip=1
  [ "${DMTCP_GZIP:-1}" = 0 ] && _o_gzip=0
  while [ $# -gt 0 ]; do
    case $1 in
      -h|--host|--coord-host) [ $# -ge 2 ] || return 1; _o_host=$2; shift 2 ;;
      --host=*|--coord-host=*) _o_host=${1#*=}; shift ;;
      -p|--port|--coord-port) [ $# -ge 2 ] || return 1; _o_port=$2; shift 2 ;;
      --port=*|--coord-port=*) _o_port=${1#*=}; shift ;;
      -j|--join|--join-coordinator) _o_join=1; shift ;;
      -i|--interval) [ $# -ge 2 ] || return 1; _o_interval=$2; shift 2 ;;
      --interval=*) _o_interval=${1#*=}; shift ;;
      -c|--ckptdir|--checkpoint-dir) [ $# -ge 2 ] || return 1; _o_ckpt=$2; shift 2 ;;
      --ckptdir=*|--checkpoint-dir=*) _o_ckpt=${1#*=}; shift ;;
      --no-gzip) _o_gzip=0; shift ;;
      --gzip) _o_gzip=1; shift ;;
      -*) return 1 ;;
      *) break ;;
    esac
  done
  [[ $_o_port =~ ^[0-9]{1,5}$ ]] && [ "$_o_port" -le 65535 ] && [[ $_o_interval =~ ^[0-9]{1,9}$ ]] && [ -n "$_o_host" ] || return 1
  [[ $_o_ckpt = /* ]] || _o_ckpt=$PWD/$_o_ckpt
  _o_rest=("$@")
}

# _agent_request KIND WORDS...: sends the request (the options read, then WORDS) and reads
# the answer: on ok execs WORDS (a program), on stub EXE execs EXE (a restore's stub);
# fail: prints it and exits; returns when the agent cannot serve it
_agent_request() {
  local kind=$1; shift
  _agent_prepare || return 0
  local reply=$_adir/reply-$$ word rest try alive quiet
  rm -f "$reply"
  mkfifo -m 600 "$reply" 2>/dev/null || return 0
  exec {_await}<>"$reply"
  printf '%s\0' 1 "$_o_host" "$_o_port" "$_o_join" "$_o_interval" "$_o_ckpt" "$_o_gzip" "$@" > "$_adir/req-$$" || return 0
  for ((try = 0; try < 2; try++)); do
    _agent_alive; alive=$?
    if [ $alive = 2 ]; then
      # an agent of other settings (another build, other DMTCP_* values): replaced when it
      # serves no program, else the JVM's way while it lives
      _agent_idle_other || break
      alive=1
    fi
    if [ $alive != 0 ]; then _agent_start || break; fi
    printf '%s %d\n' "$kind" $$ 1<>"$_adir/agent.fifo" || break
    # the answer: said lines, then ok, stub, fail or busy; an agent that dies meanwhile is
    # started again; the request is sent again every few seconds of silence (served once)
    quiet=0
    while :; do
      if ! read -r -t 1 -u "$_await" word rest; then
        _agent_alive || continue 2
        if (( ++quiet % 3 == 0 )); then printf '%s %d\n' "$kind" $$ 1<>"$_adir/agent.fifo"; fi
        continue
      fi
      quiet=0
      case $word in
        say) printf '%s\n' "$rest" >&2 ;;
        busy) break 2 ;; # it cannot serve this one: the JVM does
        ok) rm -f "$reply"; _close_fds; exec -- "$@" ;;
        # seized by the agent while it waited: this exec is the restore's stub
        stub) rm -f "$reply"; _close_fds; exec -- "$rest" ;;
        fail) exec {_await}<&-; rm -f "$reply"; printf '%s\n' "${rest#* }" >&2; exit "${rest%% *}" ;;
      esac
    done
  done
  exec {_await}<&-
  rm -f "$reply" "$_adir/req-$$"
}

# dmtcp_checkpoint [options] PROG ARGS: execs PROG once the agent has it; returns otherwise
dmtcp_agent_launch() {
  _agent_options "$@" || return 0
  set -- "${_o_rest[@]}"
  [ $# -ge 1 ] || return 0
  # a program that would not exec: the JVM says why, as it always did
  if [[ $1 = */* ]]; then [ -f "$1" ] && [ -x "$1" ] || return 0; else type -P -- "$1" >/dev/null || return 0; fi
  _agent_request launch "$@"
}

# dmtcp_restart [options] IMAGE: one image, restored into this very process by the agent
# (it becomes the restored program); returns otherwise (several images: the JVM restarter)
dmtcp_agent_restart() {
  _agent_options "$@" || return 0
  set -- "${_o_rest[@]}"
  [ $# = 1 ] && [ -f "$1" ] || return 0
  local image=$1
  [[ $image = /* ]] || image=$PWD/$image
  _agent_request restart "$image"
}
