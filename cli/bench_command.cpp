// otter bench: the load generator (bench/load/load_run.hpp) against a running server.
#include <iostream>

#include <boost/json/serialize.hpp>

#include "bench/load/load_run.hpp"
#include "bench/ot/pretty_json.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace otter::cli {
namespace {

double parse_number(const std::string& text, const std::string& what) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw CliError(kExitUsage, what + " must be a non-negative number, not \"" + text + "\"");
}

// A one-screen summary for people; --json gives everything.
void print_summary(const boost::json::object& report) {
  const auto get = [&](std::string_view key) -> const boost::json::value& {
    static const boost::json::value kNone;
    const boost::json::value* found = report.if_contains(key);
    return found ? *found : kNone;
  };
  std::cout << get("workload").as_string() << " against " << get("protocol").as_string() << " at "
            << get("server").as_string() << ": " << get("clients") << " clients\n";
  if (const boost::json::value* ops = report.if_contains("ops_per_second")) {
    std::cout << "  ops/s " << *ops << " (" << get("ops_acked") << " of " << get("ops_submitted") << " acked)\n"
              << "  submit->ack  " << get("ack_latency") << "\n"
              << "  submit->seen " << get("seen_latency") << "\n";
  }
  if (const boost::json::value* traces = report.if_contains("traces")) std::cout << "  traces " << *traces << "\n";
  std::cout << "  server " << get("server_process") << "\n";
  if (get("errors").to_number<std::uint64_t>() > 0) {
    std::cout << "  errors " << get("errors") << ", first: " << get("first_error") << "\n";
  }
}

}  // namespace

const std::string_view kBenchHelp = R"(usage: otter bench [--workload hot|docs|trace|idle] [--clients C] [--docs D]
                   [--seconds S] [--rate R] [--window W] [--protocol otter|sharedb|relay]
                   [--server-pid PID] [--seed N] [--traces DIR] [--json]

Generate load against a running server from many WebSocket connections on one thread and
print what it measured: ops/s acked, submit->ack and submit->seen-by-others latency
(p50/p99/p999), and with --server-pid the server's CPU seconds, ops per server-CPU-second
and RSS. The server is --server (global option); see docs/benchmarks.md.

Workloads:
  hot    C clients on one document, each typing one character at a random place, the
         next when the last is acked (or at --rate)
  docs   D documents x C clients each, typing as in hot
  trace  the automerge-paper and seph-blog1 traces, each replayed by one client on a
         document of its own, --window edits in flight
  idle   C sessions on D documents doing nothing; the figure is the server's RSS growth
         per session (needs --server-pid)

  --workload W        the workload (default hot)
  --clients C         clients (per document for docs; sessions for idle) (default 10)
  --docs D            documents for docs and idle (default 4)
  --seconds S         how long to edit (idle: how long to hold the sessions) (default 10)
  --rate R            edits per client per second; 0 = as fast as acks allow (default 0)
  --window W          edits in flight per client (default 1; trace 64, but 1 for ShareDB,
                      which refuses an op based on a version it has not reached)
  --protocol P        otter (otterd), sharedb (bench/sharedb) or relay (otter_relay)
  --server-pid PID    the server's process, to read its CPU time and RSS from /proc
  --seed N            seeds the random typing (default 42)
  --traces DIR        where the traces are (default: the source tree's bench/traces)
  --json              print the figures as one JSON object (indented)

otterd limits each session to 200 ops/s by default: run it with sessions.ops_per_second: 0
(scripts/load_bench.sh does). Exit status 1 if any edit was refused or a connection failed.
)";

int run_bench(const GlobalOptions& options, CommandArgs& args) {
  bench::LoadOptions load;
  load.host = options.server.host;
  load.port = options.server.port;
  load.setup_timeout = std::max(load.setup_timeout, std::chrono::duration_cast<std::chrono::seconds>(options.timeout));
  const bool json = args.take_flag("--json");
  if (const auto value = args.take_option("--workload")) {
    const auto workload = bench::parse_workload(*value);
    if (!workload) throw CliError(kExitUsage, "--workload must be hot, docs, trace or idle, not \"" + *value + "\"");
    load.workload = *workload;
  }
  if (const auto value = args.take_option("--protocol")) {
    const auto protocol = bench::parse_protocol(*value);
    if (!protocol) throw CliError(kExitUsage, "--protocol must be otter, sharedb or relay, not \"" + *value + "\"");
    load.protocol = *protocol;
  }
  if (const auto value = args.take_option("--clients")) load.clients = parse_count(*value, "--clients");
  if (const auto value = args.take_option("--docs")) load.docs = parse_count(*value, "--docs");
  if (const auto value = args.take_option("--seconds")) load.seconds = parse_number(*value, "--seconds");
  if (const auto value = args.take_option("--rate")) load.rate = parse_number(*value, "--rate");
  if (const auto value = args.take_option("--window")) load.window = parse_count(*value, "--window");
  if (const auto value = args.take_option("--seed")) load.seed = parse_count(*value, "--seed");
  if (const auto value = args.take_option("--traces")) load.traces_dir = *value;
  if (const auto value = args.take_option("--server-pid")) {
    load.server_pid = static_cast<pid_t>(parse_count(*value, "--server-pid"));
  }
  (void)args.positionals({});
  if (load.clients == 0) throw CliError(kExitUsage, "--clients must be at least 1");

  boost::json::object report;
  try {
    report = bench::run_load(load);
  } catch (const std::exception& error) {
    throw CliError(kExitUnreachable, std::string("bench: ") + error.what());
  }
  if (json) {
    bench::print_pretty(std::cout, report);
    std::cout << std::endl;
  } else {
    print_summary(report);
  }
  return report.at("errors").to_number<std::uint64_t>() == 0 ? kExitOk : kExitFailed;
}

}  // namespace otter::cli
