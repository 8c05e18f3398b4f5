#include "ot/operation.hpp"

#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "ot/utf8.hpp"

namespace otter::ot {

void Operation::throw_too_long(std::size_t length) {
  throw std::length_error("op length " + std::to_string(length) + " exceeds the maximum " +
                          std::to_string(kMaxLength));
}

Operation Operation::identity(std::size_t length) {
  Operation op;
  op.retain(length);
  return op;
}

Operation& Operation::retain(std::size_t count) {
  if (count == 0) return *this;
  check_length(count);
  check_length(base_length_ + count);
  check_length(target_length_ + count);
  base_length_ += count;
  target_length_ += count;
  if (!components_.empty() && components_.back().is_retain()) {
    components_.back().length_ += count;
  } else {
    components_.push_back(Component(ComponentKind::retain, count, {}));
  }
  return *this;
}

Operation& Operation::erase(std::size_t count) {
  if (count == 0) return *this;
  check_length(count);
  check_length(base_length_ + count);
  base_length_ += count;
  if (!components_.empty() && components_.back().is_erase()) {
    components_.back().length_ += count;
  } else {
    components_.push_back(Component(ComponentKind::erase, count, {}));
  }
  return *this;
}

Operation& Operation::insert(std::string_view utf8) {
  const std::optional<std::size_t> code_points = validated_code_points(utf8);
  if (!code_points) throw std::invalid_argument("inserted text is not valid UTF-8");
  return insert_validated(utf8, *code_points);
}

Operation& Operation::insert_validated(std::string_view utf8, std::size_t code_points) {
  if (code_points == 0) return *this;
  check_length(code_points);
  check_length(target_length_ + code_points);
  target_length_ += code_points;
  const auto merge_into = [&](Component& previous) {
    previous.text_.append(utf8);
    previous.length_ += code_points;
  };
  if (components_.empty()) {
    components_.push_back(Component(ComponentKind::insert, code_points, std::string(utf8)));
  } else if (components_.back().is_insert()) {
    merge_into(components_.back());
  } else if (components_.back().is_erase()) {
    // Insert before delete: [.., "a", -2] + "b" = [.., "ab", -2]; [.., 1, -2] + "b" =
    // [.., 1, "b", -2]. Both orders mean the same edit; one of them must be canonical.
    const std::size_t n = components_.size();
    if (n >= 2 && components_[n - 2].is_insert()) {
      merge_into(components_[n - 2]);
    } else {
      components_.insert(components_.end() - 1, Component(ComponentKind::insert, code_points, std::string(utf8)));
    }
  } else {
    components_.push_back(Component(ComponentKind::insert, code_points, std::string(utf8)));
  }
  return *this;
}

bool Operation::is_identity() const noexcept {
  return std::all_of(components_.begin(), components_.end(), [](const Component& c) { return c.is_retain(); });
}

std::ostream& operator<<(std::ostream& out, const Operation& op) {
  static constexpr char kHex[] = "0123456789abcdef";
  out << '[';
  bool first = true;
  for (const Component& c : op.components()) {
    if (!first) out << ',';
    first = false;
    switch (c.kind()) {
      case ComponentKind::retain:
        out << c.length();
        break;
      case ComponentKind::erase:
        out << '-' << c.length();
        break;
      case ComponentKind::insert:
        out << '"';
        for (const char ch : c.text()) {
          const auto byte = static_cast<unsigned char>(ch);
          if (ch == '"' || ch == '\\') {
            out << '\\' << ch;
          } else if (byte < 0x20U) {
            out << "\\u00" << kHex[byte >> 4U] << kHex[byte & 0xFU];
          } else {
            out << ch;
          }
        }
        out << '"';
        break;
    }
  }
  return out << ']';
}

}  // namespace otter::ot
