// Dashboard: the process behind the live dashboard (docs/dashboard.md). It samples the
// service — Metrics, the DocumentBoard the document processes report to, the supervision
// tree's pids — and publishes a complete DashboardSnapshot on the PubSub topic
// kDashboardTopic whenever what it shows changed. Sessions that got `dashboard_subscribe`
// subscribe to the topic and forward snapshots to their page (server/session.hpp).
//
//   session:  pubsub.subscribe(*this, kDashboardTopic);
//             call<CurrentDashboard::Reply>(context.dashboard.get(), CurrentDashboard{}, ...)
//             ... then every DashboardSnapshotPtr that arrives as an info message
//
// Started by Service as the last child of otter.server (a permanent worker; its pid is in
// ServiceContext::dashboard). It samples every sample_period while the topic has
// subscribers and sleeps otherwise (a CurrentDashboard call wakes it). A sample costs a
// lock of the board (copying a few numbers per open document) and reads of atomic
// counters: nothing on the edit path waits for it.
//
// Rates: ops_per_second = ops made durable over the last rate_window / rate_window, per
// document (from its revision) and in total (Metrics::ops_applied), rounded to 0.1. The
// window starts when sampling starts, so rates read low for the first rate_window after a
// page subscribes to an idle dashboard. A rate decaying to 0 is a change like any other.
//
// Never blocks: the board and the slots lock briefly; nothing is called synchronously.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/gen_server.hpp"
#include "net/dashboard_messages.hpp"
#include "server/service_context.hpp"

namespace otter::server {

inline constexpr std::string_view kDashboardTopic = "dashboard";
inline constexpr std::chrono::milliseconds kDefaultDashboardSamplePeriod{100};
inline constexpr std::chrono::seconds kDashboardRateWindow{5};

using DashboardSnapshotPtr = std::shared_ptr<const net::DashboardSnapshot>;

// call -> the latest snapshot, sampled now (and sampling resumes if it slept).
struct CurrentDashboard {
  using Reply = DashboardSnapshotPtr;
};

struct DashboardOptions {
  std::chrono::milliseconds sample_period = kDefaultDashboardSamplePeriod;
  std::string version = "0.1.0";
};

class Dashboard final : public core::GenServer {
 public:
  Dashboard(std::shared_ptr<ServiceContext> context, DashboardOptions options);

  [[nodiscard]] std::string describe() const override;

 protected:
  InitResult init() override;
  CallResult handle_call(core::Message& request, const core::From& from) override;
  Result handle_info(core::Message& message) override;

 private:
  struct RateSample {
    std::chrono::steady_clock::time_point at;
    std::uint64_t count;
  };
  using RateHistory = std::deque<RateSample>;

  // Samples; publishes if it differs from the last one. True if it changed.
  bool sample();
  void keep_ticking();
  [[nodiscard]] static double rate(RateHistory& history, std::chrono::steady_clock::time_point now,
                                   std::uint64_t count);

  std::shared_ptr<ServiceContext> context_;
  DashboardOptions options_;
  DashboardSnapshotPtr latest_;
  bool ticking_ = false;
  RateHistory total_rate_;
  std::map<std::string, RateHistory, std::less<>> document_rates_;
};

}  // namespace otter::server
