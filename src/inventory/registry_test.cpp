#include "inventory/registry.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace maestro::inventory {
namespace {

using nlohmann::json;

TEST(RegistryTest, HasEveryInventoryKindOfTheDataModel) {
  std::set<std::string> kinds;
  for (const auto& spec : DefaultRegistry().kinds()) kinds.insert(spec.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"datacenters", "servers", "applications", "systems",
                                          "clients", "services", "volumes", "snapshots", "images",
                                          "flavors", "networks"}));
}

TEST(RegistryTest, EveryKindIsCoherent) {
  for (const auto& spec : DefaultRegistry().kinds()) {
    const FieldSpec* name = spec.Field(spec.name_field);
    ASSERT_NE(name, nullptr) << spec.kind;
    EXPECT_TRUE(name->required) << spec.kind;
    for (const auto& field : spec.search_fields)
      EXPECT_NE(spec.Field(field), nullptr) << spec.kind << "." << field;
    for (const auto& field : spec.list_fields)
      EXPECT_NE(spec.Field(field), nullptr) << spec.kind << "." << field;
    for (const auto& field : spec.duplicate_keys)
      EXPECT_NE(spec.Field(field), nullptr) << spec.kind << "." << field;
    if (!spec.key_scope.empty()) {
      auto scope = ResolvePath(spec, spec.key_scope);
      ASSERT_TRUE(scope) << spec.kind << ".key_scope";
      EXPECT_EQ(scope->list_index, -1) << spec.kind << ".key_scope crosses a list";
    }
    // Tabs name the kind's fields or relation fields, each at most once; a condition names an
    // enum and some of its values.
    std::set<std::string> grouped;
    for (const auto& group : spec.groups) {
      for (const auto& field : group.fields) {
        bool relation = false;
        for (const auto& side : DefaultRegistry().SidesOf(spec.kind))
          relation = relation || side.field == field;
        EXPECT_TRUE(spec.Field(field) != nullptr || relation) << spec.kind << "." << field;
        EXPECT_TRUE(grouped.insert(field).second) << spec.kind << "." << field << " twice";
        EXPECT_NE(field, spec.name_field) << "the name stays on the first tab";
      }
      if (!group.when_field.empty()) {
        const FieldSpec* when = spec.Field(group.when_field);
        ASSERT_NE(when, nullptr) << spec.kind << "." << group.when_field;
        for (const auto& value : group.when_values) {
          EXPECT_NE(std::find(when->values.begin(), when->values.end(), value), when->values.end())
              << spec.kind << "." << group.when_field << " has no " << value;
        }
      }
    }
    for (const auto& field : spec.fields) {
      EXPECT_FALSE(std::find(CommonFields().begin(), CommonFields().end(), field.name) !=
                   CommonFields().end())
          << spec.kind << "." << field.name << " shadows a common field";
      if (field.type == FieldType::kRef) {
        EXPECT_NE(DefaultRegistry().Find(field.ref_kind), nullptr) << field.ref_kind;
      }
    }
  }
}

TEST(ResolvePathTest, FindsNestedListAndCommonFields) {
  const EntitySpec& servers = *DefaultRegistry().Find("servers");
  auto os = ResolvePath(servers, "os.base");
  ASSERT_TRUE(os);
  EXPECT_EQ(os->spec->type, FieldType::kEnum);
  EXPECT_EQ(os->list_index, -1);
  auto tag = ResolvePath(servers, "tags.key");
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->list_index, 0);
  auto updated = ResolvePath(servers, "updated_at");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->column, "updated_at");
  for (const char* bad : {"", "nope", "os.nope", "os.", ".os", "hostname.x", "tags.key.x"}) {
    EXPECT_FALSE(ResolvePath(servers, bad)) << bad;
  }
}

TEST(RegistryTest, DescribesKindsForTheUi) {
  const auto doc = DefaultRegistry().Describe();
  ASSERT_TRUE(doc["kinds"].is_array());
  const auto& servers = *std::find_if(doc["kinds"].begin(), doc["kinds"].end(),
                                      [](const auto& k) { return k["kind"] == "servers"; });
  EXPECT_EQ(servers["name_field"], "hostname");
  bool found_status = false;
  for (const auto& field : servers["fields"]) {
    if (field["name"] == "status") {
      found_status = true;
      EXPECT_EQ(field["type"], "enum");
      EXPECT_EQ(field["values"].size(), 3u);
    }
  }
  EXPECT_TRUE(found_status);
  EXPECT_EQ(servers["groups"][0], json({{"label", "OS"}, {"fields", {"os", "cpu", "memory"}}}));
  const auto& applications =
      *std::find_if(doc["kinds"].begin(), doc["kinds"].end(),
                    [](const auto& k) { return k["kind"] == "applications"; });
  bool database_tab = false;
  for (const auto& group : applications["groups"]) {
    if (group["label"] == "Database") {
      database_tab = true;
      EXPECT_EQ(group["when"], json({{"field", "family"}, {"values", {"Database"}}}));
    }
  }
  EXPECT_TRUE(database_tab);
}

}  // namespace
}  // namespace maestro::inventory
