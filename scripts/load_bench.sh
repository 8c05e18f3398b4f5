#!/usr/bin/env bash
# The load benchmark (docs/benchmarks.md, "Load benchmark"): in ONE run, starts otterd
# (storage.durability full, then normal: the fsync's share), the ShareDB reference
# (bench/sharedb, in memory) and the bare relay (otter_relay) in turn, drives each with
# `otter bench` — idle (10 000 sessions), hot at 10 and 50 clients, hot at 10 clients paced
# to half the measured maximum, docs, trace, each on a server process of its own — and writes
#   bench/results/load_bench.json   every run's JSON, by server and workload
#   bench/results/load_bench.md     the table with the ratios otterd/ShareDB, otterd/relay
#   bench/results/load_machine.txt  where the numbers came from
#
#   scripts/load_bench.sh                 everything (about 8-12 minutes on 2 cores)
#   OTTER_LOAD_SECONDS=3 scripts/load_bench.sh    a quicker pass
#   OTTER_LOAD_SERVERS="otterd relay" scripts/load_bench.sh   skip ShareDB
#
# Environment: OTTER_BUILD_DIR (default build/release, configured with the release
# preset), OTTER_LOAD_SECONDS (per workload, default 10), OTTER_IDLE_SESSIONS (10000),
# OTTER_JOBS (build parallelism). Needs node and npm for ShareDB.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${OTTER_BUILD_DIR:-build/release}"
seconds="${OTTER_LOAD_SECONDS:-10}"
idle_sessions="${OTTER_IDLE_SESSIONS:-10000}"
servers="${OTTER_LOAD_SERVERS:-otterd otterd-normal sharedb relay}"
results="$root/bench/results"
mkdir -p "$results"

# 10 000 idle sessions are 10 000 sockets in the server and 10 000 in the generator.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((idle_sessions + 1000)) ]; then
  echo "load_bench.sh: ulimit -n is $(ulimit -n); $idle_sessions idle sessions need more" >&2
  exit 1
fi

log() { echo "load_bench.sh: $*" >&2; }

# ---- build (release) and the ShareDB server's npm packages
if [ "$build" = "build/release" ]; then
  cmake --preset release >/dev/null
else
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j "${OTTER_JOBS:-$(nproc)}" --target otterd otter otter_relay
otterd_bin="$build/otterd/otterd"
otter_bin="$build/cli/otter"
# The build's dirty pages reach the disk up to 30 s later (vm.dirty_expire_centisecs), and
# while they do every fdatasync of otterd's commits waits for them too: 3-4 ms instead of
# 0.3-0.5. Flush them now, not in the middle of a measurement.
sync
relay_bin="$build/bench/relay/otter_relay"
if [[ " $servers " == *" sharedb "* ]]; then
  # npm ci only when the lockfile changed since the last install.
  if [ ! -f bench/sharedb/node_modules/.package-lock.json ] ||
     [ bench/sharedb/package-lock.json -nt bench/sharedb/node_modules/.package-lock.json ]; then
    (cd bench/sharedb && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

work="$(mktemp -d)"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "compiler: $(c++ --version | head -1)"
  echo "node: $(node --version 2>/dev/null || echo none)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/load_machine.txt"

# Starts server $1 in the background; sets server_pid and port.
start_server() {
  local name="$1" port_file="$work/$1.port"
  rm -f "$port_file"
  case "$name" in
    otterd | otterd-normal)
      # Real storage (SQLite; durability full, or normal: no fsync per commit); no
      # per-session rate limit, or the benchmark would measure the limiter.
      local durability=full
      [ "$name" = otterd-normal ] && durability=normal
      printf 'sessions:\n  ops_per_second: 0\nstorage:\n  durability: %s\n' "$durability" >"$work/otter.yaml"
      rm -rf "$work/data"
      "$otterd_bin" --config "$work/otter.yaml" --listen 127.0.0.1:0 --port-file "$port_file" \
        --data-dir "$work/data" --log-level warn >"$work/otterd.log" 2>&1 &
      ;;
    sharedb)
      node bench/sharedb/server.js --port 0 --port-file "$port_file" >"$work/sharedb.log" 2>&1 &
      ;;
    relay)
      "$relay_bin" --listen 127.0.0.1:0 --port-file "$port_file" >"$work/relay.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  for _ in $(seq 300); do
    if [ -s "$port_file" ]; then port="$(tr -d '[:space:]' <"$port_file")"; return 0; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not start:"; cat "$work/$name.log" >&2 || true
  exit 1
}

protocol_of() { case "$1" in otterd*) echo otter ;; *) echo "$1" ;; esac; }

# run_workload SERVER LABEL ARGS...: one `otter bench` run, its JSON in $work/SERVER.LABEL.json
run_workload() {
  local name="$1" label="$2"
  shift 2
  log "$name: $label ($*)"
  if ! "$otter_bin" --server "http://127.0.0.1:$port" --timeout 120 bench --protocol "$(protocol_of "$name")" \
      --server-pid "$server_pid" --json "$@" >"$work/$name.$label.json" 2>"$work/$name.$label.err"; then
    log "$name: $label reported a failure: $(cat "$work/$name.$label.err") $(head -c 400 "$work/$name.$label.json")"
  fi
  [ -s "$work/$name.$label.json" ] || echo '{"failed": true}' >"$work/$name.$label.json"
}

# fresh_run SERVER LABEL ARGS...: run_workload on a server process of its own, so no
# workload inherits what the ones before it left behind (documents, ops, a grown heap).
fresh_run() {
  start_server "$1"
  log "$1: pid $server_pid, port $port"
  run_workload "$@"
  stop_server
}

# Workload by workload, every server in turn: this VM's speed drifts by up to 1.8x within
# an hour (otterd's hot 50 went from 8 600 to 15 600 ops/s), so the figures a ratio compares
# are taken a minute apart, not ten.
each_server() {
  local name
  for name in $servers; do fresh_run "$name" "$@"; done
}
each_server idle --workload idle --clients "$idle_sessions" --docs 100 --seconds 3
each_server hot10 --workload hot --clients 10 --seconds "$seconds"
for name in $servers; do
  # p99 submit->ack at half the maximum throughput this server just reached.
  rate="$(jq -r '(.ops_per_second // 0) / 2 / 10' "$work/$name.hot10.json")"
  fresh_run "$name" hot10_half --workload hot --clients 10 --seconds "$seconds" --rate "$rate"
done
each_server hot50 --workload hot --clients 50 --seconds "$seconds"
each_server docs --workload docs --docs 10 --clients 5 --seconds "$seconds"
each_server trace --workload trace --seconds $((seconds * 6))

python3 - "$work" "$results" "$servers" <<'PY'
import json, os, sys
work, results, servers = sys.argv[1], sys.argv[2], sys.argv[3].split()
labels = ["idle", "hot10", "hot10_half", "hot50", "docs", "trace"]
runs = {s: {l: json.load(open(os.path.join(work, f"{s}.{l}.json"))) for l in labels} for s in servers}
machine = open(os.path.join(results, "load_machine.txt")).read()
json.dump({"machine": machine, "runs": runs}, open(os.path.join(results, "load_bench.json"), "w"), indent=1)

def get(server, label, *path):
    value = runs.get(server, {}).get(label, {})
    for key in path:
        if isinstance(value, list):
            value = value[key] if key < len(value) else None
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value

def trace_ops(server, name):
    for trace in get(server, "trace", "traces") or []:
        if trace["name"] == name:
            return trace["ops_per_second"]
    return None

rows = [
    ("hot, 10 clients: ops/s", lambda s: get(s, "hot10", "ops_per_second"), "higher"),
    ("hot, 10 clients: ops per server-CPU-second", lambda s: get(s, "hot10", "server_process", "ops_per_cpu_second"), "higher"),
    ("hot, 10 clients: submit->ack p50 / p99 (ms)", lambda s: pair(get(s, "hot10", "ack_latency")), None),
    ("hot, 10 clients at half that rate: ops/s", lambda s: get(s, "hot10_half", "ops_per_second"), "higher"),
    ("hot, 10 clients at half rate: submit->ack p99 (ms)", lambda s: ms(get(s, "hot10_half", "ack_latency", "p99_us")), "lower"),
    ("hot, 10 clients at half rate: submit->seen p99 (ms)", lambda s: ms(get(s, "hot10_half", "seen_latency", "p99_us")), "lower"),
    ("hot, 50 clients: ops/s", lambda s: get(s, "hot50", "ops_per_second"), "higher"),
    ("hot, 50 clients: ops per server-CPU-second", lambda s: get(s, "hot50", "server_process", "ops_per_cpu_second"), "higher"),
    ("hot, 50 clients: submit->ack p99 (ms)", lambda s: ms(get(s, "hot50", "ack_latency", "p99_us")), "lower"),
    ("hot, 50 clients: submit->seen p99 (ms)", lambda s: ms(get(s, "hot50", "seen_latency", "p99_us")), "lower"),
    # The generator shares the 2 cores: what it spends per op is taken from the server.
    ("hot, 50 clients: load generator CPU per op (us)", lambda s: per_op_us(s, "hot50"), None),
    ("docs, 10 x 5 clients: ops/s", lambda s: get(s, "docs", "ops_per_second"), "higher"),
    ("docs: ops per server-CPU-second", lambda s: get(s, "docs", "server_process", "ops_per_cpu_second"), "higher"),
    ("trace automerge-paper: ops/s", lambda s: trace_ops(s, "automerge-paper"), "higher"),
    ("trace seph-blog1: ops/s", lambda s: trace_ops(s, "seph-blog1"), "higher"),
    ("trace: ops per server-CPU-second", lambda s: get(s, "trace", "server_process", "ops_per_cpu_second"), "higher"),
    ("idle: server RSS per session (bytes)", lambda s: get(s, "idle", "server_process", "rss_per_session_bytes"), "lower"),
]

def per_op_us(server, label):
    cpu, acked = get(server, label, "load_generator_cpu_seconds"), get(server, label, "ops_acked")
    return round(cpu / acked * 1e6, 1) if cpu is not None and acked else None

def ms(us):
    return None if us is None else round(us / 1000, 3)

def pair(latency):
    if not latency:
        return None
    return f"{ms(latency['p50_us'])} / {ms(latency['p99_us'])}"

def show(value):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)

def ratio(a, b, better):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or not better or a == 0 or b == 0:
        return "—"
    return f"{a / b:.2f}x" if better == "higher" else f"{b / a:.2f}x less" if a < b else f"{a / b:.2f}x more"

names = {"otterd": "otterd", "otterd-normal": "otterd (durability normal)", "sharedb": "ShareDB", "relay": "relay"}
pairs = [(a, b) for a, b in [("otterd", "sharedb"), ("otterd", "relay"), ("otterd-normal", "sharedb"),
                             ("otterd-normal", "relay")] if a in servers and b in servers]
head = "| figure | " + " | ".join(names[s] for s in servers)
head += "".join(f" | {names[a]} / {names[b]}" for a, b in pairs)
lines = [head + " |", "|" + "---|" * (head.count("|"))]
for title, pick, better in rows:
    values = {s: pick(s) for s in servers}
    line = f"| {title} | " + " | ".join(show(values[s]) for s in servers)
    line += "".join(" | " + ratio(values[a], values[b], better) for a, b in pairs)
    lines.append(line + " |")
errors = [f"- {s} {l}: {runs[s][l].get('errors')} errors, first: {runs[s][l].get('first_error', '')[:200]}"
          for s in servers for l in labels if runs[s][l].get("errors") or runs[s][l].get("failed")]
text = "\n".join(lines) + "\n"
if errors:
    text += "\nErrors:\n" + "\n".join(errors) + "\n"
open(os.path.join(results, "load_bench.md"), "w").write(text)
print(text)
PY
log "wrote bench/results/load_bench.json and bench/results/load_bench.md"
