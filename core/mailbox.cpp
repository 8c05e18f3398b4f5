#include "core/mailbox.hpp"

#include <new>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

namespace otter::core::detail {
namespace {

// --- node recycling ------------------------------------------------------------------
// Each thread keeps up to kCachedNodes freed nodes and hands them out again. A node is
// often freed on another thread than the one that allocated it (the receiver frees
// what the sender allocated); the cache doesn't care, it holds raw blocks. In an ASan
// build the cached blocks are poisoned (but for the link word), so a use after free of a
// node is still reported.
constexpr std::size_t kCachedNodes = 1024;

struct FreeBlock {
  FreeBlock* next;
};

// Trivially destructible, so it can still be read while (and after) the cache below is
// destroyed at thread exit: nodes freed that late go straight back to the heap.
enum class CacheState : unsigned char { unused, alive, destroyed };
thread_local CacheState cache_state = CacheState::unused;

class NodeCache {
 public:
  NodeCache() noexcept { cache_state = CacheState::alive; }
  NodeCache(const NodeCache&) = delete;
  NodeCache& operator=(const NodeCache&) = delete;
  ~NodeCache() {
    cache_state = CacheState::destroyed;
    while (head_ != nullptr) {
      FreeBlock* next = take_link(head_);
      ::operator delete(static_cast<void*>(head_));  // unsized: clang has no sized delete by default
      head_ = next;
    }
  }

  void* take() noexcept {
    FreeBlock* block = head_;
    if (block == nullptr) return nullptr;
    head_ = take_link(block);
    --count_;
    ASAN_UNPOISON_MEMORY_REGION(block, sizeof(MailboxNode));
    return block;
  }

  bool give(void* memory) noexcept {
    if (count_ == kCachedNodes) return false;
    auto* block = static_cast<FreeBlock*>(memory);
    block->next = head_;
    ASAN_POISON_MEMORY_REGION(reinterpret_cast<char*>(block) + sizeof(FreeBlock),
                              sizeof(MailboxNode) - sizeof(FreeBlock));
    head_ = block;
    ++count_;
    return true;
  }

 private:
  static FreeBlock* take_link(FreeBlock* block) noexcept { return block->next; }

  FreeBlock* head_ = nullptr;
  std::size_t count_ = 0;
};

thread_local NodeCache node_cache;

static_assert(sizeof(MailboxNode) >= sizeof(FreeBlock));

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

void* MailboxNode::operator new(std::size_t size) {
  if (size == sizeof(MailboxNode) && cache_state != CacheState::destroyed) {
    if (void* recycled = node_cache.take()) return recycled;
  }
  return ::operator new(size);
}

void MailboxNode::operator delete(void* memory, std::size_t size) noexcept {
  if (memory == nullptr) return;
  if (size == sizeof(MailboxNode) && cache_state != CacheState::destroyed &&
      node_cache.give(memory)) {
    return;
  }
  ::operator delete(memory);
}

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
    // acq_rel, not just release: the push that replaces `blocked` wakes the process, and
    // its next run (on whichever thread) must see everything the last run wrote before
    // try_block published `blocked`. Acquiring here chains that run to the wake-up.
    if (head_.compare_exchange_weak(head, node, std::memory_order_acq_rel,
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
