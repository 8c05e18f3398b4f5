// `otter bench` against real servers: a short run of each kind of workload must submit
// edits, get every one of them acked, see other clients' edits, and report no error —
// against otterd (real OT and storage) and against the bare relay. Throughput is printed
// by the benchmark, never asserted here.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

#include "tests/e2e/child_process.hpp"
#include "tests/support/otterd_process.hpp"

namespace otter::testing {
namespace {

namespace json = boost::json;

const std::filesystem::path kOtter = OTTER_CLI_BINARY;
const std::filesystem::path kRelay = OTTER_RELAY_BINARY;
constexpr std::chrono::milliseconds kRunTimeout{120'000};

// Runs `otter --server URL bench ARGS --json` and returns its report.
json::object bench(const std::string& url, std::vector<std::string> args) {
  std::vector<std::string> argv = {"--server", url, "bench", "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProgramResult result = run_program(kOtter, argv, {}, kRunTimeout);
  EXPECT_EQ(result.status, 0) << result.err << result.out;
  json::error_code ec;
  json::value report = json::parse(result.out, ec);
  if (ec || !report.is_object()) {
    ADD_FAILURE() << "otter bench printed no JSON object: " << result.out << result.err;
    return {};
  }
  return report.get_object();
}

std::uint64_t count(const json::object& report, std::string_view key) {
  const json::value* value = report.if_contains(key);
  return value ? value->to_number<std::uint64_t>() : 0;
}

// What every editing run must show, whatever the server.
void expect_every_edit_acked(const json::object& report) {
  EXPECT_EQ(count(report, "errors"), 0u) << json::serialize(report);
  EXPECT_GT(count(report, "ops_submitted"), 0u) << json::serialize(report);
  EXPECT_EQ(count(report, "ops_acked"), count(report, "ops_submitted")) << json::serialize(report);
  EXPECT_GT(report.at("ops_per_second").to_number<double>(), 0.0) << json::serialize(report);
  EXPECT_EQ(report.at("ack_latency").at("count").to_number<std::uint64_t>(), count(report, "ops_acked"));
}

class RelayProcess {
 public:
  RelayProcess() : program_(kRelay, {"--listen", "127.0.0.1:0", "--threads", "1"}) {
    const std::optional<std::string> line = program_.read_line(std::chrono::seconds(30));
    const std::string prefix = "otter_relay listening on ws://127.0.0.1:";
    if (!line || !line->starts_with(prefix)) throw std::runtime_error("otter_relay did not start: " + program_.err());
    url_ = "http://127.0.0.1:" + line->substr(prefix.size());
  }
  ~RelayProcess() {
    program_.signal(SIGTERM);
    (void)program_.wait(std::chrono::seconds(10));
  }
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  RunningProgram program_;
  std::string url_;
};

OtterdOptions unlimited_otterd() {
  return {.config_yaml = "sessions:\n  ops_per_second: 0\n"};
}

TEST(OtterBench, HotDocumentAgainstOtterdAcksEveryEditAndEachClientSeesTheOthers) {
  const OtterdProcess server(unlimited_otterd());
  const json::object report = bench(server.url(), {"--workload", "hot", "--clients", "3", "--seconds", "2"});
  expect_every_edit_acked(report);
  EXPECT_GT(report.at("seen_latency").at("count").to_number<std::uint64_t>(), 0u) << json::serialize(report);
}

TEST(OtterBench, PipelinedTraceReplayAgainstOtterdAcksEveryEdit) {
  const OtterdProcess server(unlimited_otterd());
  const json::object report =
      bench(server.url(), {"--workload", "trace", "--seconds", "1", "--window", "16"});
  expect_every_edit_acked(report);
  ASSERT_EQ(report.at("traces").as_array().size(), 2u);
}

TEST(OtterBench, ManyDocumentsAgainstTheRelayAckEveryEdit) {
  const RelayProcess relay;
  const json::object report =
      bench(relay.url(), {"--protocol", "relay", "--workload", "docs", "--docs", "2", "--clients", "3", "--seconds", "2"});
  expect_every_edit_acked(report);
  EXPECT_GT(report.at("seen_latency").at("count").to_number<std::uint64_t>(), 0u) << json::serialize(report);
}

TEST(OtterBench, IdleSessionsAgainstOtterdAllJoinAndReportNoError) {
  const OtterdProcess server(unlimited_otterd());
  const json::object report =
      bench(server.url(), {"--workload", "idle", "--clients", "50", "--docs", "5", "--seconds", "0.2"});
  EXPECT_EQ(count(report, "errors"), 0u) << json::serialize(report);
  EXPECT_EQ(count(report, "clients"), 50u);
}

}  // namespace
}  // namespace otter::testing
