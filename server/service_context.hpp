// ServiceContext: what every process of the document service shares — the runtime's
// services, storage, metrics, the options, and where the two dynamic supervisors are now.
// Built by Service (server/service.hpp), handed to each process as a shared_ptr, and
// outlived by nobody: Service stops every process before it lets go of its own reference.
//
// Everything here is safe to use from any thread (the references point at thread-safe
// objects; the supervisor slots and the id source lock briefly).
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
#include "server/metrics.hpp"
#include "server/options.hpp"
#include "server/storage_service.hpp"

namespace otter::server {

// The Pid of a supervisor that may be restarted (its parent records every incarnation).
class SupervisorSlot {
 public:
  void set(core::Pid pid) {
    std::lock_guard lock(mutex_);
    pid_ = pid;
  }
  [[nodiscard]] core::Pid get() const {
    std::lock_guard lock(mutex_);
    return pid_;
  }

 private:
  mutable std::mutex mutex_;
  core::Pid pid_;
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
  SupervisorSlot documents_supervisor;
  SupervisorSlot sessions_supervisor;

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
  std::atomic<std::uint64_t> next_session_{0};
  std::mutex random_mutex_;
  std::mt19937_64 random_;  // guarded by random_mutex_
};

}  // namespace otter::server
