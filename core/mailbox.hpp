#pragma once
// Mailbox: a process's message queue. Many producers, one consumer, no lock.
//
// Producers push onto an atomic LIFO stack (one CAS). The consumer takes the whole stack
// at once and reverses it into a private FIFO cache, so messages from one sender come out
// in the order that sender pushed them (Erlang's per-pair ordering guarantee).
//
// The stack head doubles as the process's scheduling state, which makes "enqueue" and
// "wake the process up" one atomic step:
//
//   head == blocked  the consumer found nothing and went idle. The producer whose push
//                    replaces `blocked` is told `wake`: it must schedule the process.
//                    Exactly one producer sees that, so a process is never scheduled twice.
//   head == closed   the process has exited; push refuses and hands the node back.
//   otherwise        the process is running or already scheduled: just enqueue.
//
// A new mailbox starts "running" (not blocked): the spawner runs init and then schedules
// the process once itself, so no message can start it early.
#include <atomic>
#include <cstddef>

#include "core/message.hpp"

namespace otter::core::detail {

struct MailboxNode {
  MailboxNode* next = nullptr;
  Envelope envelope;

  // Every message is one node, so nodes are recycled through a small per-thread cache
  // (mailbox.cpp) instead of a malloc/free pair per message.
  static void* operator new(std::size_t size);
  static void operator delete(void* memory, std::size_t size) noexcept;
};

class Mailbox {
 public:
  enum class PushResult : unsigned char { queued, wake, closed };

  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  ~Mailbox();

  // Any thread. On `closed` the caller keeps ownership of `node`.
  PushResult push(MailboxNode* node) noexcept;

  // Consumer only: the next message in order, or nullptr when empty right now.
  // The caller owns the returned node.
  [[nodiscard]] MailboxNode* pop() noexcept;

  // Consumer only: go idle if nothing arrived. False means new messages are waiting:
  // keep running. After true, the next push wakes the process.
  [[nodiscard]] bool try_block() noexcept;

  // Consumer only, once, when the process exits: refuses every later push and returns the
  // messages still queued (in order) so the caller can answer pending calls. The caller
  // owns the returned list.
  [[nodiscard]] MailboxNode* close() noexcept;

  [[nodiscard]] bool is_closed() const noexcept;

 private:
  void refill_cache() noexcept;

  std::atomic<MailboxNode*> head_{nullptr};
  MailboxNode* cache_ = nullptr;  // FIFO, consumer-owned
};

}  // namespace otter::core::detail
