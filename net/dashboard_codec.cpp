// Writing the dashboard's server messages (net/dashboard_messages.hpp) as JSON.
#include <algorithm>

#include "net/dashboard_messages.hpp"
#include "net/json_fields.hpp"

namespace otter::net {
namespace {

namespace json = boost::json;

json::string_view view(const std::string& text) { return json::string_view(text.data(), text.size()); }

void put_optional(json::object& object, std::string_view key, const std::optional<std::string>& value) {
  if (value) object[json::string_view(key.data(), key.size())] = view(*value);
}

json::object to_object(const DashboardSession& session) {
  json::object object;
  object["session"] = view(session.session);
  object["client_id"] = view(session.client_id);
  put_optional(object, "name", session.name);
  put_optional(object, "color", session.color);
  return object;
}

json::object to_object(const DashboardDocument& document) {
  json::object object;
  object["id"] = view(document.id);
  object["pid"] = view(document.pid);
  object["revision"] = document.revision;
  object["length"] = document.length;
  object["ops_per_second"] = document.ops_per_second;
  object["restarts"] = document.restarts;
  if (document.last_restart_ms) object["last_restart_ms"] = *document.last_restart_ms;
  object["opened_ms"] = document.opened_ms;
  json::array sessions;
  sessions.reserve(document.sessions.size());
  for (const DashboardSession& session : document.sessions) sessions.emplace_back(to_object(session));
  object["sessions"] = std::move(sessions);
  return object;
}

json::object tree_node(std::string_view name, std::string_view kind, const DashboardProcess& process) {
  json::object object;
  object["name"] = json::string_view(name.data(), name.size());
  object["kind"] = json::string_view(kind.data(), kind.size());
  object["pid"] = view(process.pid);
  object["restarts"] = process.restarts;
  return object;
}

json::object to_object(const DashboardTree& tree, const std::vector<DashboardDocument>& documents,
                        std::size_t shown) {
  json::object root = tree_node("otter.server", "supervisor", tree.root);
  root["strategy"] = "rest_for_one";
  json::object documents_node = tree_node("documents", "dynamic_supervisor", tree.documents);
  documents_node["child_count"] = documents.size();
  json::array workers;
  workers.reserve(shown);
  for (std::size_t i = 0; i < shown; ++i) {
    const DashboardDocument& document = documents[i];
    json::object worker;
    worker["name"] = view(document.id);
    worker["kind"] = "worker";
    worker["pid"] = view(document.pid);
    worker["doc"] = view(document.id);
    worker["restarts"] = document.restarts;
    worker["started_ms"] = document.started_ms;
    workers.emplace_back(std::move(worker));
  }
  documents_node["children"] = std::move(workers);
  json::object sessions_node = tree_node("sessions", "dynamic_supervisor", tree.sessions);
  sessions_node["child_count"] = tree.session_count;
  json::object dashboard_node = tree_node("dashboard", "worker", tree.dashboard);
  root["children"] = json::array{std::move(documents_node), std::move(sessions_node), std::move(dashboard_node)};
  return root;
}

json::object to_object(const DashboardEvent& event) {
  json::object object;
  object["time_ms"] = event.time_ms;
  object["kind"] = view(event.kind);
  if (!event.doc.empty()) object["doc"] = view(event.doc);
  put_optional(object, "pid", event.pid);
  put_optional(object, "old_pid", event.old_pid);
  put_optional(object, "new_pid", event.new_pid);
  put_optional(object, "reason", event.reason);
  return object;
}

}  // namespace

std::string encode_dashboard(const DashboardSnapshot& snapshot, const DashboardFrame& frame) {
  const std::size_t shown =
      static_cast<std::size_t>(std::min<std::uint64_t>(frame.max_documents, snapshot.documents.size()));
  json::object object;
  object["type"] = "dashboard";
  if (frame.id) object["id"] = detail::to_json(*frame.id);
  object["seq"] = frame.seq;
  object["time_ms"] = frame.time_ms;
  object["admin"] = frame.admin;

  json::object node;
  node["name"] = view(snapshot.node.name);
  node["version"] = view(snapshot.node.version);
  node["started_ms"] = snapshot.node.started_ms;
  node["runtime_threads"] = snapshot.node.runtime_threads;
  object["node"] = std::move(node);

  json::object self;
  self["name"] = view(snapshot.node.name);
  self["self"] = true;
  self["status"] = view(snapshot.node_status);
  self["documents"] = snapshot.documents.size();
  object["nodes"] = json::array{std::move(self)};

  json::object totals;
  totals["documents"] = snapshot.totals.documents;
  totals["sessions"] = snapshot.totals.sessions;
  totals["ops_per_second"] = snapshot.totals.ops_per_second;
  totals["ops_total"] = snapshot.totals.ops_total;
  totals["restarts_total"] = snapshot.totals.restarts_total;
  object["totals"] = std::move(totals);

  json::array documents;
  documents.reserve(shown);
  for (std::size_t i = 0; i < shown; ++i) documents.emplace_back(to_object(snapshot.documents[i]));
  object["documents"] = std::move(documents);
  object["documents_total"] = snapshot.documents.size();
  object["tree"] = to_object(snapshot.tree, snapshot.documents, shown);

  json::array events;
  events.reserve(snapshot.events.size());
  for (const DashboardEvent& event : snapshot.events) events.emplace_back(to_object(event));
  object["events"] = std::move(events);
  return json::serialize(object);
}

std::string encode(const Crashed& crashed) {
  json::object object;
  object["type"] = "crashed";
  if (crashed.id) object["id"] = detail::to_json(*crashed.id);
  object["doc"] = view(crashed.doc);
  object["pid"] = view(crashed.pid);
  return json::serialize(object);
}

}  // namespace otter::net
