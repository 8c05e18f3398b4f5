// ServiceContext: what every process of the document service shares — the runtime's
// services, storage, metrics, the options, and where the two dynamic supervisors are now.
// Built by Service (server/service.hpp), handed to each process as a shared_ptr, and
// outlived by nobody: Service stops every process before it lets go of its own reference.
//
// Everything here is safe to use from any thread (the references point at thread-safe
// objects; the supervisor slots, the board, the node name and the id source lock briefly).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "core/pid.hpp"
#include "core/pubsub.hpp"
#include "core/registry.hpp"
#include "core/runtime.hpp"
#include "server/document_board.hpp"
#include "server/metrics.hpp"
#include "server/options.hpp"
#include "server/storage_service.hpp"

namespace otter::server {

// The Pid of a supervisor (or the Dashboard) that may be restarted: its parent records
// every incarnation. restarts() counts the incarnations after the first.
class SupervisorSlot {
 public:
  // Returns true if this incarnation is a restart.
  bool set(core::Pid pid) {
    std::lock_guard lock(mutex_);
    pid_ = pid;
    if (!pid) return false;
    return ++incarnations_ > 1;
  }
  [[nodiscard]] core::Pid get() const {
    std::lock_guard lock(mutex_);
    return pid_;
  }
  [[nodiscard]] std::uint64_t restarts() const {
    std::lock_guard lock(mutex_);
    return incarnations_ > 0 ? incarnations_ - 1 : 0;
  }

 private:
  mutable std::mutex mutex_;
  core::Pid pid_;
  std::uint64_t incarnations_ = 0;
};

class ServiceContext {
 public:
  ServiceContext(core::Runtime& runtime_ref, StorageService& storage_ref, core::PubSub& pubsub_ref,
                 core::Registry& documents_ref, Metrics& metrics_ref, DocumentOptions document_opts,
                 SessionOptions session_opts)
      : runtime(runtime_ref),
        storage(storage_ref),
        pubsub(pubsub_ref),
        documents(documents_ref),
        metrics(metrics_ref),
        document_options(std::move(document_opts)),
        session_options(std::move(session_opts)),
        random_(std::random_device{}()) {}
  ServiceContext(const ServiceContext&) = delete;
  ServiceContext& operator=(const ServiceContext&) = delete;

  core::Runtime& runtime;
  StorageService& storage;
  core::PubSub& pubsub;
  core::Registry& documents;  // unique: topic_of(doc) -> the document's process
  Metrics& metrics;
  const DocumentOptions document_options;
  const SessionOptions session_options;
  SupervisorSlot root_supervisor;
  SupervisorSlot documents_supervisor;
  SupervisorSlot sessions_supervisor;
  SupervisorSlot dashboard;
  DocumentBoard board;  // what the dashboard shows of each document process
  const std::int64_t started_ms = unix_time_ms();  // when this node's service started

  // How this node calls itself on the dashboard ("otterd@127.0.0.1:8080").
  void set_node_name(std::string name) {
    std::lock_guard lock(node_name_mutex_);
    node_name_ = std::move(name);
  }
  [[nodiscard]] std::string node_name() const {
    std::lock_guard lock(node_name_mutex_);
    return node_name_;
  }

  // "s-1", "s-2", ...: unique among this server's sessions, for presence.
  [[nodiscard]] std::string next_session_id() {
    return "s-" + std::to_string(next_session_.fetch_add(1, std::memory_order_relaxed) + 1);
  }
  // A client id for a client that sent none: random, because a client id is half of the
  // duplicate key (client_id, seq) that documents keep forever — a counter restarting with
  // the server would hand an old client's id (and its seq record) to a new client.
  [[nodiscard]] std::string new_client_id() {
    std::uint64_t bits = 0;
    {
      std::lock_guard lock(random_mutex_);
      bits = random_();
    }
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string id = "c-";
    for (int shift = 60; shift >= 0; shift -= 4) id.push_back(kDigits[(bits >> shift) & 0xF]);
    return id;
  }

 private:
  mutable std::mutex node_name_mutex_;
  std::string node_name_ = "otterd@localhost";  // guarded by node_name_mutex_
  std::atomic<std::uint64_t> next_session_{0};
  std::mutex random_mutex_;
  std::mt19937_64 random_;  // guarded by random_mutex_
};

}  // namespace otter::server
