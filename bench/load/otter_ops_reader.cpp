#include "bench/load/otter_ops_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

namespace otter::bench {
namespace {

namespace json = boost::json;

// Nesting depths in {"type":"ops","ops":[{"rev":1,"client_id":"c-1","op":[2,"!"]}]}.
constexpr int kMessage = 1;  // the message object: its keys
constexpr int kEntries = 2;  // the "ops" array
constexpr int kEntry = 3;    // one entry object: its keys
constexpr int kOp = 4;       // an entry's "op" array: its components

enum class MessageKey { other, type, ops };
enum class EntryKey { other, rev, client_id, seq, op, duplicate };

struct Entry {
  std::uint64_t rev = 0;
  std::uint64_t seq = 0;
  std::string client_id;
  bool has_op = false;
  bool duplicate = false;
  std::int64_t delta = 0;
};

// The SAX handler: keeps the message's type and, for each entry of its "ops" array, the
// fields an event needs. Strings may come in parts; keys here are short and never do in
// practice, but parts are joined all the same.
class OpsHandler {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  void start() {
    depth_ = 0;
    message_key_ = MessageKey::other;
    entry_key_ = EntryKey::other;
    in_entries_ = false;
    in_op_ = false;
    type_.clear();
    key_.clear();
    entries_used_ = 0;
  }

  [[nodiscard]] bool is_ops() const { return type_ == "ops"; }
  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  [[nodiscard]] std::size_t entry_count() const { return entries_used_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code&) {
    ++depth_;
    if (depth_ == kEntry && in_entries_) begin_entry();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    --depth_;
    return true;
  }
  bool on_array_begin(json::error_code&) {
    ++depth_;
    if (depth_ == kEntries && message_key_ == MessageKey::ops) in_entries_ = true;
    if (depth_ == kOp && in_entries_ && entry_key_ == EntryKey::op) {
      in_op_ = true;
      current().has_op = true;
    }
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    if (depth_ == kEntries) in_entries_ = false;
    if (depth_ == kOp) in_op_ = false;
    --depth_;
    return true;
  }

  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    key_.append(last.data(), last.size());
    if (depth_ == kMessage) {
      message_key_ = key_ == "type" ? MessageKey::type : key_ == "ops" ? MessageKey::ops : MessageKey::other;
    } else if (depth_ == kEntry && in_entries_) {
      entry_key_ = classify_entry_key(key_);
    }
    key_.clear();
    return true;
  }

  bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
    on_text(part);
    return true;
  }
  bool on_string(json::string_view last, std::size_t, json::error_code&) {
    on_text(last);
    return true;
  }

  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t value, json::string_view, json::error_code&) {
    if (depth_ == kOp && in_op_) {
      if (value < 0) current().delta += value;  // a delete; a retain changes no length
    } else if (value >= 0) {
      on_count(static_cast<std::uint64_t>(value));
    }
    return true;
  }
  bool on_uint64(std::uint64_t value, json::string_view, json::error_code&) {
    on_count(value);
    return true;
  }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool value, json::error_code&) {
    if (depth_ == kEntry && in_entries_ && entry_key_ == EntryKey::duplicate) current().duplicate = value;
    return true;
  }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  static EntryKey classify_entry_key(const std::string& key) {
    if (key == "rev") return EntryKey::rev;
    if (key == "client_id") return EntryKey::client_id;
    if (key == "seq") return EntryKey::seq;
    if (key == "op") return EntryKey::op;
    if (key == "duplicate") return EntryKey::duplicate;
    return EntryKey::other;
  }

  // Entries are reused between frames, client_id's buffer with them.
  void begin_entry() {
    if (entries_used_ == entries_.size()) entries_.emplace_back();
    Entry& entry = entries_[entries_used_++];
    entry.rev = 0;
    entry.seq = 0;
    entry.client_id.clear();
    entry.has_op = false;
    entry.duplicate = false;
    entry.delta = 0;
    entry_key_ = EntryKey::other;
  }
  Entry& current() { return entries_[entries_used_ - 1]; }

  void on_text(json::string_view text) {
    if (depth_ == kMessage && message_key_ == MessageKey::type) {
      type_.append(text.data(), text.size());
    } else if (depth_ == kEntry && in_entries_ && entry_key_ == EntryKey::client_id) {
      current().client_id.append(text.data(), text.size());
    } else if (depth_ == kOp && in_op_) {
      // Counting lead bytes is additive, so a part that splits a character counts right.
      current().delta += count_code_points({text.data(), text.size()});
    }
  }

  void on_count(std::uint64_t value) {
    if (depth_ != kEntry || !in_entries_) return;
    if (entry_key_ == EntryKey::rev) current().rev = value;
    if (entry_key_ == EntryKey::seq) current().seq = value;
  }

  int depth_ = 0;
  MessageKey message_key_ = MessageKey::other;
  EntryKey entry_key_ = EntryKey::other;
  bool in_entries_ = false;
  bool in_op_ = false;
  std::string type_;
  std::string key_;
  std::vector<Entry> entries_;
  std::size_t entries_used_ = 0;
};

}  // namespace

struct OtterOpsReader::Parser {
  json::basic_parser<OpsHandler> sax{json::parse_options{}};
};

OtterOpsReader::OtterOpsReader() : parser_(std::make_unique<Parser>()) {}
OtterOpsReader::~OtterOpsReader() = default;

bool OtterOpsReader::read(std::string_view frame, std::string_view own_client_id, Decoded& out) {
  json::basic_parser<OpsHandler>& sax = parser_->sax;
  sax.reset();
  OpsHandler& handler = sax.handler();
  handler.start();
  json::error_code ec;
  const std::size_t used = sax.write_some(false, frame.data(), frame.size(), ec);
  if (ec || used != frame.size() || !handler.is_ops()) return false;
  for (std::size_t i = 0; i < handler.entry_count(); ++i) {
    const Entry& entry = handler.entries()[i];
    if (entry.duplicate) continue;  // an ack out of the revision stream for a resend; the benchmark never resends
    WireEvent applied;
    applied.version = entry.rev;
    if (!entry.has_op && entry.client_id == own_client_id) {
      applied.own = true;
      applied.seq = entry.seq;
    } else if (entry.has_op) {
      applied.delta = entry.delta;
      applied.sender = sender_of(entry.client_id);
    }
    out.events.push_back(applied);
  }
  return true;
}

}  // namespace otter::bench
