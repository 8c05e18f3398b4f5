// How `otter watch` prints a change: one line each, readable by default, JSON with --json.
//
//   r12 c-7f3a (Ann): insert "abc" at 5, delete 2 at 9 ("xy")
//   {"type":"change","rev":12,"client_id":"c-7f3a","name":"Ann","op":[5,"abc",1,-2],"deleted":["xy"]}
//
// Positions are code points, each in the text as the change's earlier parts left it (so
// the parts read as steps applied in order). Text is quoted as a JSON string, so a change
// is always one line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/otter_client_events.hpp"

namespace otter::cli {

[[nodiscard]] std::string quoted(std::string_view text);
[[nodiscard]] std::string describe_change(const net::RemoteEditEvent& change,
                                          const std::optional<std::string>& author_name);
[[nodiscard]] std::string change_json(const net::RemoteEditEvent& change,
                                      const std::optional<std::string>& author_name);

}  // namespace otter::cli
