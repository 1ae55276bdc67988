#include "inventory/dependencies.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/ids.h"
#include "common/validation.h"

namespace maestro::inventory {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxItems = 1000;

// An id the body names, where, and the kind it must be.
struct Named {
  std::string field;
  std::string id;
  std::string kind;  // "applications" or "systems"
};

// "a system", "an application".
std::string OneOf(const std::string& kind) {
  return kind == "systems" ? "a system" : "an application";
}

// Checks a list of ids at `field` ("system.entries"): each must be an id; duplicates are problems.
void CheckIds(const json& value, const std::string& field, const std::string& kind,
              std::vector<FieldError>& problems, std::vector<Named>& named) {
  if (!value.is_array()) {
    problems.push_back({field, "must be a list of ids"});
    return;
  }
  if (value.size() > kMaxItems) {
    problems.push_back({field, fmt::format("must have at most {} items", kMaxItems)});
    return;
  }
  std::set<std::string> seen;
  for (std::size_t k = 0; k < value.size(); ++k) {
    const std::string at = fmt::format("{}.{}", field, k);
    if (!value[k].is_string() || !IsId(value[k].get<std::string>())) {
      problems.push_back({at, "must be the id of " + OneOf(kind)});
    } else if (!seen.insert(value[k].get<std::string>()).second) {
      problems.push_back({at, "is listed twice"});
    } else {
      named.push_back({at, value[k], kind});
    }
  }
}

// The problems of one dependency {app, via, endpoint?} at `field` of application `self`.
void CheckDependency(const json& dep, const std::string& field, const std::string& self,
                     std::set<std::string>& targets, std::vector<FieldError>& problems,
                     std::vector<Named>& named) {
  if (!dep.is_object()) {
    problems.push_back({field, "must be an object {app, via, endpoint}"});
    return;
  }
  for (const auto& [key, value] : dep.items()) {
    if (key != "app" && key != "via" && key != "endpoint") {
      problems.push_back(
          {field + "." + key, "is not a field of a dependency (app, via, endpoint)"});
    }
  }
  const json app = dep.value("app", json());
  if (app.is_null()) {
    problems.push_back({field + ".app", "is required: the id of the application depended on"});
  } else if (!app.is_string() || !IsId(app.get<std::string>())) {
    problems.push_back({field + ".app", "must be the id of an application"});
  } else if (app == self) {
    problems.push_back({field + ".app", "is the application itself: it cannot depend on itself"});
  } else if (!targets.insert(app.get<std::string>()).second) {
    problems.push_back({field + ".app", "is listed twice: one dependency per application"});
  } else {
    named.push_back({field + ".app", app, "applications"});
  }
  const json via = dep.value("via", json());
  if (via.is_null()) {
    problems.push_back({field + ".via", "is required: the protocol (rest, grpc, tcp, amqp, …)"});
  } else if (!via.is_string()) {
    problems.push_back({field + ".via", "must be a string: the protocol (rest, grpc, tcp, …)"});
  } else if (auto problem = TextProblem(via.get<std::string>(), {.min = 1, .max = 60});
             !problem.empty()) {
    problems.push_back({field + ".via", problem});
  }
  const json endpoint = dep.value("endpoint", json());
  if (!endpoint.is_null()) {
    if (!endpoint.is_string()) {
      problems.push_back({field + ".endpoint", "must be a string"});
    } else if (auto problem = TextProblem(endpoint.get<std::string>(), {.max = 2000});
               !problem.empty()) {
      problems.push_back({field + ".endpoint", problem});
    }
  }
}

tl::unexpected<Error> Problems(std::vector<FieldError> problems) {
  std::string message = fmt::format("the dependency change has {} problem{}:", problems.size(),
                                    problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) message += fmt::format(" {} {};", p.field, p.problem);
  message.pop_back();
  return Fail(ErrorCode::kValidationFailed, std::move(message), std::move(problems));
}

// An update's error, placed in the body: its fields under `prefix` ("applications.2.").
Error Placed(Error error, const std::string& prefix, const std::string& id) {
  for (auto& field : error.fields) field.field = prefix + field.field;
  if (error.fields.empty()) error.fields.push_back({prefix + "id", error.message});
  error.message =
      fmt::format("{} ({}): {}", prefix.substr(0, prefix.size() - 1), id, error.message);
  return error;
}

}  // namespace

Dependencies::Dependencies(store::Store& store, Records& records, const Registry& registry)
    : store_(store), records_(records), registry_(registry) {}

Result<json> Dependencies::Set(const auth::Principal& caller, const json& body) {
  if (!body.is_object()) {
    return Fail(ErrorCode::kBadRequest,
                "a dependency change is a JSON object: {applications: [{id, deps}], system?: "
                "{id, entries}}");
  }
  std::vector<FieldError> problems;
  std::vector<Named> named;
  for (const auto& [key, value] : body.items()) {
    if (key != "applications" && key != "system") {
      problems.push_back({key, "is not a field of a dependency change (applications, system)"});
    }
  }
  struct Change {
    std::string id;
    json deps;
  };
  std::vector<Change> changes;
  const json applications = body.value("applications", json());
  if (!applications.is_array()) {
    problems.push_back({"applications", applications.is_null() ? "is required: a list of {id, deps}"
                                                               : "must be a list"});
  } else if (applications.size() > kMaxItems) {
    problems.push_back({"applications", fmt::format("must have at most {} items", kMaxItems)});
  } else {
    std::set<std::string> listed;
    for (std::size_t i = 0; i < applications.size(); ++i) {
      const std::string field = fmt::format("applications.{}", i);
      const json& item = applications[i];
      if (!item.is_object()) {
        problems.push_back({field, "must be an object {id, deps}"});
        continue;
      }
      for (const auto& [key, value] : item.items()) {
        if (key != "id" && key != "deps") {
          problems.push_back({field + "." + key, "is not a field (id, deps)"});
        }
      }
      const json id = item.value("id", json());
      std::string self;
      if (id.is_null()) {
        problems.push_back({field + ".id", "is required: the id of an application"});
      } else if (!id.is_string() || !IsId(id.get<std::string>())) {
        problems.push_back({field + ".id", "must be the id of an application"});
      } else if (!listed.insert(id.get<std::string>()).second) {
        problems.push_back({field + ".id", "is listed twice"});
      } else {
        self = id;
        named.push_back({field + ".id", self, "applications"});
      }
      const json deps = item.value("deps", json());
      if (!deps.is_array()) {
        problems.push_back({field + ".deps", deps.is_null()
                                                 ? "is required: a list of {app, via, endpoint}"
                                                 : "must be a list of {app, via, endpoint}"});
        continue;
      }
      if (deps.size() > kMaxItems) {
        problems.push_back({field + ".deps", fmt::format("must have at most {} items", kMaxItems)});
        continue;
      }
      std::set<std::string> targets;
      for (std::size_t j = 0; j < deps.size(); ++j) {
        CheckDependency(deps[j], fmt::format("{}.deps.{}", field, j), self, targets, problems,
                        named);
      }
      changes.push_back({self, deps});
    }
  }
  std::string system_id;
  json entries;
  if (body.contains("system") && !body["system"].is_null()) {
    const json& system = body["system"];
    if (!system.is_object()) {
      problems.push_back({"system", "must be an object {id, entries}"});
    } else {
      for (const auto& [key, value] : system.items()) {
        if (key != "id" && key != "entries") {
          problems.push_back({"system." + key, "is not a field (id, entries)"});
        }
      }
      const json id = system.value("id", json());
      if (!id.is_string() || !IsId(id.get<std::string>())) {
        problems.push_back({"system.id", id.is_null() ? "is required: the id of a system"
                                                      : "must be the id of a system"});
      } else {
        system_id = id;
        named.push_back({"system.id", system_id, "systems"});
      }
      entries = system.value("entries", json());
      if (entries.is_null()) {
        problems.push_back({"system.entries", "is required: a list of application ids"});
      } else {
        CheckIds(entries, "system.entries", "applications", problems, named);
      }
    }
  }

  // Every id named: a record of its kind the caller can read, and not deleted.
  std::map<std::string, std::string> kinds;  // readable id -> kind
  const auto access =
      auth::AccessCondition("r.id", caller.user_id, auth::Role::kRead, auth::AccessPlan::kPerRow);
  for (std::size_t start = 0; start < named.size(); start += 500) {
    const std::size_t end = std::min(named.size(), start + 500);
    store::Params params;
    std::string marks;
    for (std::size_t k = start; k < end; ++k) {
      params.push_back(named[k].id);
      marks += k == start ? "?" : ", ?";
    }
    params.push_back(true);
    params.insert(params.end(), access.params.begin(), access.params.end());
    auto rows = store_.Query(
        fmt::format("SELECT r.id, r.kind FROM records r WHERE r.id IN ({}) AND r.active = ? AND {}",
                    marks, access.sql),
        params);
    if (!rows) return Fail(rows.error());
    for (const auto& row : rows->rows) kinds[store::AsString(row[0])] = store::AsString(row[1]);
  }
  for (const auto& item : named) {
    auto found = kinds.find(item.id);
    if (found == kinds.end() || found->second != item.kind) {
      problems.push_back({item.field, "is not " + OneOf(item.kind) + " you can read"});
    }
  }
  if (!problems.empty()) return Problems(std::move(problems));

  const EntitySpec& application_spec = *registry_.Find("applications");
  const EntitySpec& system_spec = *registry_.Find("systems");
  json out = {{"applications", json::array()}};
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    for (std::size_t i = 0; i < changes.size(); ++i) {
      auto saved = records_.Patch(session, caller, application_spec, changes[i].id,
                                  {{"deps", changes[i].deps}});
      if (!saved) {
        return Fail(Placed(saved.error(), fmt::format("applications.{}.", i), changes[i].id));
      }
      out["applications"].push_back(std::move(*saved));
    }
    if (!system_id.empty()) {
      auto saved = records_.Patch(session, caller, system_spec, system_id, {{"entries", entries}});
      if (!saved) return Fail(Placed(saved.error(), "system.", system_id));
      out["system"] = std::move(*saved);
    }
    return {};
  });
  if (!done) return Fail(done.error());
  return out;
}

}  // namespace maestro::inventory
