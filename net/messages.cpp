#include "net/messages.hpp"

#include <limits>
#include <ostream>

namespace otter::net {

RequestId::RequestId(std::uint64_t number) {
  if (number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    value_ = static_cast<std::int64_t>(number);
  } else {
    value_ = number;
  }
}

std::ostream& operator<<(std::ostream& out, const RequestId& id) {
  std::visit(
      [&out](const auto& value) {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string>) {
          out << '"' << value << '"';
        } else {
          out << value;
        }
      },
      id.value());
  return out;
}

std::ostream& operator<<(std::ostream& out, const ErrorMessage& error) {
  out << to_string(error.code) << ": " << error.message;
  if (error.id) out << " (id " << *error.id << ")";
  if (error.doc) out << " (doc \"" << *error.doc << "\")";
  if (error.seq) out << " (seq " << *error.seq << ")";
  return out;
}

}  // namespace otter::net
