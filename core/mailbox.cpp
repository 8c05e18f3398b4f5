#include "core/mailbox.hpp"

namespace otter::core::detail {
namespace {

// Sentinel addresses; never dereferenced.
MailboxNode blocked_sentinel;
MailboxNode closed_sentinel;
MailboxNode* const blocked = &blocked_sentinel;
MailboxNode* const closed = &closed_sentinel;

void delete_list(MailboxNode* node) noexcept {
  while (node != nullptr) {
    MailboxNode* next = node->next;
    delete node;
    node = next;
  }
}

}  // namespace

Mailbox::~Mailbox() {
  delete_list(cache_);
  MailboxNode* head = head_.load(std::memory_order_acquire);
  if (head != blocked && head != closed) delete_list(head);
}

Mailbox::PushResult Mailbox::push(MailboxNode* node) noexcept {
  MailboxNode* head = head_.load(std::memory_order_relaxed);
  for (;;) {
    if (head == closed) return PushResult::closed;
    node->next = head == blocked ? nullptr : head;
    if (head_.compare_exchange_weak(head, node, std::memory_order_release,
                                    std::memory_order_relaxed)) {
      return head == blocked ? PushResult::wake : PushResult::queued;
    }
  }
}

void Mailbox::refill_cache() noexcept {
  MailboxNode* head = head_.load(std::memory_order_relaxed);
  // Only the consumer sets `blocked`; a consumer that looks again before being woken
  // (ScopedProcess after a spurious wake-up) finds it still there: nothing new.
  if (head == nullptr || head == blocked) return;
  head = head_.exchange(nullptr, std::memory_order_acquire);
  MailboxNode* reversed = nullptr;
  while (head != nullptr) {
    MailboxNode* next = head->next;
    head->next = reversed;
    reversed = head;
    head = next;
  }
  cache_ = reversed;
}

MailboxNode* Mailbox::pop() noexcept {
  if (cache_ == nullptr) refill_cache();
  MailboxNode* node = cache_;
  if (node != nullptr) cache_ = node->next;
  return node;
}

bool Mailbox::try_block() noexcept {
  if (cache_ != nullptr) return false;
  MailboxNode* expected = nullptr;
  return head_.compare_exchange_strong(expected, blocked, std::memory_order_acq_rel,
                                       std::memory_order_relaxed) ||
         expected == blocked;
}

MailboxNode* Mailbox::close() noexcept {
  MailboxNode* rest = cache_;
  cache_ = nullptr;
  MailboxNode* head = head_.exchange(closed, std::memory_order_acq_rel);
  if (head == closed || head == blocked) head = nullptr;
  // Reverse the late arrivals and append them after the cached ones.
  MailboxNode* reversed = nullptr;
  while (head != nullptr) {
    MailboxNode* next = head->next;
    head->next = reversed;
    reversed = head;
    head = next;
  }
  if (rest == nullptr) return reversed;
  MailboxNode* tail = rest;
  while (tail->next != nullptr) tail = tail->next;
  tail->next = reversed;
  return rest;
}

bool Mailbox::is_closed() const noexcept {
  return head_.load(std::memory_order_acquire) == closed;
}

}  // namespace otter::core::detail
