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
  // Runs `visit(const ProcessPtr&)` on the live process named by `pid` under its shard's
  // lock, without taking a reference of its own: the send path, which only needs the
  // process long enough to push onto its mailbox. Returns false if there is none.
  // `visit` must be short and must not call back into the table.
  template <class Visit>
  bool with_live(Pid pid, Visit&& visit) const;
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

template <class Visit>
bool ProcessTable::with_live(Pid pid, Visit&& visit) const {
  if (pid.is_null() || pid.node != node_) return false;
  const std::uint32_t i = pid.index - 1;
  const Shard& shard = shards_[i % kShards];
  const std::uint32_t slot_index = i / kShards;
  std::lock_guard lock(shard.mutex);
  if (slot_index >= shard.slots.size()) return false;
  const Slot& slot = shard.slots[slot_index];
  if (slot.generation != pid.generation || !slot.process) return false;
  visit(slot.process);
  return true;
}

}  // namespace otter::core::detail
