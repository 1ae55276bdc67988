#include "inventory/registry.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace maestro::inventory {
namespace {

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
}

}  // namespace
}  // namespace maestro::inventory
