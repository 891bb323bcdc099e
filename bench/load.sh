#!/usr/bin/env bash
# Interleaved wrk load benchmark: Bastion against a raw-epoll ceiling.
#
# On a small machine absolute req/s drift a lot over an hour, so single numbers
# are meaningless. This script pins the server to one core and wrk to another,
# interleaves the targets round by round (A B C A B C ...), and reports medians,
# ratios to the ceiling, and server CPU time per request. See bench/README.md.
#
# Every run starts its server fresh and stops it afterwards: each measurement
# begins from the same state (no warm caches or heap growth carried over from a
# previous round), only one server exists at a time, and the "idle RSS after
# start" figure is taken per run.

set -euo pipefail
export LC_ALL=C  # decimal points in awk/printf, whatever the caller's locale

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

usage() {
  cat <<'EOF'
Usage: bench/load.sh [options]

Targets (run in this order within each round):
  --raw BIN              add target "ceiling": BIN {port}, GET /
  --bastion BIN          add targets "bastion-health" (GET /health) and
                         "bastion-posts" (GET /posts): BIN serve, configured with
                         APP_ENV=production, SECRET_KEY, SERVER_THREADS
  --bastion-env K=V      extra environment for the Bastion targets (repeatable)
  --server-threads N     SERVER_THREADS for Bastion (default 1)
  --target NAME PATH CMD any other server: CMD must exec it in the foreground,
                         listening on 127.0.0.1:{port} (or $PORT); PATH is the
                         request path, e.g. /health (repeatable)
  --script NAME 'FILE [ARG...]'
                         a wrk Lua script (and its arguments) for target NAME,
                         e.g. bench/login_then_get.lua USER PASSWORD (repeatable)
  With no target options: RAW_SERVER (default build/raw_epoll_server) and
  BASTION_BIN (default build/bastion-platform), whichever exist.

Protocol:
  --rounds N             interleaved rounds (default 5)
  --duration S           measured seconds per run (default 10)
  --warmup S             warm-up seconds before each measured run (default 2; 0 = none)
  --connections N        wrk connections (default 64)
  --threads N            wrk threads (default 1)
  --port P               port every server is started on (default 18080)
  --server-cpu C         CPU the server is pinned to (default 0)
  --wrk-cpu C            CPU wrk is pinned to (default 1)
  --ceiling NAME         target the ratios are relative to (default "ceiling",
                         else the first target)
  --out FILE             CSV of raw runs (default bench/results/latest.csv); next
                         to it: *.summary.txt, wrk's output (*.wrk.txt) and each
                         server's stderr (*.<target>.log)

Only 127.0.0.1 is ever loaded: the URL is built here, and each server must be
listening on loopback only, or the run is refused.
EOF
}

die() { echo "load.sh: $*" >&2; exit 1; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
check_range() {  # name value min max
  if ! is_uint "$2" || ((10#$2 < $3 || 10#$2 > $4)); then
    die "$1 must be an integer in [$3, $4], got '$2'"
  fi
}

# ---------------------------------------------------------------- arguments

rounds=5 duration=10 warmup=2 connections=64 threads=1 port=18080
server_cpu=0 wrk_cpu=1 server_threads=1 ceiling=""
out="$root/bench/results/latest.csv"
raw_bin="" bastion_bin=""
bastion_env=()
custom_names=() custom_paths=() custom_cmds=()
declare -A scripts=()

while (($#)); do
  case $1 in
    --rounds) rounds=${2-}; shift 2 ;;
    --duration) duration=${2-}; shift 2 ;;
    --warmup) warmup=${2-}; shift 2 ;;
    --connections) connections=${2-}; shift 2 ;;
    --threads) threads=${2-}; shift 2 ;;
    --port) port=${2-}; shift 2 ;;
    --server-cpu) server_cpu=${2-}; shift 2 ;;
    --wrk-cpu) wrk_cpu=${2-}; shift 2 ;;
    --server-threads) server_threads=${2-}; shift 2 ;;
    --ceiling) ceiling=${2-}; shift 2 ;;
    --out) out=${2-}; shift 2 ;;
    --raw) raw_bin=${2-}; shift 2 ;;
    --bastion) bastion_bin=${2-}; shift 2 ;;
    --bastion-env) bastion_env+=("${2-}"); shift 2 ;;
    --target)
      (($# >= 4)) || die "--target needs NAME PATH CMD"
      custom_names+=("$2") custom_paths+=("$3") custom_cmds+=("$4")
      shift 4 ;;
    --script)
      (($# >= 3)) || die "--script needs NAME 'FILE [ARG...]'"
      scripts[$2]=$3
      shift 3 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done

# Small, bounded defaults; the upper limits only catch typos that would tie
# up the machine for hours.
check_range --rounds "$rounds" 1 50
check_range --duration "$duration" 1 300
check_range --warmup "$warmup" 0 60
check_range --connections "$connections" 1 10000
check_range --threads "$threads" 1 64
check_range --port "$port" 1024 65535
check_range --server-threads "$server_threads" 1 256
ncpu=$(nproc)
check_range --server-cpu "$server_cpu" 0 $((ncpu - 1))
check_range --wrk-cpu "$wrk_cpu" 0 $((ncpu - 1))
((server_cpu != wrk_cpu)) || echo "load.sh: warning: server and wrk share CPU $server_cpu" >&2
for kv in "${bastion_env[@]}"; do
  [[ $kv =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--bastion-env expects KEY=VALUE, got '$kv'"
done

for tool in wrk taskset curl awk; do
  command -v "$tool" >/dev/null || die "'$tool' not found (wrk: apt-get install -y wrk)"
done

# ------------------------------------------------------------------ targets

names=() paths=() cmds=()
add_target() {  # name path cmd
  [[ $1 =~ ^[A-Za-z0-9._-]+$ ]] || die "target name '$1': use letters, digits, . _ -"
  local path=$2
  # A full URL is accepted only if it is the loopback address and port this
  # script starts servers on; anything else is refused outright.
  if [[ $path == *://* ]]; then
    [[ $path == "http://127.0.0.1:$port/"* ]] ||
      die "refusing target '$1' ($path): only http://127.0.0.1:$port/ is ever loaded"
    path=${path#"http://127.0.0.1:$port"}
  fi
  [[ $path =~ ^/[^[:space:]]*$ ]] || die "target '$1': path must start with / ('$path')"
  local n
  for n in "${names[@]}"; do [[ $n != "$1" ]] || die "duplicate target name '$1'"; done
  names+=("$1") paths+=("$path") cmds+=("$3")
}

if [[ -z $raw_bin && -z $bastion_bin && ${#custom_names[@]} -eq 0 ]]; then
  default_raw=${RAW_SERVER:-$root/build/raw_epoll_server}
  default_bastion=${BASTION_BIN:-$root/build/bastion-platform}
  [[ -x $default_raw ]] && raw_bin=$default_raw
  [[ -x $default_bastion ]] && bastion_bin=$default_bastion
  [[ -n $raw_bin || -n $bastion_bin ]] ||
    die "no targets: build first, or pass --raw / --bastion / --target (see --help)"
fi

if [[ -n $raw_bin ]]; then
  [[ -x $raw_bin ]] || die "--raw: '$raw_bin' is not executable"
  add_target ceiling / "$(printf '%q' "$raw_bin") {port}"
fi
if [[ -n $bastion_bin ]]; then
  [[ -x $bastion_bin ]] || die "--bastion: '$bastion_bin' is not executable"
  # Production mode wants a secret of at least 32 bytes; a throwaway one will do.
  secret=${SECRET_KEY:-}
  ((${#secret} >= 32)) || secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  bcmd="env APP_ENV=production SECRET_KEY=$secret SERVER_THREADS=$server_threads"
  for kv in "${bastion_env[@]}"; do bcmd+=" $(printf '%q' "$kv")"; done
  bcmd+=" $(printf '%q' "$bastion_bin") serve"
  add_target bastion-health /health "$bcmd"
  add_target bastion-posts /posts "$bcmd"
fi
for i in "${!custom_names[@]}"; do
  add_target "${custom_names[$i]}" "${custom_paths[$i]}" "${custom_cmds[$i]}"
done

if [[ -z $ceiling ]]; then
  ceiling=${names[0]}
  for n in "${names[@]}"; do if [[ $n == ceiling ]]; then ceiling=ceiling; fi; done
fi
known=0
for n in "${names[@]}"; do if [[ $n == "$ceiling" ]]; then known=1; fi; done
((known)) || die "--ceiling '$ceiling' is not a target"
for n in "${!scripts[@]}"; do
  known=0
  for t in "${names[@]}"; do if [[ $t == "$n" ]]; then known=1; fi; done
  ((known)) || die "--script '$n' is not a target"
  read -r -a words <<<"${scripts[$n]}"
  [[ -f ${words[0]:-} ]] || die "--script '$n': no such file '${words[0]:-}'"
done

# ------------------------------------------------------------------- output

[[ $out == *.csv ]] || die "--out must end in .csv"
mkdir -p "$(dirname "$out")"
base=${out%.csv}
summary="$base.summary.txt"
wrk_log="$base.wrk.txt"   # wrk's own output of every measured run
tmp=$(mktemp -d)
clk_tck=$(getconf CLK_TCK)

server_pid=""
cleanup() {
  [[ -z $server_pid ]] || { kill -KILL -- "-$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ /proc helpers

# Alive and not a zombie: kill -0 succeeds on an unreaped child that has exited.
alive() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  [[ ${s:0:1} != Z ]]
}

# utime + stime of the whole process (all threads), in clock ticks. The command
# name in field 2 may contain spaces, so split after its closing parenthesis.
cpu_ticks() {
  local s f
  s=$(<"/proc/$1/stat")
  s=${s##*) }
  read -ra f <<<"$s"
  echo $((f[11] + f[12]))   # fields 14 and 15 of proc(5)
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# "address inode" of every TCP listener on the port, IPv4 and IPv6.
listeners() {
  awk -v p="$(printf '%04X' "$1")" \
    '$4 == "0A" { split($2, a, ":"); if (a[2] == p) print a[1], $10 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# The server must own the listening socket (so we measure the process we
# think we are measuring) and listen on loopback only.
check_listener() {  # pid port
  local found=0 addr inode fd link
  while read -r addr inode; do
    case $addr in
      ??????7F | 00000000000000000000000001000000 | 0000000000000000FFFF0000??????7F) ;;
      *) die "server listens on a non-loopback address ($addr) on port $2; refusing to load it" ;;
    esac
    for fd in /proc/"$1"/fd/*; do
      link=$(readlink "$fd" 2>/dev/null) || continue
      if [[ $link == "socket:[$inode]" ]]; then found=1; fi
    done
  done < <(listeners "$2")
  ((found)) || die "port $2 is not served by the started process (pid $1); does the command exec the server?"
}

# Sets children_cpu_s to the CPU time (s) this shell's waited-for children have
# used so far: wrk's cost is the difference across its run. Must not be called
# in a $( ) subshell, where the children's times start again at zero.
children_cpu() {
  times >"$tmp/times"
  children_cpu_s=$(awk 'NR == 2 {
         t = 0
         for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
         printf "%.3f\n", t
       }' "$tmp/times")
}

# Non-idle ticks of one CPU so far. Compared with the server's own CPU time it
# shows how much else (other processes, interrupts) ran on the server's core.
core_busy_ticks() {
  awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# ------------------------------------------------------------- one run

start_server() {  # name cmd log
  if [[ -n $(listeners "$port") ]]; then die "port $port is already in use; pick another with --port"; fi
  echo "=== $(date -u +%FT%TZ) $1" >>"$3"
  local cmd=${2//\{port\}/$port}
  # setsid, taskset, env and bash all exec, so $! ends up being the server
  # itself; setsid makes it a process group we can stop as a whole, even if
  # the command forked. stdout (the access log) is discarded.
  PORT=$port HOST=127.0.0.1 setsid taskset -c "$server_cpu" bash -c "exec $cmd" >/dev/null 2>>"$3" &
  server_pid=$!
}

wait_ready() {  # url log
  local deadline=$((SECONDS + 30)) code
  while ((SECONDS < deadline)); do
    alive "$server_pid" || { tail -n 20 "$2" >&2; die "server exited during start-up (log: $2)"; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true)
    [[ $code == 200 ]] && return 0
    [[ $code == 000 ]] || die "$1 answered $code, not 200; refusing to benchmark an error page"
    sleep 0.1
  done
  die "server not ready after 30 s (log: $2)"
}

stop_server() {
  kill -TERM -- "-$server_pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do alive "$server_pid" || break; sleep 0.1; done
  if alive "$server_pid"; then
    echo "load.sh: warning: server ignored SIGTERM for 10 s; killing it" >&2
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run_wrk() {  # seconds url outfile [script and its arguments, one word each]
  # The single place load is generated: loopback only, whatever got us here.
  [[ $2 == "http://127.0.0.1:$port/"* ]] || die "refusing to load $2"
  local script=()
  (($# < 4)) || script=(-s "$4" "$2" -- "${@:5}")
  ((${#script[@]})) || script=("$2")
  taskset -c "$wrk_cpu" wrk -t"$threads" -c"$connections" -d"$1"s --latency "${script[@]}" >"$3" 2>&1 ||
    { cat "$3" >&2; die "wrk failed against $2"; }
}

# Prints "rps requests duration_s p50_us p99_us socket_errors non_2xx".
parse_wrk() {
  awk '
    function us(v,   n, u) {
      n = v + 0; u = v; sub(/^[0-9.]+/, "", u); sub(/,$/, "", u)
      if (u == "us") return n
      if (u == "ms") return n * 1e3
      if (u == "s")  return n * 1e6
      if (u == "m")  return n * 6e7
      if (u == "h")  return n * 3.6e9
      return -1
    }
    $1 == "50%"           { p50 = us($2) }
    $1 == "99%"           { p99 = us($2) }
    / requests in /       { req = $1; dur = us($4) / 1e6 }
    /^Requests\/sec:/     { rps = $2 }
    /^ *Socket errors:/   { for (i = 3; i <= NF; i++) { x = $i; sub(/,$/, "", x); if (x ~ /^[0-9]+$/) serr += x } }
    /^ *Non-2xx or 3xx/   { non2xx = $NF }
    END {
      if (rps == "" || req == "" || p50 == "" || p99 == "" || p50 < 0 || p99 < 0) exit 1
      printf "%s %d %.2f %.1f %.1f %d %d\n", rps, req, dur, p50, p99, serr, non2xx
    }' "$1"
}

csv_header="round,target,url,rps,requests,wrk_duration_s,p50_us,p99_us,server_cpu_s,server_cpu_pct,server_core_busy_pct,cpu_us_per_req,wrk_cpu_pct,rss_start_kb,rss_end_kb,socket_errors,non_2xx,started_at"

run_one() {  # round index
  local round=$1 i=$2
  local name=${names[$i]} url="http://127.0.0.1:$port${paths[$i]}" log="$base.${names[$i]}.log"
  local started_at rss_start rss_end cpu0 cpu1 core0 core1 wcpu0 wcpu1 t0 t1 parsed
  started_at=$(date -u +%FT%TZ)

  start_server "$name" "${cmds[$i]}" "$log"
  wait_ready "$url" "$log"
  check_listener "$server_pid" "$port"
  # "Idle" here means: started and answered its first request.
  rss_start=$(rss_kb "$server_pid")

  local script=()
  [[ -z ${scripts[$name]:-} ]] || read -r -a script <<<"${scripts[$name]}"
  ((warmup == 0)) || run_wrk "$warmup" "$url" "$tmp/warmup.out" "${script[@]}"

  children_cpu; wcpu0=$children_cpu_s
  core0=$(core_busy_ticks "$server_cpu"); cpu0=$(cpu_ticks "$server_pid"); t0=$EPOCHREALTIME
  run_wrk "$duration" "$url" "$tmp/wrk.out" "${script[@]}"
  t1=$EPOCHREALTIME; cpu1=$(cpu_ticks "$server_pid"); core1=$(core_busy_ticks "$server_cpu")
  children_cpu; wcpu1=$children_cpu_s
  alive "$server_pid" || die "$name died during the measured run (log: $log)"
  rss_end=$(rss_kb "$server_pid")
  stop_server

  parsed=$(parse_wrk "$tmp/wrk.out") || { cat "$tmp/wrk.out" >&2; die "could not parse wrk output"; }
  { echo "=== round $round $name $started_at"; cat "$tmp/wrk.out"; } >>"$wrk_log"

  local row
  row=$(awk -v r="$round" -v n="$name" -v u="$url" -v p="$parsed" -v c0="$cpu0" -v c1="$cpu1" -v k0="$core0" -v k1="$core1" \
            -v hz="$clk_tck" -v w0="$wcpu0" -v w1="$wcpu1" -v t0="$t0" -v t1="$t1" \
            -v rs="$rss_start" -v re="$rss_end" -v at="$started_at" 'BEGIN {
      split(p, f, " ")   # rps requests duration p50 p99 serr non2xx
      wall = t1 - t0
      cpu = (c1 - c0) / hz
      printf "%d,%s,%s,%.2f,%d,%.2f,%.1f,%.1f,%.2f,%.1f,%.1f,%.3f,%.1f,%d,%d,%d,%d,%s\n",
        r, n, u, f[1], f[2], f[3], f[4], f[5], cpu, 100 * cpu / wall, 100 * (k1 - k0) / hz / wall,
        (f[2] > 0 ? cpu * 1e6 / f[2] : 0), 100 * (w1 - w0) / wall, rs, re, f[6], f[7], at
    }')
  echo "$row" >>"$out"
  awk -F, '{ printf "  %-16s %8.0f req/s  p50 %6.0f µs  p99 %6.0f µs  %6.2f CPU µs/req  CPU%%: server %3.0f, core %3.0f, wrk %3.0f  RSS %d→%d kB%s\n",
             $2, $4, $7, $8, $12, $10, $11, $13, $14, $15, ($16 + $17 > 0 ? "  ERRORS " $16 "+" $17 : "") }' <<<"$row"
}

# --------------------------------------------------------------------- main

per_run=$((warmup + duration + 2))
echo "targets: ${names[*]} (ceiling: $ceiling)"
echo "protocol: $rounds rounds × ${#names[@]} targets, ${warmup}s warm-up + ${duration}s measured," \
     "wrk -t$threads -c$connections on CPU $wrk_cpu, server on CPU $server_cpu, port $port"
echo "expected time: ~$((rounds * ${#names[@]} * per_run)) s"

echo "$csv_header" >"$out"
: >"$wrk_log"
for n in "${names[@]}"; do : >"$base.$n.log"; done
for ((round = 1; round <= rounds; round++)); do
  echo "round $round/$rounds"
  for i in "${!names[@]}"; do run_one "$round" "$i"; done
done

{
  echo "# $(date -u +%FT%TZ)  $(uname -sr)  $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "# commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown);" \
       "$rounds rounds, ${warmup}s+${duration}s, wrk -t$threads -c$connections, CPUs server=$server_cpu wrk=$wrk_cpu"
  if command -v python3 >/dev/null; then
    python3 "$here/summarize.py" --ceiling "$ceiling" "$out"
  else
    echo "python3 not found: raw runs are in $out"
  fi
} | tee "$summary"
echo "raw runs: $out   summary: $summary   wrk output: $wrk_log"
