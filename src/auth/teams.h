// Teams: groups of users with a role each (read, write, admin). A team is a principal: records
// can be shared with it (acl), and its members get the lower of the team's role and their own.
// Members see their team; others get 404 (instance admins may read every team). Team admins
// change it. A team always keeps an admin while it has members. Thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "auth/principal.h"
#include "auth/roles.h"
#include "blobs/blob_store.h"
#include "common/clock.h"
#include "common/error.h"
#include "store/store.h"

namespace maestro::auth {

class Teams {
 public:
  Teams(store::Store& store, const Clock& clock, blobs::BlobStore& blobs);

  // {items, total, page, limit}: the caller's teams (every team for instance admins).
  Result<nlohmann::json> List(const Principal& caller, int page, int limit);
  Result<nlohmann::json> Create(const Principal& caller, const nlohmann::json& body);
  Result<nlohmann::json> Get(const Principal& caller, const std::string& id);
  Result<nlohmann::json> Update(const Principal& caller, const std::string& id,
                                const nlohmann::json& patch);
  Status Delete(const Principal& caller, const std::string& id);

  Result<nlohmann::json> Members(const Principal& caller, const std::string& id);
  Result<nlohmann::json> AddMember(const Principal& caller, const std::string& id,
                                   const nlohmann::json& body);
  Result<nlohmann::json> UpdateMember(const Principal& caller, const std::string& id,
                                      const std::string& user_id, const nlohmann::json& body);
  // A team admin removes anyone; any member may leave.
  Status RemoveMember(const Principal& caller, const std::string& id, const std::string& user_id);
  Result<nlohmann::json> SetAvatar(const Principal& caller, const std::string& id,
                                   std::string_view bytes);

 private:
  // The caller's role in the team; kNotFound when they may not see it.
  Result<Role> CallerRole(store::Session* session, const Principal& caller, const std::string& id);
  Result<Role> RequireAdmin(store::Session* session, const Principal& caller,
                            const std::string& id);
  Result<nlohmann::json> TeamJson(const std::string& id, Role caller_role);
  std::string Now() const;

  store::Store& store_;
  const Clock& clock_;
  blobs::BlobStore& blobs_;
};

}  // namespace maestro::auth
