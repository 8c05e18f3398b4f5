// How the simulator writes ops and texts into transcripts and failure messages: one line
// each, whatever the text holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ot/operation.hpp"

namespace otter::sim {

// The wire form: [5,"abc",-2].
[[nodiscard]] std::string wire(const ot::Operation& op);
// A JSON-style quoted string (\n, \", \\ and control characters escaped), cut after
// `max_bytes` at a code-point boundary with "…" added.
[[nodiscard]] std::string quoted_text(std::string_view text, std::size_t max_bytes = 160);

// The acked_ops failure: `who`'s op `seq`, acked as `acked_revision`, is stored at
// `stored_revision` (another revision) or nowhere.
[[nodiscard]] std::string misplaced_ack(const std::string& who, std::uint64_t seq, std::uint64_t acked_revision,
                                        std::optional<std::uint64_t> stored_revision);

}  // namespace otter::sim
