#pragma once
// Pid: the name of one process, valid for its whole life and never again.
//
// A Pid names its node, a slot in that node's process table and the slot's generation.
// When a process exits its slot's generation is bumped, so a stale Pid held by anyone
// (a registry entry, a monitor, a reply address) can never reach a newer process that
// reuses the slot: lookups compare the generation and miss. A slot whose 32-bit
// generation has run out is retired, never reused, so this holds without exception.
//
// A Pid is a plain value: cheap to copy, hash and print (as `<node.index.generation>`,
// like Erlang's `<0.42.0>`). The null Pid (index 0) names no process.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace otter::core {

struct Pid {
  std::uint32_t node = 0;
  std::uint32_t index = 0;       // slot in the node's process table; 0 = no process
  std::uint32_t generation = 0;  // bumped each time the slot is freed

  [[nodiscard]] constexpr bool is_null() const noexcept { return index == 0; }
  [[nodiscard]] constexpr explicit operator bool() const noexcept { return !is_null(); }
  friend constexpr bool operator==(const Pid&, const Pid&) noexcept = default;
  friend constexpr auto operator<=>(const Pid&, const Pid&) noexcept = default;

  [[nodiscard]] std::string to_string() const {
    return "<" + std::to_string(node) + "." + std::to_string(index) + "." +
           std::to_string(generation) + ">";
  }
  friend std::ostream& operator<<(std::ostream& os, const Pid& pid) { return os << pid.to_string(); }
};

}  // namespace otter::core

template <>
struct std::hash<otter::core::Pid> {
  std::size_t operator()(const otter::core::Pid& pid) const noexcept {
    const std::uint64_t a = (std::uint64_t{pid.node} << 32) | pid.index;
    return std::hash<std::uint64_t>{}(a * 0x9E3779B97F4A7C15ull ^ pid.generation);
  }
};
