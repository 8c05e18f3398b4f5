#pragma once
// Registry: find processes by key, from any thread (Elixir's Registry).
//
// Two kinds, chosen when the registry is made:
//   unique     at most one process per key. Registering a taken key fails and names the
//              holder (RegisterResult::holder()). "The process of document 42" lives here.
//   duplicate  any number of entries per key; one process may even hold a key twice.
//              PubSub's topics are duplicate keys.
// Keys are strings; every entry may carry a value (a Message: any copyable value).
//
// A process registers itself (Elixir's rule): register_key and unregister_key take the
// calling process — `*this` inside a GenServer handler or init, `scoped.process()` on a
// ScopedProcess's own thread — and may not name another process.
//
// Cleanup ordering (the guarantee the rest of Otter builds on): a process's entries are
// removed by an exit hook (Process::on_exit), which runs before its Pid is erased and
// before any link or monitor hears of the death. So a process that has received the Down
// (or exit signal) of a registered process never finds it in lookup(), whereis(),
// select(), keys() or count(), and a Via to its key already resolves to nothing.
//
// Via: a name usable wherever a Pid is (send, cast, call from a GenServer, a ScopedProcess
// or the Runtime):
//   runtime.cast(Via{names, "doc:42"}, Edit{...});
//   self.call<int>(Via{names, "doc:42"}, GetRevision{}, 1s);
// The key is looked up when the message is sent. An unregistered key resolves to the null
// Pid, so a call fails with noproc and a plain send or cast is dropped, as with Erlang's
// `{via, ...}` names. Only unique registries can be used in a Via.
//
// Concurrency: every member is safe from any thread. Keys live in 64 shards, each behind
// its own reader/writer lock; a key's entries are an immutable snapshot swapped on write
// (copy-on-write), so a lookup takes a shard's read lock only long enough to copy one
// shared_ptr, and iterating the result (a broadcast's fan-out) holds no lock at all.
// Writes copy the key's entry list: O(entries under that key).
//
// Cluster seam: everything outside core/ uses the abstract Registry. LocalRegistry is
// this node's; a cluster registry (ProcessHub-style, later) implements the same members,
// where whereis() may return a Pid of another node.
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.hpp"
#include "core/pid.hpp"

namespace otter::core {

class Process;

enum class RegistryKind : unsigned char { unique, duplicate };

struct RegistryEntry {
  Pid pid;
  Message value;
};

// An immutable snapshot of one key's entries, oldest first. Cheap to copy (one shared_ptr);
// stays valid, unchanged, however the registry changes afterwards.
class RegistryEntries {
 public:
  RegistryEntries() = default;
  explicit RegistryEntries(std::shared_ptr<const std::vector<RegistryEntry>> entries) noexcept
      : entries_(std::move(entries)) {}

  [[nodiscard]] std::size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  [[nodiscard]] const RegistryEntry& operator[](std::size_t i) const { return (*entries_)[i]; }
  [[nodiscard]] const RegistryEntry* begin() const noexcept {
    return entries_ ? entries_->data() : nullptr;
  }
  [[nodiscard]] const RegistryEntry* end() const noexcept {
    return entries_ ? entries_->data() + entries_->size() : nullptr;
  }

 private:
  std::shared_ptr<const std::vector<RegistryEntry>> entries_;
};

// One entry with its key, as select() reports it.
struct RegistryMatch {
  std::string key;
  Pid pid;
  Message value;
};

// What register_key reports: ok, or the key is taken (unique registries) and by whom.
class RegisterResult {
 public:
  [[nodiscard]] static RegisterResult registered() noexcept { return RegisterResult{Pid{}}; }
  [[nodiscard]] static RegisterResult already_registered(Pid holder) noexcept {
    return RegisterResult{holder};
  }
  [[nodiscard]] bool ok() const noexcept { return holder_.is_null(); }
  [[nodiscard]] explicit operator bool() const noexcept { return ok(); }
  // The process holding the key when registration failed (null when ok).
  [[nodiscard]] Pid holder() const noexcept { return holder_; }

 private:
  explicit RegisterResult(Pid holder) noexcept : holder_(holder) {}
  Pid holder_;
};

class Registry {
 public:
  using Predicate = std::function<bool(std::string_view key, const RegistryEntry& entry)>;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  virtual ~Registry() = default;

  [[nodiscard]] virtual RegistryKind kind() const noexcept = 0;

  // --- the calling process (own context) ---------------------------------------------
  // Registers `self` under `key` with `value`. Unique registries refuse a taken key (even
  // when `self` holds it) and name the holder. Throws std::logic_error when `self` is
  // not the calling process or has exited.
  [[nodiscard]] virtual RegisterResult register_key(Process& self, std::string key,
                                                    Message value = {}) = 0;
  // Removes every entry `self` holds under `key`; returns how many there were.
  virtual std::size_t unregister_key(Process& self, std::string_view key) = 0;

  // --- any thread ----------------------------------------------------------------------
  // The entries under `key`, oldest first (empty if none).
  [[nodiscard]] virtual RegistryEntries lookup(std::string_view key) const = 0;
  // The Pid registered under `key` (the oldest entry for duplicate keys), or null.
  [[nodiscard]] virtual Pid whereis(std::string_view key) const = 0;
  // The keys `pid` holds (a key held twice appears twice), in no particular order.
  [[nodiscard]] virtual std::vector<std::string> keys(Pid pid) const = 0;
  // Every entry for which `predicate` holds. The predicate runs outside the registry's
  // locks, on a snapshot taken shard by shard: it may use the registry.
  [[nodiscard]] virtual std::vector<RegistryMatch> select(const Predicate& predicate) const = 0;
  // All entries of the registry.
  [[nodiscard]] virtual std::size_t count() const noexcept = 0;
  // The entries under `key`.
  [[nodiscard]] virtual std::size_t count(std::string_view key) const = 0;
};

// This node's registry.
class LocalRegistry final : public Registry {
 public:
  explicit LocalRegistry(RegistryKind kind);
  ~LocalRegistry() override;

  [[nodiscard]] RegistryKind kind() const noexcept override { return kind_; }
  [[nodiscard]] RegisterResult register_key(Process& self, std::string key,
                                            Message value = {}) override;
  std::size_t unregister_key(Process& self, std::string_view key) override;
  [[nodiscard]] RegistryEntries lookup(std::string_view key) const override;
  [[nodiscard]] Pid whereis(std::string_view key) const override;
  [[nodiscard]] std::vector<std::string> keys(Pid pid) const override;
  [[nodiscard]] std::vector<RegistryMatch> select(const Predicate& predicate) const override;
  [[nodiscard]] std::size_t count() const noexcept override;
  [[nodiscard]] std::size_t count(std::string_view key) const override;

 private:
  struct State;  // shared with the exit hooks, which may outlive this object
  RegistryKind kind_;
  std::shared_ptr<State> state_;
};

// A registered name, usable wherever a Pid is: it converts to the Pid registered under
// `key` at the moment it is used (null if none). See the header comment.
class Via {
 public:
  Via(const Registry& registry, std::string key) : registry_(&registry), key_(std::move(key)) {
    if (registry.kind() != RegistryKind::unique) {
      throw std::logic_error("Via needs a unique registry: a duplicate key names many processes");
    }
  }

  // Implicit by design: `runtime.send(Via{names, key}, msg)` reads like sending to a Pid,
  // and every API that takes a Pid accepts a Via without an overload of its own.
  operator Pid() const { return registry_->whereis(key_); }  // NOLINT(google-explicit-constructor)

  [[nodiscard]] const std::string& key() const noexcept { return key_; }

 private:
  const Registry* registry_;
  std::string key_;
};

}  // namespace otter::core
