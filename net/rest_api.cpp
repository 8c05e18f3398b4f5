#include "net/rest_api.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <variant>

#include "core/scoped_process.hpp"
#include "net/json_fields.hpp"
#include "ot/json_codec.hpp"
#include "ot/utf8.hpp"
#include "server/service.hpp"
#include "storage/error.hpp"

namespace otter::net {

namespace json = boost::json;

namespace {

constexpr std::uint64_t kMaxCount = (std::uint64_t{1} << 53U) - 1;  // the protocol's integer range
constexpr std::size_t kMaxClientIdBytes = 64;
constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

Response json_response(int status, const json::value& body) { return Response::json(status, json::serialize(body)); }

Response error_response(const ErrorMessage& error) {
  return json_error(http_status(error.code), to_string(error.code), error.message);
}

Response error_response(ErrorCode code, std::string_view message) {
  return json_error(http_status(code), to_string(code), message);
}

// A storage error as the API answers it. `revision_out_of_range` only comes from reads of
// an old revision (text_at, ops_since): the revision asked for is not there yet, so 404.
Response storage_error_response(const storage::Error& error) {
  using storage::ErrorCode;
  switch (error.code) {
    case ErrorCode::invalid_document_id: return error_response(net::ErrorCode::invalid_doc_id, error.message);
    case ErrorCode::not_found: return error_response(net::ErrorCode::doc_not_found, error.message);
    case ErrorCode::already_exists: return json_error(409, "doc_exists", error.message);
    case ErrorCode::revision_out_of_range:
      return json_error(404, to_string(net::ErrorCode::revision_in_future), error.message);
    case ErrorCode::corrupt_data:
    case ErrorCode::duplicate_revision:
    case ErrorCode::revision_gap:
    case ErrorCode::length_mismatch:
    case ErrorCode::invalid_snapshot:
      return error_response(net::ErrorCode::internal_error, std::string(storage::to_string(error.code)) + ": " +
                                                                error.message);
    case ErrorCode::unsupported_schema:
    case ErrorCode::database_busy:
    case ErrorCode::database_error:
    case ErrorCode::queue_full:
    case ErrorCode::writer_stopped:
      break;
  }
  return error_response(net::ErrorCode::storage_unavailable,
                        std::string(storage::to_string(error.code)) + ": " + error.message);
}

bool is_client_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

// A decimal integer in [0, 2^53 - 1], digits only ("+1", "1.0", "1e3", " 1" are not).
std::optional<std::uint64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value > kMaxCount) return std::nullopt;
  return value;
}

// The fields of a request body, read in a fixed order; the first bad one is the answer.
class BodyFields {
 public:
  explicit BodyFields(const json::object& object) : object_(object) {}

  std::optional<std::uint64_t> count(std::string_view key, std::uint64_t minimum, bool required) {
    const json::value* value = find(key, required);
    if (value == nullptr) return std::nullopt;
    std::optional<std::uint64_t> number;
    if (value->is_uint64()) number = value->get_uint64();
    if (value->is_int64() && value->get_int64() >= 0) number = static_cast<std::uint64_t>(value->get_int64());
    if (!number || *number < minimum || *number > kMaxCount) {
      fail(ErrorCode::invalid_message, "field \"" + std::string(key) + "\" must be an integer from " +
                                           std::to_string(minimum) + " to " + std::to_string(kMaxCount) + ", not " +
                                           detail::describe(*value));
      return std::nullopt;
    }
    return number;
  }

  std::optional<std::string> string(std::string_view key, bool required) {
    const json::value* value = find(key, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      fail(ErrorCode::invalid_message,
           "field \"" + std::string(key) + "\" must be a string, not " + detail::describe(*value));
      return std::nullopt;
    }
    std::string text(value->get_string());
    if (!ot::is_valid_utf8(text)) {
      fail(ErrorCode::invalid_utf8, "field \"" + std::string(key) + "\" is not valid UTF-8");
      return std::nullopt;
    }
    return text;
  }

  const json::value* value(std::string_view key, bool required) { return find(key, required); }

  void fail(ErrorCode code, std::string message) {
    if (!failure_) failure_ = make_error(code, std::move(message));
  }
  [[nodiscard]] const std::optional<ErrorMessage>& failure() const noexcept { return failure_; }

 private:
  const json::value* find(std::string_view key, bool required) {
    if (failure_) return nullptr;
    const json::value* value = object_.if_contains(key);
    if (value != nullptr && value->is_null()) value = nullptr;
    if (value == nullptr && required) fail(ErrorCode::invalid_message, "the body is missing the field \"" +
                                                                           std::string(key) + "\"");
    return value;
  }

  const json::object& object_;
  std::optional<ErrorMessage> failure_;
};

// The body as a JSON object; an empty body is {} when `empty_is_object`.
std::variant<json::object, Response> parse_object(const Request& request, bool empty_is_object) {
  if (request.body.empty() && empty_is_object) return json::object{};
  boost::system::error_code error;
  json::value body = json::parse(request.body, error);
  if (error) {
    return error_response(ErrorCode::bad_json, "the request body is not JSON: " + error.message());
  }
  if (!body.is_object()) {
    return error_response(ErrorCode::bad_json, "the request body must be a JSON object, not " + detail::describe(body));
  }
  return std::move(body.get_object());
}

json::value document_info_json(const storage::DocumentInfo& info) {
  return json::object{{"id", info.id},
                      {"revision", info.head_revision},
                      {"length", info.length},
                      {"created_ms", info.created.time_since_epoch().count()},
                      {"updated_ms", info.updated.time_since_epoch().count()}};
}

}  // namespace

int http_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::doc_not_found: return 404;
    case ErrorCode::not_open:
    case ErrorCode::base_length_mismatch:
    case ErrorCode::revision_in_future:
    case ErrorCode::resync_required:
    case ErrorCode::seq_out_of_order: return 409;
    case ErrorCode::frame_too_large:
    case ErrorCode::op_too_large:
    case ErrorCode::doc_too_large: return 413;
    case ErrorCode::too_many_docs:
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::internal_error: return 500;
    case ErrorCode::slow_consumer:
    case ErrorCode::storage_unavailable:
    case ErrorCode::shutting_down: return 503;
    case ErrorCode::bad_json:
    case ErrorCode::binary_frame:
    case ErrorCode::hello_required:
    case ErrorCode::unsupported_version:
    case ErrorCode::unknown_type:
    case ErrorCode::invalid_message:
    case ErrorCode::invalid_doc_id:
    case ErrorCode::invalid_op:
    case ErrorCode::invalid_utf8: return 400;
  }
  return 500;
}

// ----------------------------------------------------------------------------- state

struct RestApi::State {
  State(server::Service& service_ref, RestOptions opts)
      : service(service_ref), options(std::move(opts)), pool(std::max(1U, options.threads)),
        random(std::random_device{}()) {}

  using Work = Response (State::*)(const Request&);

  // A handler that runs `work` on the pool (admission control, exceptions -> 500).
  static Handler blocking(const std::shared_ptr<State>& state, Work work) {
    return [state, work](Request request, Responder respond) {
      state->requests.fetch_add(1, std::memory_order_relaxed);
      {
        const std::lock_guard lock(state->mutex);
        if (!state->stopping && state->in_flight < state->options.max_in_flight) {
          ++state->in_flight;
          // A raw pointer: stop() joins the pool before the state can go away, and a
          // shared_ptr released on a pool thread could destroy the pool from inside it.
          boost::asio::post(state->pool, [self = state.get(), work, request = std::move(request), respond] {
            respond(self->run(work, request));
            self->finished();
          });
          return;
        }
      }
      if (state->is_stopping()) {
        respond(error_response(ErrorCode::shutting_down, "the server is stopping"));
      } else {
        state->rejected.fetch_add(1, std::memory_order_relaxed);
        respond(json_error(503, "overloaded",
                           "the server has " + std::to_string(state->options.max_in_flight) +
                               " API requests in progress; try again later"));
      }
    };
  }

  // A handler that answers on the I/O thread (cheap, non-blocking work only).
  static Handler immediate(const std::shared_ptr<State>& state, Work work) {
    return [state, work](Request request, Responder respond) {
      state->requests.fetch_add(1, std::memory_order_relaxed);
      if (state->is_stopping()) {
        respond(error_response(ErrorCode::shutting_down, "the server is stopping"));
        return;
      }
      respond(state->run(work, request));
    };
  }

  Response run(Work work, const Request& request) {
    try {
      Response response = (this->*work)(request);
      if (response.status >= 500) failures.fetch_add(1, std::memory_order_relaxed);
      return response;
    } catch (const std::exception& error) {
      failures.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("{} {}: {}", request.method, request.path, error.what());
      return error_response(ErrorCode::internal_error, "the request failed inside the server; see its log");
    }
  }

  void finished() {
    const std::lock_guard lock(mutex);
    --in_flight;
  }

  [[nodiscard]] bool is_stopping() {
    const std::lock_guard lock(mutex);
    return stopping;
  }

  void stop() {
    {
      const std::lock_guard lock(mutex);
      if (stopping) return;
      stopping = true;
    }
    pool.join();
  }

  // --- endpoints --------------------------------------------------------------------------

  Response healthz(const Request& /*request*/) { return json_response(200, json::object{{"status", "ok"}}); }

  Response metrics(const Request& /*request*/) {
    std::string text = service.render_metrics();
    text += "# HELP otter_rest_requests_total REST and operational HTTP requests routed to handlers.\n";
    text += "# TYPE otter_rest_requests_total counter\n";
    text += "otter_rest_requests_total " + std::to_string(requests.load(std::memory_order_relaxed)) + "\n";
    text += "# HELP otter_rest_failures_total REST requests answered with a 5xx status.\n";
    text += "# TYPE otter_rest_failures_total counter\n";
    text += "otter_rest_failures_total " + std::to_string(failures.load(std::memory_order_relaxed)) + "\n";
    text += "# HELP otter_rest_rejected_total REST requests refused with 503 overloaded.\n";
    text += "# TYPE otter_rest_rejected_total counter\n";
    text += "otter_rest_rejected_total " + std::to_string(rejected.load(std::memory_order_relaxed)) + "\n";
    text += "# HELP otter_rest_in_flight REST requests queued or running on the API's threads.\n";
    text += "# TYPE otter_rest_in_flight gauge\n";
    {
      const std::lock_guard lock(mutex);
      text += "otter_rest_in_flight " + std::to_string(in_flight) + "\n";
    }
    if (options.extra_metrics) text += options.extra_metrics();
    return Response{200, std::string(kMetricsContentType), std::move(text), {}};
  }

  Response list_documents(const Request& /*request*/) {
    storage::Expected<std::vector<storage::DocumentInfo>> listed = service.storage().list_documents();
    if (!listed) return storage_error_response(listed.error());
    json::array documents;
    documents.reserve(listed->size());
    for (const storage::DocumentInfo& info : *listed) documents.push_back(document_info_json(info));
    return json_response(200, json::object{{"documents", std::move(documents)}});
  }

  Response create_document(const Request& request) {
    auto parsed = parse_object(request, true);
    if (auto* refused = std::get_if<Response>(&parsed)) return std::move(*refused);
    BodyFields fields(std::get<json::object>(parsed));
    std::optional<std::string> id = fields.string("id", false);
    std::optional<std::string> text = fields.string("text", false);
    if (fields.failure()) return error_response(*fields.failure());
    if (!id) id = new_document_id();
    if (auto valid = server::check_document_id(*id); !valid) return error_response(valid.error());

    std::optional<ot::Operation> insert;
    if (text && !text->empty()) {
      const std::size_t code_points = ot::count_code_points(*text);
      const std::size_t limit = service.context().document_options.max_code_points;
      if (code_points > limit) {
        return error_response(ErrorCode::doc_too_large, "the text is " + std::to_string(code_points) +
                                                            " code points; documents hold at most " +
                                                            std::to_string(limit));
      }
      ot::Expected<ot::Operation> op = ot::from_json(json::array{json::string(*text)});
      if (!op) return error_response(from_ot(op.error().code), op.error().message);
      insert = std::move(*op);
    }

    if (storage::Expected<void> created = service.storage().create_document(*id); !created) {
      if (created.error().code == storage::ErrorCode::already_exists) {
        return json_error(409, "doc_exists", "document \"" + *id + "\" already exists");
      }
      return storage_error_response(created.error());
    }
    retire_stale_process(*id);
    std::uint64_t revision = 0;
    if (insert) {
      net::Expected<server::EditResult> edited = service.documents().edit(
          *id, server::EditDocument{"", 0, 0, std::move(*insert)}, options.call_timeout);
      if (!edited) return error_response(edited.error());
      revision = edited->revision;
    }
    Response response = json_response(201, json::object{{"id", *id}, {"revision", revision}});
    response.headers.push_back(Header{"Location", "/api/docs/" + *id});
    return response;
  }

  Response get_document(const Request& request) {
    const std::string& id = request.param("id");
    net::Expected<server::DocumentView> view = service.documents().read(id, options.call_timeout);
    if (!view) return error_response(view.error());
    return json_response(200, json::object{{"id", view->doc},
                                           {"revision", view->revision},
                                           {"text", view->text},
                                           {"sessions", view->sessions}});
  }

  Response delete_document(const Request& request) {
    const std::string& id = request.param("id");
    net::Expected<std::monostate> removed = service.documents().remove(id, options.call_timeout);
    if (!removed) return error_response(removed.error());
    return Response{204, "application/json", "", {}};
  }

  Response submit_op(const Request& request) {
    const std::string& id = request.param("id");
    if (auto valid = server::check_document_id(id); !valid) return error_response(valid.error());
    auto parsed = parse_object(request, false);
    if (auto* refused = std::get_if<Response>(&parsed)) return std::move(*refused);
    BodyFields fields(std::get<json::object>(parsed));
    const std::optional<std::uint64_t> rev = fields.count("rev", 0, true);
    const json::value* op_json = fields.value("op", true);
    const std::optional<std::string> client_id = fields.string("client_id", false);
    const std::optional<std::uint64_t> seq = fields.count("seq", 1, client_id.has_value());
    if (fields.failure()) return error_response(*fields.failure());
    if (client_id) {
      const bool valid = !client_id->empty() && client_id->size() <= kMaxClientIdBytes &&
                         std::all_of(client_id->begin(), client_id->end(), is_client_id_char);
      if (!valid) {
        return error_response(ErrorCode::invalid_message,
                              "field \"client_id\" must be 1 to 64 characters of [A-Za-z0-9._-]");
      }
    } else if (seq) {
      return error_response(ErrorCode::invalid_message, "field \"seq\" needs a \"client_id\" beside it");
    }
    if (!op_json->is_array()) {
      return error_response(ErrorCode::invalid_op, "field \"op\" must be an array, not " + detail::describe(*op_json));
    }
    if (const std::size_t size = detail::compact_json_size(*op_json); size > options.max_op_bytes) {
      return error_response(ErrorCode::op_too_large, "the op is " + std::to_string(size) +
                                                         " bytes of JSON; the limit is " +
                                                         std::to_string(options.max_op_bytes));
    }
    ot::Expected<ot::Operation> op = ot::from_json(*op_json);
    if (!op) return error_response(from_ot(op.error().code), op.error().message);

    net::Expected<server::EditResult> edited = service.documents().edit(
        id, server::EditDocument{client_id.value_or(""), seq.value_or(0), *rev, std::move(*op)}, options.call_timeout);
    if (!edited) return error_response(edited.error());

    json::object body{{"id", id}, {"revision", edited->revision}, {"duplicate", edited->duplicate}};
    if (!edited->duplicate || !edited->op.empty()) {
      body["op"] = ot::to_json(edited->op);
    } else {
      // A duplicate whose op is no longer in the document's memory: storage has it (the
      // original was durable before anyone could resend it).
      storage::Expected<std::vector<storage::StoredOp>> original =
          service.storage().ops_since(id, edited->revision - 1, 1);
      if (original && !original->empty()) {
        body["op"] = ot::to_json(original->front().op);
      } else {
        // The op is durable and acked; failing the request now would invite another resend.
        spdlog::warn("document '{}': revision {} not read back for a duplicate: {}", id, edited->revision,
                     original ? std::string("no such op") : original.error().message);
      }
    }
    return json_response(200, body);
  }

  Response history(const Request& request) {
    const std::string& id = request.param("id");
    std::uint64_t since = 0;
    std::size_t limit = kDefaultHistoryPage;
    if (std::optional<std::string> text = request.query_param("since")) {
      const std::optional<std::uint64_t> parsed = parse_count(*text);
      if (!parsed) return bad_query("since", *text, "a revision (an integer from 0)");
      since = *parsed;
    }
    if (std::optional<std::string> text = request.query_param("limit")) {
      const std::optional<std::uint64_t> parsed = parse_count(*text);
      if (!parsed || *parsed < 1 || *parsed > options.max_history_page) {
        return bad_query("limit", *text, "an integer from 1 to " + std::to_string(options.max_history_page));
      }
      limit = static_cast<std::size_t>(*parsed);
    }
    storage::Expected<std::vector<storage::StoredOp>> ops = service.storage().ops_since(id, since, limit);
    if (!ops) return storage_error_response(ops.error());
    storage::Expected<storage::DocumentInfo> info = service.storage().document_info(id);
    if (!info) return storage_error_response(info.error());
    json::array entries;
    entries.reserve(ops->size());
    for (const storage::StoredOp& stored : *ops) {
      json::object entry{{"rev", stored.revision}, {"op", ot::to_json(stored.op)},
                         {"time_ms", stored.time.time_since_epoch().count()}};
      if (!stored.client_id.empty()) {
        entry["client_id"] = stored.client_id;
        entry["seq"] = stored.seq;
      }
      entries.push_back(std::move(entry));
    }
    return json_response(200, json::object{
                                  {"id", id}, {"since", since}, {"head", info->head_revision}, {"ops", std::move(entries)}});
  }

  Response text_at(const Request& request) {
    const std::string& id = request.param("id");
    const std::string& text = request.param("revision");
    const std::optional<std::uint64_t> revision = parse_count(text);
    if (!revision) {
      return error_response(ErrorCode::invalid_message,
                            "the revision in the path must be an integer from 0, not \"" + detail::truncated(text) +
                                "\"");
    }
    storage::Expected<std::string> at = service.storage().text_at(id, *revision);
    if (!at) return storage_error_response(at.error());
    return json_response(200, json::object{{"id", id}, {"revision", *revision}, {"text", std::move(*at)}});
  }

  Response crash_document(const Request& request) {
    const std::string& id = request.param("id");
    // Load it first: the crash must hit a running document, and a missing one is a 404.
    // (The read is retried if it meets the process a previous crash is taking down.)
    net::Expected<server::DocumentView> view = service.documents().read(id, options.call_timeout);
    if (!view) return error_response(view.error());
    // The same hook as the dashboard's crash button.
    const net::Expected<core::Pid> crashed =
        service.documents().crash(id, "crashed through POST /api/admin/docs/" + id + "/crash");
    spdlog::warn("admin: crash of document '{}' requested by {} ({})", id, request.remote_endpoint,
                 crashed ? "sent to " + crashed->to_string() : "it had already stopped");
    json::object body{{"id", id}, {"crashed", crashed.has_value()}, {"revision", view->revision}};
    if (crashed) body["pid"] = crashed->to_string();
    return json_response(202, std::move(body));
  }

  // --- helpers ----------------------------------------------------------------------------

  // A document process that looked for this id before it existed (a GET of a missing
  // document) lingers, answering doc_not_found from what it saw then; it would refuse the
  // edits of the document we just created. Stop it (`shutdown` is a normal exit: its
  // supervisor does not restart it; callers waiting on it retry the lookup), so the next
  // request starts a process that loads the new document. Only a process that predates
  // the create can be there: a live document's create fails with doc_exists first.
  void retire_stale_process(const std::string& id) {
    const core::Pid stale = service.documents().whereis(id);
    if (!stale) return;
    core::ScopedProcess self(service.context().runtime);
    self.monitor(stale);
    self.exit(stale, core::ExitReason::shutdown());
    if (!self.receive<core::Down>(options.call_timeout)) {
      spdlog::warn("document '{}': the process that predates its creation did not stop", id);
    }
  }

  static Response bad_query(std::string_view name, std::string_view value, std::string_view expected) {
    return error_response(ErrorCode::invalid_message, "query parameter \"" + std::string(name) + "\" must be " +
                                                          std::string(expected) + ", not \"" +
                                                          detail::truncated(value) + "\"");
  }

  std::string new_document_id() {
    std::uint64_t bits = 0;
    {
      const std::lock_guard lock(mutex);
      bits = random();
    }
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string id = "d-";
    for (int shift = 44; shift >= 0; shift -= 4) id.push_back(kDigits[(bits >> static_cast<unsigned>(shift)) & 0xFU]);
    return id;
  }

  server::Service& service;
  const RestOptions options;
  boost::asio::thread_pool pool;
  std::mutex mutex;
  bool stopping = false;        // guarded by mutex
  std::size_t in_flight = 0;    // guarded by mutex
  std::mt19937_64 random;       // guarded by mutex
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> rejected{0};
};

// ----------------------------------------------------------------------------- RestApi

RestApi::RestApi(server::Service& service, RestOptions options)
    : state_(std::make_shared<State>(service, std::move(options))) {}

RestApi::~RestApi() { stop(); }

void RestApi::stop() { state_->stop(); }

void RestApi::add_routes(Router& router) const {
  const std::shared_ptr<State>& s = state_;
  router.add("GET", "/healthz", State::immediate(s, &State::healthz));
  router.add("GET", "/metrics", State::immediate(s, &State::metrics));
  router.add("GET", "/api/docs", State::blocking(s, &State::list_documents));
  router.add("POST", "/api/docs", State::blocking(s, &State::create_document));
  router.add("GET", "/api/docs/{id}", State::blocking(s, &State::get_document));
  router.add("DELETE", "/api/docs/{id}", State::blocking(s, &State::delete_document));
  router.add("POST", "/api/docs/{id}/ops", State::blocking(s, &State::submit_op));
  router.add("GET", "/api/docs/{id}/ops", State::blocking(s, &State::history));
  router.add("GET", "/api/docs/{id}/revisions/{revision}", State::blocking(s, &State::text_at));
  if (s->options.admin) {
    router.add("POST", "/api/admin/docs/{id}/crash", State::blocking(s, &State::crash_document));
  }
}

}  // namespace otter::net
