#include "core/pubsub.hpp"

#include <algorithm>
#include <utility>

#include "core/process.hpp"
#include "core/runtime.hpp"

namespace otter::core {

PubSub::PubSub(Runtime& runtime, std::shared_ptr<PubSubAdapter> adapter)
    : runtime_(runtime),
      adapter_(adapter ? std::move(adapter) : std::make_shared<LocalOnlyAdapter>()) {}

PubSub::~PubSub() = default;

bool PubSub::subscribe(Process& self, std::string topic) {
  // Only `self` changes its own subscriptions, so nothing can slip in between the check
  // and the registration.
  const RegistryEntries current = subscribers_.lookup(topic);
  const Pid pid = self.self();
  if (std::any_of(current.begin(), current.end(),
                  [&](const RegistryEntry& e) { return e.pid == pid; })) {
    return false;
  }
  return subscribers_.register_key(self, std::move(topic)).ok();
}

bool PubSub::unsubscribe(Process& self, std::string_view topic) {
  return subscribers_.unregister_key(self, topic) > 0;
}

std::size_t PubSub::broadcast(std::string_view topic, Message message) {
  adapter_->forward(topic, message, Pid{});
  return fan_out(topic, std::move(message), Pid{});
}

std::size_t PubSub::broadcast_from(Pid sender, std::string_view topic, Message message) {
  adapter_->forward(topic, message, sender);
  return fan_out(topic, std::move(message), sender);
}

std::size_t PubSub::local_broadcast(std::string_view topic, Message message) {
  return fan_out(topic, std::move(message), Pid{});
}

std::size_t PubSub::local_broadcast_from(Pid sender, std::string_view topic, Message message) {
  return fan_out(topic, std::move(message), sender);
}

std::size_t PubSub::fan_out(std::string_view topic, Message message, Pid excluded) {
  // A snapshot: subscriptions changing meanwhile affect the next broadcast, not this one.
  const RegistryEntries subscribers = subscribers_.lookup(topic);
  // The last receiver gets the message moved in: one copy fewer, none for a single
  // subscriber.
  std::size_t last = subscribers.size();
  while (last > 0 && subscribers[last - 1].pid == excluded) --last;
  std::size_t sent = 0;
  for (std::size_t i = 0; i < last; ++i) {
    const Pid to = subscribers[i].pid;
    if (to == excluded) continue;
    if (i + 1 == last) {
      runtime_.send(to, std::move(message));
    } else {
      runtime_.send(to, message);
    }
    ++sent;
  }
  return sent;
}

std::size_t PubSub::subscriber_count(std::string_view topic) const {
  return subscribers_.count(topic);
}

std::vector<std::string> PubSub::subscriptions(Pid pid) const { return subscribers_.keys(pid); }

}  // namespace otter::core
