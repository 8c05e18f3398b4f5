#pragma once
// PubSub: topics that processes subscribe to; a broadcast reaches every subscriber
// (Phoenix.PubSub).
//
//   pubsub.subscribe(*this, "doc:42");                  // in a GenServer handler or init
//   pubsub.broadcast("doc:42", OpsApplied{...});         // from anywhere
//   pubsub.broadcast_from(self(), "doc:42", Cursor{...}); // everyone but the sender
//
// Subscribers receive the message itself as a plain info message (handle_info), not
// wrapped: subscribe to one topic per kind of traffic or match on the payload's type.
//
// Rules:
//   - A process subscribes itself (own context), like Registry::register_key. Subscribing
//     to a topic already subscribed to does nothing and returns false (Phoenix would
//     deliver every message twice).
//   - Subscriptions end when the subscriber exits, in an exit hook that runs before any
//     link or monitor hears of the death: once a Down for a subscriber has arrived, no
//     broadcast counts or reaches it.
//   - Order: the broadcasts one thread (or process) makes reach each subscriber in the
//     order they were made.
//
// Cost (the hot path: every op of a document goes to every session on its topic):
//   - reading a topic's subscribers takes one shard's read lock for the time of copying a
//     shared_ptr (see registry.hpp); the fan-out itself runs with no lock held;
//   - each subscriber gets its own copy of the std::any. For anything bigger than a few
//     words, broadcast a `std::shared_ptr<const T>`: every copy is then a reference-count
//     increment and all subscribers share one immutable payload. (libstdc++'s std::any
//     stores only one-pointer-sized values inline, so each copy of a shared_ptr also
//     costs one small allocation; a one-word handle such as boost::intrusive_ptr avoids it.)
//   - subscribe/unsubscribe copy the topic's subscriber list: O(subscribers of the topic).
//
// Cluster seam: broadcast() and broadcast_from() also hand the message to the
// PubSubAdapter, which (in a cluster) forwards it to the other nodes; there, the adapter
// delivers it with local_broadcast()/local_broadcast_from(), which never forward again.
// The default adapter is local-only and does nothing. Only payload types the adapter
// knows how to encode can cross nodes; that is the adapter's business.
//
// Lifecycle: construct after the Runtime, destroy before it (or at least after every
// subscriber has exited: exit hooks hold only a weak reference, so a PubSub destroyed
// first is simply skipped). Every member is safe from any thread.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.hpp"
#include "core/pid.hpp"
#include "core/registry.hpp"

namespace otter::core {

class Process;
class Runtime;

// Where a cluster plugs in. Called on the broadcaster's thread, before the local fan-out,
// for every broadcast()/broadcast_from() (never for the local_ variants). Must not block:
// queue the message to a sender process or socket.
class PubSubAdapter {
 public:
  PubSubAdapter() = default;
  PubSubAdapter(const PubSubAdapter&) = delete;
  PubSubAdapter& operator=(const PubSubAdapter&) = delete;
  virtual ~PubSubAdapter() = default;

  // `excluded` is the sender for broadcast_from (null for broadcast): remote nodes pass
  // it on to local_broadcast_from.
  virtual void forward(std::string_view topic, const Message& message, Pid excluded) = 0;
};

// The single-node adapter: nothing to forward to.
class LocalOnlyAdapter final : public PubSubAdapter {
 public:
  void forward(std::string_view /*topic*/, const Message& /*message*/, Pid /*excluded*/) override {}
};

class PubSub {
 public:
  explicit PubSub(Runtime& runtime, std::shared_ptr<PubSubAdapter> adapter = nullptr);
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;
  ~PubSub();

  // --- the calling process (own context) ---------------------------------------------
  // Returns false if `self` was already subscribed to `topic`.
  bool subscribe(Process& self, std::string topic);
  // Returns false if `self` was not subscribed to `topic`.
  bool unsubscribe(Process& self, std::string_view topic);

  // --- any thread ----------------------------------------------------------------------
  // Each returns how many local subscribers the message was sent to.
  std::size_t broadcast(std::string_view topic, Message message);
  // To every subscriber but `sender` (which need not be subscribed).
  std::size_t broadcast_from(Pid sender, std::string_view topic, Message message);
  // This node only: what a cluster adapter calls with what other nodes forwarded.
  std::size_t local_broadcast(std::string_view topic, Message message);
  std::size_t local_broadcast_from(Pid sender, std::string_view topic, Message message);

  [[nodiscard]] std::size_t subscriber_count(std::string_view topic) const;
  // The topics `pid` is subscribed to, in no particular order.
  [[nodiscard]] std::vector<std::string> subscriptions(Pid pid) const;

 private:
  std::size_t fan_out(std::string_view topic, Message message, Pid excluded);

  Runtime& runtime_;
  std::shared_ptr<PubSubAdapter> adapter_;
  LocalRegistry subscribers_{RegistryKind::duplicate};  // topic -> subscriber entries
};

}  // namespace otter::core
