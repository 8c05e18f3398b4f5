#pragma once
// ProcessTable: Pid -> live process, for one node.
//
// Sharded so that spawning and looking up never contend on one lock: a Pid's index
// encodes its shard and its slot in that shard. Each slot carries a generation that is
// bumped when its process is erased, so a stale Pid misses instead of reaching the
// process that reuses the slot (see pid.hpp).
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "core/pid.hpp"
#include "core/process_ptr.hpp"

namespace otter::core::detail {

class ProcessTable {
 public:
  explicit ProcessTable(std::uint32_t node) : node_(node) {}

  // Gives `process` a fresh Pid and holds a reference to it until erase().
  [[nodiscard]] Pid insert(ProcessPtr process);
  // The live process named by `pid`, or null if it has exited (or never existed).
  [[nodiscard]] ProcessPtr find(Pid pid) const;
  // Forgets `pid` and bumps its slot's generation. Returns whether it was present.
  bool erase(Pid pid);
  // Every live process right now (a snapshot; used for shutdown and introspection).
  [[nodiscard]] std::vector<ProcessPtr> snapshot() const;
  // The Pids of every live process right now. Unlike snapshot() it reads only the table,
  // never a process that another thread may still be starting.
  [[nodiscard]] std::vector<Pid> pids() const;

  [[nodiscard]] std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint32_t node() const noexcept { return node_; }

 private:
  static constexpr std::uint32_t kShards = 64;
  struct Slot {
    std::uint32_t generation = 1;
    ProcessPtr process;
  };
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    std::vector<Slot> slots;
    std::vector<std::uint32_t> free_slots;
  };

  std::uint32_t node_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint32_t> next_shard_{0};
  std::atomic<std::size_t> size_{0};
};

}  // namespace otter::core::detail
