// Entry points of systems without entries: the original's family hierarchy, read in bands of
// three. (The walk itself runs in SQL: tests/integration/graphs_walk_test.cpp, on both backends.)
#include "analytics/walk.h"

#include <gtest/gtest.h>

namespace maestro::analytics {
namespace {

TEST(FallbackEntriesTest, StartAtTheFirstBandOfTheHierarchyThatTheSystemHas) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> applications;  // id, family
    std::vector<std::string> entries;
    std::string why;
  };
  const std::vector<Case> cases = {
      {{{"db", "Database"}, {"web", "Application"}, {"cdn", "CDN"}, {"lb", "Loadbalance"}},
       {"cdn", "lb"},
       "CDN and Loadbalance share the first band; the rest come later"},
      {{{"db", "Database"}, {"api", "Application"}, {"fn", "Serverless"}, {"q", "Broker"}},
       {"api", "fn"},
       "Application and Serverless are the second band, NAS with them"},
      {{{"db", "Database"}, {"cache", "Cache"}, {"repo", "Repository"}},
       {"cache"},
       "Cache (band 4) comes before Broker, Repository and Database (band 6)"},
      {{{"db", "Database"}, {"db2", "Database"}, {"mq", "Broker"}},
       {"db", "db2", "mq"},
       "Broker, Repository and Database are one band"},
      {{{"dns", "DNS"}, {"mesh", "ServiceMesh"}}, {"dns", "mesh"}, "the last band"},
      {{{"corp", "Corporate"}, {"scale", "AutoScaling"}, {"dns", "DNS"}},
       {"dns"},
       "families outside the hierarchy come after all of it"},
      {{{"corp", "Corporate"}, {"scale", "AutoScaling"}},
       {"corp", "scale"},
       "…but still give entry points when there is nothing else"},
      {{}, {}, "no applications, no entry points"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FallbackEntries(c.applications), c.entries) << c.why;
  }
}

}  // namespace
}  // namespace maestro::analytics
