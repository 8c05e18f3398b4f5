#include "core/process_table.hpp"

#include "core/process.hpp"

namespace otter::core::detail {
namespace {
// index = slot * kShards + shard + 1; index 0 stays the null Pid.
constexpr std::uint32_t encode(std::uint32_t slot, std::uint32_t shard, std::uint32_t shards) {
  return slot * shards + shard + 1;
}
}  // namespace

Pid ProcessTable::insert(ProcessPtr process) {
  const std::uint32_t shard_index = next_shard_.fetch_add(1, std::memory_order_relaxed) % kShards;
  Shard& shard = shards_[shard_index];
  std::uint32_t slot_index;
  std::uint32_t generation;
  {
    std::lock_guard lock(shard.mutex);
    if (!shard.free_slots.empty()) {
      slot_index = shard.free_slots.back();
      shard.free_slots.pop_back();
    } else {
      slot_index = static_cast<std::uint32_t>(shard.slots.size());
      shard.slots.emplace_back();
    }
    Slot& slot = shard.slots[slot_index];
    slot.process = std::move(process);
    generation = slot.generation;
  }
  size_.fetch_add(1, std::memory_order_relaxed);
  return Pid{node_, encode(slot_index, shard_index, kShards), generation};
}

ProcessPtr ProcessTable::find(Pid pid) const {
  if (pid.is_null() || pid.node != node_) return {};
  const std::uint32_t i = pid.index - 1;
  const Shard& shard = shards_[i % kShards];
  const std::uint32_t slot_index = i / kShards;
  std::lock_guard lock(shard.mutex);
  if (slot_index >= shard.slots.size()) return {};
  const Slot& slot = shard.slots[slot_index];
  if (slot.generation != pid.generation) return {};
  return slot.process;
}

bool ProcessTable::erase(Pid pid) {
  if (pid.is_null() || pid.node != node_) return false;
  const std::uint32_t i = pid.index - 1;
  Shard& shard = shards_[i % kShards];
  const std::uint32_t slot_index = i / kShards;
  ProcessPtr released;  // dropped outside the lock: it may run the process's destructor
  {
    std::lock_guard lock(shard.mutex);
    if (slot_index >= shard.slots.size()) return false;
    Slot& slot = shard.slots[slot_index];
    if (slot.generation != pid.generation || !slot.process) return false;
    released = std::move(slot.process);
    // After 2^32 lives the generation would repeat and an old Pid could name a new
    // process: such a slot is retired instead (generation 0, which no Pid carries), at
    // the cost of one slot per four billion spawns.
    ++slot.generation;
    if (slot.generation != 0) shard.free_slots.push_back(slot_index);
  }
  size_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

std::vector<ProcessPtr> ProcessTable::snapshot() const {
  std::vector<ProcessPtr> all;
  all.reserve(size());
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const Slot& slot : shard.slots) {
      if (slot.process) all.push_back(slot.process);
    }
  }
  return all;
}

std::vector<Pid> ProcessTable::pids() const {
  std::vector<Pid> all;
  all.reserve(size());
  for (std::uint32_t shard_index = 0; shard_index < kShards; ++shard_index) {
    const Shard& shard = shards_[shard_index];
    std::lock_guard lock(shard.mutex);
    for (std::uint32_t slot_index = 0; slot_index < shard.slots.size(); ++slot_index) {
      const Slot& slot = shard.slots[slot_index];
      if (slot.process) {
        all.push_back(Pid{node_, encode(slot_index, shard_index, kShards), slot.generation});
      }
    }
  }
  return all;
}

}  // namespace otter::core::detail
