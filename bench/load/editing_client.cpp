#include "bench/load/editing_client.hpp"

#include <algorithm>
#include <cmath>

namespace otter::bench {

EditingClient::EditingClient(RunShared& run, ClientIdentity identity, std::unique_ptr<EditSource> source,
                             ClientFlow flow)
    : run_(run),
      identity_(std::move(identity)),
      wire_(make_client_wire(run.protocol, identity_)),
      source_(std::move(source)),
      flow_(flow),
      pace_timer_(run.io) {
  next_seq_ = wire_->first_seq();
  run_.sent.at(identity_.index).first_seq = next_seq_;
  flow_.window = std::max<std::size_t>(flow_.window, 1);
}

void EditingClient::connect() {
  connection_ = open_ws_connection(run_.io, run_.server, run_.host_header, wire_->target(),
                                   {.on_open =
                                        [this] {
                                          std::vector<std::string> frames = wire_->join();
                                          if (frames.empty()) return become_ready(0, 0);
                                          for (std::string& frame : frames) connection_->send(std::move(frame));
                                        },
                                    .on_message = [this](std::string_view frame) { on_message(frame); },
                                    .on_closed = [this](const std::string& why) { on_closed(why); }});
}

void EditingClient::start_editing() {
  if (!ready_ || failed_) return;
  editing_ = true;
  if (flow_.rate > 0) {
    // Spread the clients' first edits over one interval so they don't type in lockstep.
    const double interval = 1.0 / flow_.rate;
    const double phase = std::fmod(static_cast<double>(identity_.index) * 0.6180339887, 1.0);
    next_send_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(interval * phase));
  }
  send_edits();
}

void EditingClient::stop_editing() {
  editing_ = false;
  pace_timer_.cancel();
}

void EditingClient::disconnect() {
  stop_editing();
  closing_ = true;
  if (connection_) connection_->close();
}

void EditingClient::on_message(std::string_view frame) {
  decoded_.clear();
  wire_->decode(frame, decoded_);
  for (std::string& reply : decoded_.replies) connection_->send(std::move(reply));
  for (const WireEvent& event : decoded_.events) {
    switch (event.kind) {
      case WireEvent::Kind::ready:
        if (!ready_) become_ready(event.version, event.length);
        break;
      case WireEvent::Kind::error:
        record_error(event.message);
        break;
      case WireEvent::Kind::applied:
        if (ready_) apply_in_order(event);
        break;
    }
  }
}

void EditingClient::on_closed(const std::string& why) {
  if (ready_) --run_.open_connections;
  if (closing_) return;
  record_error("connection of " + identity_.client_id + " closed: " + why);
  const bool was_joining = !ready_ && !failed_;
  failed_ = true;
  if (was_joining && run_.on_failed) run_.on_failed(*this);
}

void EditingClient::become_ready(std::uint64_t version, std::int64_t length) {
  ready_ = true;
  ++run_.open_connections;
  version_ = version;
  length_ = length;
  local_length_ = length;
  seen_from_.assign(run_.sent.size(), 0);
  if (run_.on_ready) run_.on_ready(*this);
}

void EditingClient::apply_in_order(const WireEvent& event) {
  if (!wire_->versioned()) return apply(event);
  if (event.version <= version_) return;  // seen already (ShareDB sends some ops twice)
  if (event.version > version_ + 1) {
    early_.emplace(event.version, event);
    return;
  }
  // The version first: applying an ack may send the next edit, based on it.
  version_ = event.version;
  apply(event);
  for (auto next = early_.begin(); next != early_.end() && next->first <= version_ + 1; next = early_.erase(next)) {
    if (next->first == version_ + 1) {
      version_ = next->first;
      apply(next->second);
    }
  }
}

void EditingClient::apply(const WireEvent& event) {
  const Clock::time_point now = Clock::now();
  if (!event.own) {
    length_ += event.delta;
    local_length_ += event.delta;
    if (event.sender >= run_.sent.size() || event.sender == identity_.index) return;
    const SentLog& log = run_.sent[event.sender];
    const std::uint64_t seq = event.seq != 0 ? event.seq : log.first_seq + seen_from_[event.sender]++;
    if (seq >= log.first_seq && seq - log.first_seq < log.at.size()) {
      run_.seen_latency.record((now - log.at[seq - log.first_seq]).count());
    }
    return;
  }
  if (in_flight_.empty()) return record_error(identity_.client_id + ": an ack for no edit in flight");
  length_ += in_flight_.front();
  in_flight_.pop_front();
  ++acked_;
  ++run_.acked;
  last_ack_ = now;
  const SentLog& log = run_.sent[identity_.index];
  if (event.seq >= log.first_seq && event.seq - log.first_seq < log.at.size()) {
    run_.ack_latency.record((now - log.at[event.seq - log.first_seq]).count());
  }
  send_edits();
}

void EditingClient::record_error(const std::string& message) {
  ++run_.errors;
  if (run_.first_error.empty()) run_.first_error = message;
  // The server did not apply what is in flight: this client's view may be wrong now, so it
  // stops editing rather than send edits the server would refuse too.
  editing_ = false;
  in_flight_.clear();
}

void EditingClient::send_edits() {
  while (editing_ && !exhausted_ && in_flight_.size() < flow_.window) {
    const Clock::time_point now = Clock::now();
    if (flow_.rate > 0) {
      if (now < next_send_) {
        if (!pace_armed_) {
          pace_armed_ = true;
          pace_timer_.expires_at(next_send_);
          pace_timer_.async_wait([this](boost::system::error_code ec) {
            if (ec) return;  // cancelled: the client may be gone
            pace_armed_ = false;
            send_edits();
          });
        }
        return;
      }
      next_send_ = std::max(next_send_, now) + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(1.0 / flow_.rate));
    }
    const std::optional<PlannedEdit> planned = source_->next(local_length_);
    if (!planned) {
      exhausted_ = true;
      return;
    }
    const Edit edit{.base_version = version_ + in_flight_.size(),
                    .seq = next_seq_++,
                    .length = local_length_,
                    .position = planned->position,
                    .erase = planned->erase,
                    .insert = planned->insert,
                    .insert_code_points = planned->insert_code_points};
    connection_->send(wire_->edit(edit));
    run_.sent[identity_.index].at.push_back(now);
    const std::int64_t delta = planned->insert_code_points - planned->erase;
    in_flight_.push_back(delta);
    local_length_ += delta;
    ++run_.submitted;
  }
}

}  // namespace otter::bench
