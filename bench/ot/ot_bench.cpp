// ot_bench: how fast the OT engine edits text. Prints one JSON object on stdout.
//
//   1. traces      real editing traces (bench/traces/) replayed keystroke by keystroke, on
//                  the bare Rope and through ServerDocument (each patch an op submitted at
//                  head by one client); total time and peak heap; the final text must
//                  equal the trace's endContent, or the program exits 1.
//   2. edits_10mb  single-character inserts and erases at random places in a 10 MB text,
//                  on the bare Rope and through ServerDocument: ns per edit.
//   3. transform_1000  one op submitted at base r when head is r + 1000: the cost of
//                  transforming it to head (RevisionLog) and of the whole submit.
//
// Heap is measured by counting global operator new/delete (heap_counter.hpp) during one
// extra, untimed replay: the peak of the bytes it allocated and had not yet freed.
// Every timing is reported as CPU time of this thread and as wall time (stopwatch.hpp),
// best and median of --repetitions runs; targets are judged on the best CPU time, which
// does not count time spent waiting for a core on a shared machine.
// Randomness is seeded (--seed) so every run edits the same places.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "heap_counter.hpp"
#include "ot/operation.hpp"
#include "ot/revision_log.hpp"
#include "ot/rope.hpp"
#include "ot/server_document.hpp"
#include "pretty_json.hpp"
#include "stopwatch.hpp"
#include "trace.hpp"

namespace otter::bench {
namespace {

using boost::json::array;
using boost::json::object;

constexpr double kTraceTargetMs = 100.0;  // whole automerge-paper trace
constexpr double kEditTargetNs = 2000.0;  // one edit in a 10 MB document
constexpr std::size_t kConcurrentOps = 1000;

struct Options {
  std::vector<std::string> traces;
  int repetitions = 5;
  std::size_t document_bytes = 10'000'000;
  std::size_t edits = 200'000;
  std::size_t late_submissions = 2'000;
  std::uint64_t seed = 42;
  std::string sections = "traces,edits,transform";
};

struct Failure {
  std::string what;
};

// Runs `run` (which returns its own Elapsed) `repetitions` times.
template <class Run>
[[nodiscard]] RunStats repeat(int repetitions, Run&& run) {
  std::vector<Elapsed> runs;
  for (int i = 0; i < repetitions; ++i) runs.push_back(run());
  return summarize(runs);
}

// Best and median, CPU and wall, each multiplied by `scale` (e.g. ms -> ns per edit).
[[nodiscard]] object stats_json(const RunStats& stats, double scale) {
  return object{{"cpu_best", stats.best.cpu_ms * scale},
                {"cpu_median", stats.median.cpu_ms * scale},
                {"wall_best", stats.best.wall_ms * scale},
                {"wall_median", stats.median.wall_ms * scale}};
}

// Scale from a run's total milliseconds to nanoseconds per item.
[[nodiscard]] double ns_each(std::size_t count) { return 1e6 / static_cast<double>(count); }

// ---- 1. traces -------------------------------------------------------------------------

[[nodiscard]] ot::Rope replay_on_rope(const Trace& trace) {
  ot::Rope rope;
  for (const Patch& patch : trace.patches) {
    if (patch.erase_count > 0) rope.erase(patch.position, patch.erase_count);
    if (!patch.insert_text.empty()) rope.insert(patch.position, patch.insert_text);
  }
  return rope;
}

// The op a client at head sends for one patch: [position, -erase, "insert", rest].
// Ops reserve their components up front, as the wire decoder (ot/json_codec) does.
[[nodiscard]] ot::Operation op_for(const Patch& patch, std::size_t document_length) {
  ot::Operation op;
  op.reserve(4);
  op.retain(patch.position).erase(patch.erase_count).insert(patch.insert_text);
  op.retain(document_length - patch.position - patch.erase_count);
  return op;
}

void submit_or_fail(ot::ServerDocument& document, std::uint64_t seq, ot::Operation op) {
  const auto applied = document.submit("bench-client", seq, document.revision(), std::move(op));
  if (!applied) throw Failure{"submit failed: " + applied.error().message};
}

[[nodiscard]] ot::ServerDocument replay_on_server_document(const Trace& trace) {
  ot::ServerDocument document;
  std::uint64_t seq = 0;
  for (const Patch& patch : trace.patches) {
    submit_or_fail(document, ++seq, op_for(patch, document.length()));
  }
  return document;
}

[[nodiscard]] object rope_replay_report(const Trace& trace, int repetitions) {
  std::ptrdiff_t peak = 0;
  std::ptrdiff_t retained = 0;
  {
    const heap::Measurement counter;
    const ot::Rope rope = replay_on_rope(trace);
    peak = counter.peak_bytes();
    retained = counter.live_bytes();
    if (!rope.equals(trace.end_content)) {
      throw Failure{trace.name + ": the rope replay does not end with endContent"};
    }
  }
  const RunStats stats = repeat(repetitions, [&] {
    const Stopwatch watch;
    const ot::Rope rope = replay_on_rope(trace);
    return watch.elapsed();
  });
  return object{{"total_ms", stats_json(stats, 1.0)},
                {"per_patch_ns", stats_json(stats, ns_each(trace.patches.size()))},
                {"peak_heap_bytes", peak},
                {"retained_heap_bytes", retained}};
}

[[nodiscard]] object server_document_replay_report(const Trace& trace, int repetitions) {
  std::ptrdiff_t peak = 0;
  std::ptrdiff_t retained = 0;
  {
    const heap::Measurement counter;
    const ot::ServerDocument document = replay_on_server_document(trace);
    peak = counter.peak_bytes();
    retained = counter.live_bytes();
    if (!document.rope().equals(trace.end_content)) {
      throw Failure{trace.name + ": the ServerDocument replay does not end with endContent"};
    }
  }
  const RunStats stats = repeat(repetitions, [&] {
    const Stopwatch watch;
    const ot::ServerDocument document = replay_on_server_document(trace);
    return watch.elapsed();
  });
  return object{{"total_ms", stats_json(stats, 1.0)},
                {"per_patch_ns", stats_json(stats, ns_each(trace.patches.size()))},
                {"peak_heap_bytes", peak},
                {"retained_heap_bytes", retained},
                {"ops_kept_in_revision_log", std::min(trace.patches.size(), ot::RevisionLog::kDefaultMaxHistory)}};
}

[[nodiscard]] object trace_report(const std::string& path, int repetitions) {
  const Trace trace = load_trace(path);
  return object{{"name", trace.name},
                {"file", path},
                {"transactions", trace.transactions},
                {"patches", trace.patches.size()},
                {"final_bytes", trace.end_content.size()},
                {"rope", rope_replay_report(trace, repetitions)},
                {"server_document", server_document_replay_report(trace, repetitions)},
                {"final_text_matches", true}};
}

// ---- 2. edits in a 10 MB document -------------------------------------------------------

// Words of lowercase letters, spaces and newlines; in the mixed text about one code point
// in ten takes 2, 3 or 4 bytes (the kind of text where byte and code-point offsets differ).
[[nodiscard]] std::string make_document(std::size_t bytes, bool mixed, std::mt19937_64& rng) {
  static constexpr std::string_view kWide[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80"};
  std::string text;
  text.reserve(bytes + 4);
  std::uniform_int_distribution<int> roll(0, 99);
  while (text.size() < bytes) {
    const int r = roll(rng);
    if (mixed && r < 10) {
      text += kWide[static_cast<std::size_t>(r) % std::size(kWide)];
    } else if (r < 14) {
      text += ' ';
    } else if (r == 14) {
      text += '\n';
    } else {
      text += static_cast<char>('a' + r % 26);
    }
  }
  return text;
}

// Positions of `count` single-character inserts (or erases) made one after the other,
// each uniform over the text as it is at that moment.
[[nodiscard]] std::vector<std::size_t> random_positions(std::size_t count, std::size_t start_length, bool inserting,
                                                        std::mt19937_64& rng) {
  std::vector<std::size_t> positions;
  positions.reserve(count);
  std::size_t length = start_length;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t last = inserting ? length : length - 1;
    positions.push_back(std::uniform_int_distribution<std::size_t>(0, last)(rng));
    length = inserting ? length + 1 : length - 1;
  }
  return positions;
}

struct EditPlan {
  std::vector<std::size_t> inserts;
  std::vector<std::size_t> erases;  // after all the inserts
};

struct EditTimes {
  std::vector<Elapsed> inserts;  // one entry per repetition: all the plan's inserts
  std::vector<Elapsed> erases;
};

[[nodiscard]] object edit_times_json(const EditTimes& times, const EditPlan& plan) {
  return object{{"insert_ns", stats_json(summarize(times.inserts), ns_each(plan.inserts.size()))},
                {"erase_ns", stats_json(summarize(times.erases), ns_each(plan.erases.size()))}};
}

[[nodiscard]] object rope_edit_report(const std::string& text, const EditPlan& plan, int repetitions) {
  EditTimes times;
  std::size_t height = 0;
  for (int i = 0; i < repetitions; ++i) {
    ot::Rope rope(text);
    const Stopwatch inserting;
    for (const std::size_t pos : plan.inserts) rope.insert(pos, "x");
    times.inserts.push_back(inserting.elapsed());
    const Stopwatch erasing;
    for (const std::size_t pos : plan.erases) rope.erase(pos, 1);
    times.erases.push_back(erasing.elapsed());
    rope.check_invariants();
    height = rope.height();
  }
  object report = edit_times_json(times, plan);
  report["tree_height"] = height;
  return report;
}

[[nodiscard]] object server_document_edit_report(const std::string& text, const EditPlan& plan, int repetitions) {
  EditTimes times;
  for (int i = 0; i < repetitions; ++i) {
    auto loaded = ot::ServerDocument::load(text, 0);
    if (!loaded) throw Failure{"cannot load the large document: " + loaded.error().message};
    ot::ServerDocument document = std::move(*loaded);
    std::uint64_t seq = 0;
    const Stopwatch inserting;
    for (const std::size_t pos : plan.inserts) {
      ot::Operation op;
      op.reserve(3);
      op.retain(pos).insert("x").retain(document.length() - pos);
      submit_or_fail(document, ++seq, std::move(op));
    }
    times.inserts.push_back(inserting.elapsed());
    const Stopwatch erasing;
    for (const std::size_t pos : plan.erases) {
      ot::Operation op;
      op.reserve(3);
      op.retain(pos).erase(1).retain(document.length() - pos - 1);
      submit_or_fail(document, ++seq, std::move(op));
    }
    times.erases.push_back(erasing.elapsed());
  }
  return edit_times_json(times, plan);
}

[[nodiscard]] object edits_report(const Options& options, bool mixed) {
  std::mt19937_64 rng(options.seed);
  const std::string text = make_document(options.document_bytes, mixed, rng);
  const std::size_t length = ot::Rope(text).size();
  EditPlan plan;
  plan.inserts = random_positions(options.edits, length, true, rng);
  plan.erases = random_positions(options.edits, length + options.edits, false, rng);
  return object{{"document", mixed ? "mixed (10% multi-byte code points)" : "ascii"},
                {"bytes", text.size()},
                {"code_points", length},
                {"edits_each", options.edits},
                {"rope", rope_edit_report(text, plan, options.repetitions)},
                {"server_document", server_document_edit_report(text, plan, options.repetitions)}};
}

// ---- 3. transform against 1000 concurrent ops ---------------------------------------

// Every op here inserts one character, so the text at head - k is k code points shorter.
[[nodiscard]] ot::Operation insert_one_at(std::size_t pos, std::size_t length) {
  ot::Operation op;
  op.reserve(3);
  op.retain(pos).insert("x").retain(length - pos);
  return op;
}

[[nodiscard]] object transform_report(const Options& options) {
  std::mt19937_64 rng(options.seed);
  const auto random_pos = [&](std::size_t length) {
    return std::uniform_int_distribution<std::size_t>(0, length)(rng);
  };
  auto loaded = ot::ServerDocument::load(std::string(100'000, 'a'), 0);
  ot::ServerDocument document = std::move(*loaded);
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < kConcurrentOps; ++i) {
    submit_or_fail(document, ++seq, insert_one_at(random_pos(document.length()), document.length()));
  }

  // Transform only: one stale op through the last 1000 ops of the log.
  const std::size_t n = options.late_submissions;
  const RunStats transform = repeat(options.repetitions, [&] {
    const Stopwatch watch;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t base_length = document.length() - kConcurrentOps;
      auto transformed = document.log().transform_to_head(insert_one_at(random_pos(base_length), base_length),
                                                          document.revision() - kConcurrentOps);
      if (!transformed) throw Failure{"transform_to_head failed: " + transformed.error().message};
    }
    return watch.elapsed();
  });

  // Whole submit from a client 1000 revisions behind (transform + apply + append).
  std::uint64_t late_seq = 0;
  const RunStats submit = repeat(options.repetitions, [&] {
    const Stopwatch watch;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t base_length = document.length() - kConcurrentOps;
      const auto applied = document.submit("late-client", ++late_seq, document.revision() - kConcurrentOps,
                                           insert_one_at(random_pos(base_length), base_length));
      if (!applied) throw Failure{"late submit failed: " + applied.error().message};
    }
    return watch.elapsed();
  });
  const double us_each = 1e3 / static_cast<double>(n);
  return object{{"concurrent_ops", kConcurrentOps},
                {"stale_ops_per_run", n},
                {"transform_to_head_us", stats_json(transform, us_each)},
                {"submit_us", stats_json(submit, us_each)}};
}

// ---- main ---------------------------------------------------------------------------------

constexpr std::string_view kUsage =
    "usage: ot_bench [--trace FILE]... [--repetitions N] [--document-bytes N] [--edits N]\n"
    "                [--seed N] [--sections LIST]\n"
    "Benchmarks the OT engine and prints JSON on stdout (see bench/ot/ot_bench.cpp).\n"
    "  --trace FILE        an editing trace (.json.gz); repeatable. Default: the traces in\n"
    "                      " OTTER_TRACES_DIR
    "\n"
    "  --repetitions N     timed runs per trace replay (best and median reported; 5)\n"
    "  --document-bytes N  size of the large document (10000000)\n"
    "  --edits N           inserts, then as many erases, in the large document (200000)\n"
    "  --seed N            seed of the random edit positions (42)\n"
    "  --sections LIST     which parts to run, comma-separated (traces,edits,transform)\n"
    "Exits 1 if a replay does not reproduce the trace's endContent, 2 on bad arguments.\n";

[[nodiscard]] Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + std::string(arg));
    const std::string value = argv[++i];
    if (arg == "--trace") {
      options.traces.push_back(value);
    } else if (arg == "--repetitions") {
      options.repetitions = std::max(1, std::stoi(value));
    } else if (arg == "--document-bytes") {
      options.document_bytes = std::stoull(value);
    } else if (arg == "--edits") {
      options.edits = std::stoull(value);
    } else if (arg == "--seed") {
      options.seed = std::stoull(value);
    } else if (arg == "--sections") {
      options.sections = value;
    } else {
      throw std::invalid_argument("unknown option " + std::string(arg));
    }
  }
  if (options.traces.empty()) {
    options.traces = {OTTER_TRACES_DIR "/automerge-paper.json.gz", OTTER_TRACES_DIR "/seph-blog1.json.gz"};
  }
  return options;
}

// Only the targets whose section ran; a trace target needs automerge-paper among the traces.
// Judged on CPU time (the machine may be shared; wall time is reported beside it).
[[nodiscard]] object targets_report(const object& report) {
  object met;
  if (const boost::json::value* traces = report.if_contains("traces")) {
    for (const boost::json::value& trace : traces->as_array()) {
      if (trace.at("name") != "automerge-paper") continue;
      met["automerge_paper_server_document_under_100ms"] =
          trace.at("server_document").at("total_ms").at("cpu_best").as_double() < kTraceTargetMs;
    }
  }
  if (const boost::json::value* documents = report.if_contains("edits_10mb")) {
    bool all_under = true;
    for (const boost::json::value& document : documents->as_array()) {
      for (const char* side : {"rope", "server_document"}) {
        for (const char* kind : {"insert_ns", "erase_ns"}) {
          all_under = all_under && document.at(side).at(kind).at("cpu_best").as_double() < kEditTargetNs;
        }
      }
    }
    met["edit_in_10mb_under_2us"] = all_under;
  }
  return met;
}

int run(const Options& options) {
  object report{{"program", "ot_bench"},
#ifdef NDEBUG
                {"build", "release"},
#else
                {"build", "debug (numbers are not meaningful)"},
#endif
                {"seed", options.seed},
                {"repetitions", options.repetitions},
                {"heap_measure",
                 "peak heap bytes allocated and not yet freed during one untimed replay, counted in operator "
                 "new/delete (malloc_usable_size)"}};
  const auto wanted = [&](std::string_view section) { return options.sections.find(section) != std::string::npos; };
  if (wanted("traces")) {
    array traces;
    for (const std::string& path : options.traces) traces.push_back(trace_report(path, options.repetitions));
    report["traces"] = std::move(traces);
  }
  if (wanted("edits")) report["edits_10mb"] = array{edits_report(options, false), edits_report(options, true)};
  if (wanted("transform")) report["transform_1000"] = transform_report(options);
  report["targets_met"] = targets_report(report);
  print_pretty(std::cout, report);
  std::cout << '\n';
  return 0;
}

}  // namespace
}  // namespace otter::bench

int main(int argc, char** argv) {
  otter::bench::Options options;
  try {
    options = otter::bench::parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ot_bench: " << e.what() << '\n' << otter::bench::kUsage;
    return 2;
  }
  try {
    return otter::bench::run(options);
  } catch (const otter::bench::Failure& failure) {
    std::cerr << "ot_bench: FAILED: " << failure.what << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ot_bench: " << e.what() << '\n';
    return 1;
  }
}
