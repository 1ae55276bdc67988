#include "inventory/registry.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace maestro::inventory {
namespace {

using nlohmann::json;

json DescribeField(const FieldSpec& field) {
  json out = {{"name", field.name},
              {"type", TypeName(field.type)},
              {"label", field.label.empty() ? field.name : field.label},
              {"required", field.required}};
  if (field.type == FieldType::kString || field.type == FieldType::kText ||
      field.type == FieldType::kList) {
    out["max"] = field.max;
  }
  if (!field.values.empty()) out["values"] = field.values;
  if (field.type == FieldType::kList) out["item"] = TypeName(field.item);
  if (!field.ref_kind.empty()) out["ref"] = field.ref_kind;
  if (!field.fields.empty()) {
    json fields = json::array();
    for (const auto& sub : field.fields) fields.push_back(DescribeField(sub));
    out["fields"] = std::move(fields);
  }
  if (field.open) out["open"] = true;
  return out;
}

const FieldSpec* FindIn(const std::vector<FieldSpec>& fields, std::string_view name) {
  for (const auto& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

}  // namespace

std::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "str";
    case FieldType::kText:
      return "text";
    case FieldType::kInt:
      return "int";
    case FieldType::kNumber:
      return "num";
    case FieldType::kBool:
      return "bool";
    case FieldType::kTime:
      return "time";
    case FieldType::kIp:
      return "ip";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kObject:
      return "obj";
    case FieldType::kList:
      return "list";
    case FieldType::kRef:
      return "ref";
    case FieldType::kJson:
      return "json";
  }
  return "str";
}

const FieldSpec* EntitySpec::Field(std::string_view name) const { return FindIn(fields, name); }

const std::vector<std::string>& CommonFields() {
  static const std::vector<std::string> kFields = {
      "id",    "kind",  "created_at", "updated_at", "version", "active",
      "owner", "roles", "source",     "checksum",   "warnings"};
  return kFields;
}

void Registry::Add(EntitySpec spec) { kinds_.push_back(std::move(spec)); }

void Registry::AddRelation(RelationSpec relation) {
  relations_.push_back(std::make_unique<RelationSpec>(std::move(relation)));
}

std::vector<RelationSide> Registry::SidesOf(std::string_view kind) const {
  std::vector<RelationSide> sides;
  for (const auto& relation : relations_) {
    if (relation->from_kind == kind) {
      sides.push_back({relation.get(), true, relation->from_field, relation->to_kinds});
    }
    if (!relation->to_field.empty() &&
        std::find(relation->to_kinds.begin(), relation->to_kinds.end(), kind) !=
            relation->to_kinds.end()) {
      sides.push_back({relation.get(), false, relation->to_field, {relation->from_kind}});
    }
  }
  return sides;
}

const EntitySpec* Registry::Find(std::string_view kind) const {
  for (const auto& spec : kinds_) {
    if (spec.kind == kind) return &spec;
  }
  return nullptr;
}

json Registry::Describe() const {
  json kinds = json::array();
  for (const auto& spec : kinds_) {
    json fields = json::array();
    for (const auto& field : spec.fields) fields.push_back(DescribeField(field));
    for (const auto& side : SidesOf(spec.kind)) {
      json relation = {{"name", side.field},
                       {"type", "relation"},
                       {"label", side.field},
                       {"required", false},
                       {"refs", side.others}};
      if (side.forward && !side.relation->attrs.empty()) {
        json attrs = json::array();
        for (const auto& attr : side.relation->attrs) attrs.push_back(DescribeField(attr));
        relation["attrs"] = std::move(attrs);
        relation["id_key"] = side.relation->id_key;
      }
      fields.push_back(std::move(relation));
    }
    json groups = json::array();
    for (const auto& group : spec.groups) {
      json described = {{"label", group.label}, {"fields", group.fields}};
      if (!group.when_field.empty()) {
        described["when"] = {{"field", group.when_field}, {"values", group.when_values}};
      }
      groups.push_back(std::move(described));
    }
    kinds.push_back({{"kind", spec.kind},
                     {"label", spec.label},
                     {"name_field", spec.name_field},
                     {"list_fields", spec.list_fields},
                     {"search_fields", spec.search_fields},
                     {"default_sort", spec.default_sort},
                     {"fields", std::move(fields)},
                     {"groups", std::move(groups)}});
  }
  return {{"kinds", std::move(kinds)}, {"common_fields", CommonFields()}};
}

std::optional<FieldPath> ResolvePath(const EntitySpec& spec, std::string_view path) {
  static const std::vector<std::string> kColumns = {"id",      "created_at", "updated_at",
                                                    "version", "active",     "source"};
  for (const auto& column : kColumns) {
    if (path == column) return FieldPath{.parts = {column}, .column = column};
  }
  if (path == "owner.id" || path == "owner.type") {
    return FieldPath{.parts = {std::string(path)},
                     .column = path == "owner.id" ? "owner_id" : "owner_type"};
  }
  FieldPath out;
  const std::vector<FieldSpec>* fields = &spec.fields;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string_view part =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const FieldSpec* field = fields ? FindIn(*fields, part) : nullptr;
    if (field == nullptr) return std::nullopt;
    out.parts.emplace_back(part);
    out.spec = field;
    if (field->type == FieldType::kList) {
      if (out.list_index >= 0) return std::nullopt;  // lists within lists: not filterable
      out.list_index = static_cast<int>(out.parts.size()) - 1;
    }
    if (dot == std::string_view::npos) break;
    fields = field->fields.empty() ? nullptr : &field->fields;
    start = dot + 1;
  }
  return out;
}

}  // namespace maestro::inventory
