// otter sim: seeded conflict simulations, in process or against a real otterd (docs/sim.md).
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "sim/run.hpp"
#include "sim/server_sim.hpp"

namespace otter::cli {

const std::string_view kSimHelp = R"(usage: otter sim [--seed N] [--schedules K] [--clients N] [--docs D] [--steps S]
                 [--mode inproc|server] [--otterd PATH] [--json]

Run K seeded schedules of N clients editing D shared documents at once, with random
delays and reordering, dropped connections (resume and resend), document-process
crashes and kill -9 of the server, then check that everyone converged, that every
acknowledged edit is stored exactly once, that revisions are dense, that the stored
history replays to the stored text and that no cursor points outside its document.

  --seed N          the first schedule's seed (default: random, printed); schedule i
                    runs with seed N + i, and a failure names its own seed
  --schedules K     how many schedules (default 100)
  --clients N       simulated clients, 1 to 64 (default 3)
  --docs D          documents they share, 1 to 16 (default 1)
  --steps S         local edits per schedule, 1 to 100000 (default 100)
  --mode MODE       inproc (default): deterministic, no sockets, thousands of schedules a
                    minute; the same seed replays the same schedule, and a failure is
                    shrunk to the shortest history that still fails.
                    server: real clients against a real otterd the sim starts (--dev, a
                    temporary data directory), kills -9 and restarts; seeded actions,
                    but threads and sockets decide the interleaving (no exact replay)
  --otterd PATH     the otterd binary for --mode server (default: the one built next to
                    this otter: ../otterd/otterd or ./otterd beside it)
  --json            print the report as one JSON object

Progress goes to standard error. Exit status: 0 every schedule passed, 1 a check failed
(the seed and the failing history are printed), 2 bad command line, 3 otterd could not be
started or restarted (server mode).

Replay a failure: otter sim --seed <failing seed> --schedules 1 (same --clients, --docs,
--steps). See docs/sim.md.
)";

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr auto kProgressInterval = std::chrono::seconds(2);

struct SimCommandLine {
  sim::SimOptions options;
  std::string mode = "inproc";
  std::optional<std::filesystem::path> otterd;
  bool json = false;
};

std::size_t bounded(CommandArgs& args, const std::string& option, std::size_t fallback, std::size_t low,
                    std::size_t high) {
  const std::optional<std::string> text = args.take_option(option);
  if (!text) return fallback;
  const std::size_t value = parse_count(*text, option);
  if (value < low || value > high) {
    throw CliError(kExitUsage, "sim: " + option + " must be " + std::to_string(low) + " to " + std::to_string(high));
  }
  return value;
}

SimCommandLine parse(CommandArgs& args) {
  SimCommandLine line;
  line.json = args.take_flag("--json");
  if (const std::optional<std::string> seed = args.take_option("--seed")) {
    line.options.seed = parse_count(*seed, "--seed");
  } else {
    std::random_device device;
    line.options.seed = (static_cast<std::uint64_t>(device()) << 20U) ^ device();
  }
  line.options.schedules = bounded(args, "--schedules", 100, 1, 100'000'000);
  line.options.clients = bounded(args, "--clients", 3, 1, 64);
  line.options.docs = bounded(args, "--docs", 1, 1, 16);
  line.options.steps = bounded(args, "--steps", 100, 1, 100'000);
  if (const std::optional<std::string> mode = args.take_option("--mode")) line.mode = *mode;
  if (line.mode != "inproc" && line.mode != "server") {
    throw CliError(kExitUsage, "sim: --mode must be inproc or server, not \"" + line.mode + "\"");
  }
  if (const std::optional<std::string> otterd = args.take_option("--otterd")) line.otterd = *otterd;
  static_cast<void>(args.positionals({}));
  return line;
}

std::filesystem::path default_otterd() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (const std::filesystem::path& candidate : {self.parent_path() / "otterd",
                                                   self.parent_path().parent_path() / "otterd" / "otterd"}) {
      if (std::filesystem::is_regular_file(candidate, error)) return candidate;
    }
  }
  throw CliError(kExitUsage, "sim: no otterd next to this otter; name one with --otterd PATH");
}

double seconds(Clock::duration elapsed) { return std::chrono::duration<double>(elapsed).count(); }

std::string replay_command(const sim::SimReport& report) {
  const sim::SimOptions& o = report.options;
  return "otter sim --seed " + std::to_string(report.failure->seed) + " --schedules 1 --clients " +
         std::to_string(o.clients) + " --docs " + std::to_string(o.docs) + " --steps " + std::to_string(o.steps) +
         (report.mode == "server" ? " --mode server" : "");
}

json::object stats_json(const sim::ScheduleStats& stats) {
  return json::object{{"events", stats.events},
                      {"edits", stats.edits},
                      {"revisions", stats.revisions},
                      {"duplicates", stats.duplicates},
                      {"reconnects", stats.reconnects},
                      {"document_crashes", stats.document_crashes},
                      {"server_kills", stats.server_kills},
                      {"lost_pending_ops", stats.lost_pending_ops}};
}

void print_json(const sim::SimReport& report) {
  const sim::SimOptions& o = report.options;
  json::object out{{"mode", report.mode},
                   {"seed", o.seed},
                   {"schedules", o.schedules},
                   {"clients", o.clients},
                   {"docs", o.docs},
                   {"steps", o.steps},
                   {"schedules_run", report.schedules_run},
                   {"ok", !report.failure.has_value()},
                   {"elapsed_s", seconds(report.elapsed)},
                   {"stats", stats_json(report.stats)}};
  if (report.failure) {
    const sim::SimFailure& failure = *report.failure;
    json::array history;
    for (const std::string& line : failure.history) history.emplace_back(line);
    out["failure"] = json::object{{"seed", failure.seed},
                                  {"check", failure.failure.check},
                                  {"message", failure.failure.message},
                                  {"events", failure.events},
                                  {"shrunk_events", failure.shrunk_events},
                                  {"shrunk_clients", failure.shrunk_clients},
                                  {"shrunk_docs", failure.shrunk_docs},
                                  {"replay", replay_command(report)},
                                  {"history", std::move(history)}};
  }
  std::cout << json::serialize(out) << "\n";
}

void print_text(const sim::SimReport& report) {
  const sim::ScheduleStats& s = report.stats;
  const double elapsed = seconds(report.elapsed);
  if (!report.failure) {
    std::printf("ok: %zu schedules clean in %.1f s (%.0f per second)\n", report.schedules_run, elapsed,
                elapsed > 0 ? static_cast<double>(report.schedules_run) / elapsed : 0.0);
  }
  std::printf("  %llu edits, %llu revisions, %llu reconnects, %llu document crashes, %llu server kills",
              static_cast<unsigned long long>(s.edits), static_cast<unsigned long long>(s.revisions),
              static_cast<unsigned long long>(s.reconnects), static_cast<unsigned long long>(s.document_crashes),
              static_cast<unsigned long long>(s.server_kills));
  if (report.mode == "inproc") {  // only the simulated server can count these
    std::printf(", %llu duplicate resends, %llu un-durable ops lost", static_cast<unsigned long long>(s.duplicates),
                static_cast<unsigned long long>(s.lost_pending_ops));
  }
  std::printf("\n");
  if (!report.failure) return;
  const sim::SimFailure& failure = *report.failure;
  std::printf("FAILED: schedule %zu of %zu, seed %llu: %s: %s\n", report.schedules_run, report.options.schedules,
              static_cast<unsigned long long>(failure.seed), failure.failure.check.c_str(),
              failure.failure.message.c_str());
  std::printf("replay: %s\n", replay_command(report).c_str());
  if (report.mode == "inproc") {
    std::printf("shortest failing history: %zu of %zu events, %zu clients, %zu documents\n", failure.shrunk_events,
                failure.events, failure.shrunk_clients, failure.shrunk_docs);
  } else {
    std::printf("actions of the failing schedule (%zu):\n", failure.events);
  }
  for (const std::string& line : failure.history) std::printf("  %s\n", line.c_str());
}

}  // namespace

int run_sim(const GlobalOptions& /*options*/, CommandArgs& args) {
  SimCommandLine line = parse(args);
  sim::SimOptions& o = line.options;
  std::FILE* banner = line.json ? stderr : stdout;
  std::fprintf(banner, "otter sim: seed %llu, %zu schedules of %zu clients x %zu documents x %zu edits, %s\n",
               static_cast<unsigned long long>(o.seed), o.schedules, o.clients, o.docs, o.steps,
               line.mode == "inproc" ? "in process" : "against a real otterd");
  std::fflush(banner);
  Clock::time_point last_progress = Clock::now();
  o.on_progress = [&last_progress](const sim::SimProgress& progress) {
    if (Clock::now() - last_progress < kProgressInterval) return;
    last_progress = Clock::now();
    std::fprintf(stderr, "  %zu/%zu schedules, %.1f s\n", progress.schedules_done, progress.schedules_total,
                 seconds(progress.elapsed));
  };
  sim::SimReport report;
  if (line.mode == "inproc") {
    report = sim::run_inproc(o);
  } else {
    const sim::ServerSimSettings settings{.otterd = line.otterd ? *line.otterd : default_otterd()};
    try {
      report = sim::run_server(o, settings);
    } catch (const std::runtime_error& error) {
      throw CliError(kExitUnreachable, std::string("sim: ") + error.what());
    }
  }
  if (line.json) {
    print_json(report);
  } else {
    print_text(report);
  }
  std::fflush(stdout);
  return report.failure ? kExitFailed : kExitOk;
}

}  // namespace otter::cli
