#include "core/registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "core/process.hpp"
#include "core/runtime.hpp"

namespace otter::core {
namespace {

constexpr std::size_t kShards = 64;

using EntryList = std::vector<RegistryEntry>;
using EntryListPtr = std::shared_ptr<const EntryList>;

// Lets the key maps be searched with a string_view, without building a std::string.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept {
    return std::hash<std::string_view>{}(key);
  }
};

struct alignas(64) KeyShard {
  mutable std::shared_mutex mutex;
  std::unordered_map<std::string, EntryListPtr, KeyHash, std::equal_to<>> entries;
};

// Which keys each registered process holds: what its exit hook must remove. A process
// gets a record (and its one exit hook) on its first registration; the record stays,
// perhaps empty, until the process exits, so registering again never adds a second hook.
struct alignas(64) PidShard {
  mutable std::mutex mutex;
  std::unordered_map<Pid, std::vector<std::string>> keys;
};

void check_caller(const Process& self, const char* what) {
  const Process* current = Process::current();
  // A ScopedProcess's owning thread runs no process (current is null) but is its context.
  if (current != nullptr && current != &self) {
    throw std::logic_error(std::string{what} + ": a process may only (un)register itself");
  }
  if (!self.runtime().is_alive(self.self())) {
    throw std::logic_error(std::string{what} + ": the process has exited");
  }
}

}  // namespace

struct LocalRegistry::State {
  explicit State(RegistryKind k) : kind(k) {}

  RegistryKind kind;
  std::array<KeyShard, kShards> key_shards;
  std::array<PidShard, kShards> pid_shards;
  std::atomic<std::size_t> total{0};

  KeyShard& shard_of(std::string_view key) { return key_shards[KeyHash{}(key) % kShards]; }
  const KeyShard& shard_of(std::string_view key) const {
    return key_shards[KeyHash{}(key) % kShards];
  }
  PidShard& shard_of(Pid pid) { return pid_shards[std::hash<Pid>{}(pid) % kShards]; }
  const PidShard& shard_of(Pid pid) const { return pid_shards[std::hash<Pid>{}(pid) % kShards]; }

  // Removes `pid`'s entries under `key`; returns how many.
  std::size_t remove_entries(std::string_view key, Pid pid) {
    KeyShard& shard = shard_of(key);
    EntryListPtr old;  // released outside the lock: it may free the values
    std::size_t removed = 0;
    {
      std::unique_lock lock(shard.mutex);
      const auto it = shard.entries.find(key);
      if (it == shard.entries.end()) return 0;
      const EntryList& current = *it->second;
      removed = static_cast<std::size_t>(std::count_if(
          current.begin(), current.end(), [&](const RegistryEntry& e) { return e.pid == pid; }));
      if (removed == 0) return 0;
      old = std::move(it->second);
      if (removed == current.size()) {
        shard.entries.erase(it);
      } else {
        auto next = std::make_shared<EntryList>();
        next->reserve(current.size() - removed);
        for (const RegistryEntry& e : current) {
          if (e.pid != pid) next->push_back(e);
        }
        it->second = std::move(next);
      }
    }
    total.fetch_sub(removed, std::memory_order_relaxed);
    return removed;
  }

  // The exit hook: every entry of `pid` goes, then its record.
  void remove_process(Pid pid) {
    std::vector<std::string> held;
    {
      PidShard& shard = shard_of(pid);
      std::lock_guard lock(shard.mutex);
      const auto it = shard.keys.find(pid);
      if (it == shard.keys.end()) return;
      held = std::move(it->second);
      shard.keys.erase(it);
    }
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    for (const std::string& key : held) remove_entries(key, pid);
  }
};

LocalRegistry::LocalRegistry(RegistryKind kind)
    : kind_(kind), state_(std::make_shared<State>(kind)) {}

LocalRegistry::~LocalRegistry() = default;

RegisterResult LocalRegistry::register_key(Process& self, std::string key, Message value) {
  check_caller(self, "register_key");
  const Pid pid = self.self();
  {
    KeyShard& shard = state_->shard_of(key);
    EntryListPtr old;  // declared before the lock: released after it
    std::unique_lock lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end()) {
      shard.entries.emplace(key, std::make_shared<const EntryList>(
                                     EntryList{RegistryEntry{pid, std::move(value)}}));
    } else {
      if (kind_ == RegistryKind::unique) {
        return RegisterResult::already_registered(it->second->front().pid);
      }
      auto next = std::make_shared<EntryList>();
      next->reserve(it->second->size() + 1);
      *next = *it->second;
      next->push_back(RegistryEntry{pid, std::move(value)});
      old = std::exchange(it->second, std::move(next));
    }
  }
  state_->total.fetch_add(1, std::memory_order_relaxed);

  bool first_registration = false;
  {
    PidShard& shard = state_->shard_of(pid);
    std::lock_guard lock(shard.mutex);
    auto [it, inserted] = shard.keys.try_emplace(pid);
    it->second.push_back(std::move(key));
    first_registration = inserted;
  }
  if (first_registration) {
    // weak: a registry destroyed before the process leaves nothing to clean.
    self.on_exit([weak = std::weak_ptr<State>(state_)](Pid exiting, const ExitReason&) {
      const std::shared_ptr<State> state = weak.lock();
      if (!state) return;
      try {
        state->remove_process(exiting);
      } catch (const std::exception& e) {
        spdlog::error("registry: cleanup of {} failed: {}", exiting.to_string(), e.what());
      }
    });
  }
  return RegisterResult::registered();
}

std::size_t LocalRegistry::unregister_key(Process& self, std::string_view key) {
  check_caller(self, "unregister_key");
  const Pid pid = self.self();
  {
    PidShard& shard = state_->shard_of(pid);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.keys.find(pid);
    if (it == shard.keys.end()) return 0;
    std::erase(it->second, key);  // the record itself stays: see PidShard
  }
  return state_->remove_entries(key, pid);
}

RegistryEntries LocalRegistry::lookup(std::string_view key) const {
  const KeyShard& shard = state_->shard_of(key);
  std::shared_lock lock(shard.mutex);
  const auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return {};
  return RegistryEntries{it->second};
}

Pid LocalRegistry::whereis(std::string_view key) const {
  const KeyShard& shard = state_->shard_of(key);
  std::shared_lock lock(shard.mutex);
  const auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return {};
  return it->second->front().pid;
}

std::vector<std::string> LocalRegistry::keys(Pid pid) const {
  const PidShard& shard = state_->shard_of(pid);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.keys.find(pid);
  if (it == shard.keys.end()) return {};
  return it->second;
}

std::vector<RegistryMatch> LocalRegistry::select(const Predicate& predicate) const {
  std::vector<RegistryMatch> matches;
  std::vector<std::pair<std::string, EntryListPtr>> snapshot;
  for (const KeyShard& shard : state_->key_shards) {
    snapshot.clear();
    {
      std::shared_lock lock(shard.mutex);
      snapshot.assign(shard.entries.begin(), shard.entries.end());
    }
    for (const auto& [key, entries] : snapshot) {
      for (const RegistryEntry& entry : *entries) {
        if (predicate(key, entry)) matches.push_back(RegistryMatch{key, entry.pid, entry.value});
      }
    }
  }
  return matches;
}

std::size_t LocalRegistry::count() const noexcept {
  return state_->total.load(std::memory_order_relaxed);
}

std::size_t LocalRegistry::count(std::string_view key) const { return lookup(key).size(); }

}  // namespace otter::core
