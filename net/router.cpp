#include "net/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace otter::net {
namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. Paths always start with '/'.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

}  // namespace

Responder::Slot::~Slot() {
  if (!answered.exchange(true)) {
    deliver(json_error(500, "internal_error", "the request's handler finished without answering"));
  }
}

Responder::Responder(Deliver deliver) : slot_(std::make_shared<Slot>(std::move(deliver))) {}

void Responder::operator()(Response response) const {
  if (!slot_->answered.exchange(true)) slot_->deliver(std::move(response));
}

bool Responder::answered() const noexcept { return slot_->answered.load(); }

Handler respond_with(std::function<Response(const Request&)> handler) {
  return [handler = std::move(handler)](Request request, Responder respond) { respond(handler(request)); };
}

Router& Router::add(std::string method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern \"" + std::string(pattern) + "\" must start with '/'");
  }
  if (!handler) throw std::invalid_argument("route " + method + " " + std::string(pattern) + " has no handler");
  Entry entry{std::move(method), std::string(pattern), {}, std::move(handler)};
  for (const std::string_view segment : split_path(pattern)) {
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
      const std::string_view name = segment.substr(1, segment.size() - 2);
      if (name.empty() || name.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("route pattern \"" + std::string(pattern) + "\" has a malformed parameter");
      }
      entry.segments.push_back(Segment{std::string(name), true});
    } else {
      if (segment.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("route pattern \"" + std::string(pattern) +
                                    "\" mixes text and a parameter in one segment");
      }
      entry.segments.push_back(Segment{std::string(segment), false});
    }
  }
  for (const Entry& existing : entries_) {
    if (existing.method == entry.method && existing.pattern == entry.pattern) {
      throw std::invalid_argument("route " + entry.method + " " + entry.pattern + " is defined twice");
    }
  }
  entries_.push_back(std::move(entry));
  return *this;
}

Router::Route Router::route(std::string_view method, std::string_view path) const {
  const std::vector<std::string_view> segments = split_path(path);
  Route result;
  for (const Entry& entry : entries_) {
    if (entry.segments.size() != segments.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      const Segment& want = entry.segments[i];
      matches = want.is_param ? !segments[i].empty() : want.text == segments[i];
    }
    if (!matches) continue;
    if (entry.method != method) {
      if (std::find(result.allowed.begin(), result.allowed.end(), entry.method) == result.allowed.end()) {
        result.allowed.push_back(entry.method);
      }
      continue;
    }
    Route found;
    found.outcome = Outcome::found;
    found.handler = &entry.handler;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (!entry.segments[i].is_param) continue;
      std::optional<std::string> decoded = percent_decode(segments[i]);
      if (!decoded) {
        Route bad;
        bad.outcome = Outcome::bad_request;
        bad.error = "path parameter \"" + entry.segments[i].text + "\" has a malformed percent-escape";
        return bad;
      }
      found.params.emplace(entry.segments[i].text, std::move(*decoded));
    }
    return found;
  }
  if (!result.allowed.empty()) result.outcome = Outcome::method_not_allowed;
  return result;
}

}  // namespace otter::net
