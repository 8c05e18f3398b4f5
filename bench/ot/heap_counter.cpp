#include "heap_counter.hpp"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace otter::bench::heap {
namespace {

// Plain globals: the program is single-threaded, and an atomic on every allocation would
// tax the code being timed.
bool g_counting = false;
std::ptrdiff_t g_live = 0;
std::ptrdiff_t g_peak = 0;

[[nodiscard]] std::ptrdiff_t block_size(void* p) noexcept {
  return static_cast<std::ptrdiff_t>(malloc_usable_size(p));
}

}  // namespace

// Called only by the replaced operators below.
void* allocate(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  if (g_counting) {
    g_live += block_size(p);
    if (g_live > g_peak) g_peak = g_live;
  }
  return p;
}

void deallocate(void* p) noexcept {
  if (p == nullptr) return;
  if (g_counting) g_live -= block_size(p);
  std::free(p);
}

Measurement::Measurement() noexcept {
  g_live = 0;
  g_peak = 0;
  g_counting = true;
}

Measurement::~Measurement() { g_counting = false; }

std::ptrdiff_t Measurement::live_bytes() const noexcept { return g_live; }
std::ptrdiff_t Measurement::peak_bytes() const noexcept { return g_peak; }

}  // namespace otter::bench::heap

// Aligned new/delete keep their defaults: nothing measured over-aligns.
void* operator new(std::size_t size) { return otter::bench::heap::allocate(size); }
void* operator new[](std::size_t size) { return otter::bench::heap::allocate(size); }
void operator delete(void* p) noexcept { otter::bench::heap::deallocate(p); }
void operator delete[](void* p) noexcept { otter::bench::heap::deallocate(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { otter::bench::heap::deallocate(p); }
void operator delete[](void* p, std::size_t /*size*/) noexcept { otter::bench::heap::deallocate(p); }
