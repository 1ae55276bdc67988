// Ansible facts: the files `ansible -m setup --tree DIR` writes (one per host, named by the
// inventory host; the current format {"ansible_facts": {...}} and the old one with the facts at
// the top level; unreachable hosts' files {"unreachable": true, "msg"} are skipped with a
// warning), translated into servers and volumes.
//
// A source is one host's file, a JSON object of files by host name, or a tar archive of the
// tree directory (gzip-compressed or not).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "discovery/connector.h"

namespace maestro::discovery {

struct FactFiles {
  std::vector<std::pair<std::string, nlohmann::json>> hosts;  // inventory name, ansible_facts
  std::vector<std::string> warnings;                          // skipped files, and why
};

// kBadRequest (naming the problem) when `bytes` is none of the accepted forms.
Result<FactFiles> ReadFactFiles(std::string_view bytes);
// Adds one fact file (`name` = its inventory host) to `files`, or a warning.
void AddFactFile(FactFiles& files, const std::string& name, const nlohmann::json& file);

// server-list: one server per host; volumes-list: one volume per block device of each host.
std::vector<Found> TranslateFacts(const FactFiles& files, std::string_view resource);

// The import format of POST /api/import ({servers, volumes}) for the same facts.
nlohmann::json FactsAsImport(const FactFiles& files);

// The members of a tar archive (ustar / GNU, gzip-compressed or not) that are regular files:
// (name, bytes). kBadRequest when it is not a readable archive.
Result<std::vector<std::pair<std::string, std::string>>> ReadTar(std::string_view bytes);

}  // namespace maestro::discovery
