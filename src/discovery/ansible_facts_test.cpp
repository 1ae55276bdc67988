#include "discovery/ansible_facts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace maestro::discovery {
namespace {

using nlohmann::json;

std::string Fixture(const std::string& name) {
  const char* source = std::getenv("MAESTRO_SOURCE_DIR");
  const auto path = std::filesystem::path(source ? source : ".").parent_path() / "shared" /
                    "fixtures" / "providers" / "ansible" / name;
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << "fixture " << path << " is missing: ../shared/fixtures must sit beside the "
                  << "project";
    return "{}";
  }
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(AnsibleFacts, CurrentOldAndUnreachableFiles) {
  FactFiles files;
  AddFactFile(files, "debian.dev.local",
              json::parse(Fixture("setup-tree.ansible-cmdb.debian.dev.local.json")));
  AddFactFile(files, "dead.dev.local",
              json::parse(Fixture("setup-tree.ansible-cmdb.dead.dev.local.json")));
  AddFactFile(files, "docs", json::parse(Fixture("setup-facts.ansible-docs-example.json")));
  ASSERT_EQ(files.hosts.size(), 2u);
  ASSERT_EQ(files.warnings.size(), 1u);
  EXPECT_NE(files.warnings[0].find("dead.dev.local: unreachable"), std::string::npos);

  const auto servers = TranslateFacts(files, "server-list");
  ASSERT_EQ(servers.size(), 2u);
  const json& debian = servers[0].doc;
  EXPECT_EQ(servers[0].provider_id, "debian.dev.local");
  EXPECT_EQ(debian["hostname"], "dev.local");
  EXPECT_EQ(debian["ipv4_private"], "192.168.56.2");
  EXPECT_FALSE(debian.contains("ipv4_public")) << "no public address; never the IPv6 one";
  EXPECT_EQ(debian["cpu"], 1);
  EXPECT_EQ(debian["memory"], 1.46);  // 1496 MiB
  EXPECT_EQ(debian["os"], json({{"base", "Linux"}, {"dist", "Debian"}, {"version", "6.0.10"}}));
  ASSERT_EQ(debian["storage"].size(), 2u);
  EXPECT_EQ(debian["storage"][0]["mount"], "/");
  EXPECT_EQ(debian["storage"][0]["root"], true);
  EXPECT_EQ(debian["storage"][0]["fs_type"], "ext3");
  EXPECT_EQ(debian["storage"][0]["size"], 304.68);
  EXPECT_EQ(debian["metas"]["pkg_mgr"], "apt");

  const auto volumes = TranslateFacts(files, "volumes-list");
  bool sda = false;
  for (const auto& volume : volumes) {
    if (volume.provider_id == "debian.dev.local/sda") {
      sda = true;
      EXPECT_EQ(volume.doc["size"], 100);
      EXPECT_EQ(volume.doc["volume_type"], "VBOX HARDDISK");
    }
  }
  EXPECT_TRUE(sda);
}

TEST(AnsibleFacts, TarArchivesGzippedOrNotAndBundles) {
  const auto dir = std::filesystem::temp_directory_path() / "maestro-ansible-facts-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "tree");
  for (const char* host : {"centos.dev.local", "debian.dev.local", "dead.dev.local"}) {
    std::ofstream(dir / "tree" / host)
        << Fixture(std::string("setup-tree.ansible-cmdb.") + host + ".json");
  }
  for (const char* flags : {"cf", "czf"}) {
    const auto archive = dir / (std::string("facts.") + flags);
    ASSERT_EQ(
        std::system(("tar -C '" + dir.string() + "' -" + flags + " '" + archive.string() + "' tree")
                        .c_str()),
        0);
    std::ifstream file(archive, std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    auto files = ReadFactFiles(bytes.str());
    ASSERT_TRUE(files) << files.error().message;
    ASSERT_EQ(files->hosts.size(), 2u) << flags;
    EXPECT_EQ(files->warnings.size(), 1u);
    // A cut archive is refused, not half read.
    const std::string cut = bytes.str().substr(0, bytes.str().size() / 2);
    EXPECT_FALSE(ReadFactFiles(cut)) << flags;
  }
  const json bundle = {
      {"web-1", json::parse(Fixture("setup-tree.ansible-cmdb.centos.dev.local.json"))}};
  auto files = ReadFactFiles(bundle.dump());
  ASSERT_TRUE(files);
  ASSERT_EQ(files->hosts.size(), 1u);
  EXPECT_EQ(files->hosts[0].first, "web-1");
  EXPECT_FALSE(ReadFactFiles("not facts at all"));
  EXPECT_FALSE(ReadFactFiles("[1, 2]"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace maestro::discovery
