#include "core/child_spec.hpp"

#include <exception>
#include <unordered_map>

namespace otter::core {

const char* to_string(Restart restart) noexcept {
  switch (restart) {
    case Restart::permanent: return "permanent";
    case Restart::transient: return "transient";
    case Restart::temporary: return "temporary";
  }
  return "unknown";
}

const char* to_string(ChildType type) noexcept {
  switch (type) {
    case ChildType::worker: return "worker";
    case ChildType::supervisor: return "supervisor";
  }
  return "unknown";
}

std::string Shutdown::to_string() const {
  switch (kind_) {
    case Kind::timeout: return std::to_string(timeout_.count()) + " ms";
    case Kind::brutal_kill: return "brutal_kill";
    case Kind::infinity: return "infinity";
  }
  return "unknown";
}

namespace {

constexpr std::size_t kNoPosition = static_cast<std::size_t>(-1);

// "child spec #2 ('db')" in a list, "child spec 'db'" alone.
std::string describe_spec(const ChildSpec& spec, std::size_t position) {
  if (position == kNoPosition) {
    return spec.id.empty() ? std::string{"child spec"} : "child spec '" + spec.id + "'";
  }
  std::string text = "child spec #" + std::to_string(position);
  if (!spec.id.empty()) text += " ('" + spec.id + "')";
  return text;
}

std::optional<ChildSpecError> validate_at(const ChildSpec& spec, std::size_t position,
                                          bool require_id) {
  using Code = ChildSpecError::Code;
  if (require_id && spec.id.empty()) {
    return ChildSpecError{Code::empty_id, describe_spec(spec, position) + ": the id is empty"};
  }
  if (!spec.start) {
    return ChildSpecError{Code::missing_start,
                          describe_spec(spec, position) + ": no start function"};
  }
  if (spec.shutdown && spec.shutdown->kind() == Shutdown::Kind::timeout &&
      spec.shutdown->timeout().count() < 0) {
    return ChildSpecError{Code::negative_shutdown,
                          describe_spec(spec, position) + ": the shutdown timeout is negative (" +
                              spec.shutdown->to_string() + ")"};
  }
  return std::nullopt;
}

}  // namespace

std::optional<ChildSpecError> validate(const ChildSpec& spec, bool require_id) {
  return validate_at(spec, kNoPosition, require_id);
}

std::optional<ChildSpecError> validate(std::span<const ChildSpec> specs) {
  std::unordered_map<std::string_view, std::size_t> first_use;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (auto error = validate_at(specs[i], i, true)) return error;
    const auto [it, inserted] = first_use.emplace(specs[i].id, i);
    if (!inserted) {
      return ChildSpecError{ChildSpecError::Code::duplicate_id,
                            describe_spec(specs[i], i) + ": the id '" + specs[i].id +
                                "' is already used by child spec #" + std::to_string(it->second)};
    }
  }
  return std::nullopt;
}

StartResult run_start_function(const ChildSpec& spec, Runtime& runtime) {
  try {
    return spec.start(runtime);
  } catch (const std::exception& e) {
    return StartResult::failed(ExitReason::error(e.what()));
  } catch (...) {
    return StartResult::failed(ExitReason::error("start function threw a non-exception"));
  }
}

}  // namespace otter::core
