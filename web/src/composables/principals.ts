// Autocomplete sources for people and teams: the user directory
// (GET /api/users?q=) and the caller's own teams (GET /api/teams, read once
// and matched here), as BaseAutocomplete options keyed `user:<id>` / `team:<id>`.

import { searchUsers, type DirectoryUser } from '../api/accounts'
import type { PrincipalType } from '../api/roles'
import { listTeams, type Team } from '../api/teams'
import type { AutocompleteOption } from '../components/autocomplete'

/** How many of the caller's teams are offered; plenty for a picker. */
const TEAM_LIMIT = 100

export function userOption(user: DirectoryUser): AutocompleteOption {
  return { key: `user:${user.id}`, label: user.name, detail: user.email, avatar: user.avatar }
}

export function teamOption(team: Pick<Team, 'id' | 'name' | 'avatar' | 'email'>): AutocompleteOption {
  return {
    key: `team:${team.id}`,
    label: team.name,
    detail: team.email ?? undefined,
    avatar: team.avatar,
    badge: 'Team',
    square: true,
  }
}

/** Splits an option key back into its principal. */
export function principalOf(option: AutocompleteOption): { type: PrincipalType; id: string } {
  const colon = option.key.indexOf(':')
  const type = option.key.slice(0, colon) === 'team' ? 'team' : 'user'
  return { type, id: option.key.slice(colon + 1) }
}

/** Users matching `q`, leaving out the keys in `exclude`. */
export function searchUserOptions(exclude: () => Set<string> = () => new Set()) {
  return async (q: string): Promise<AutocompleteOption[]> => {
    const skip = exclude()
    return (await searchUsers(q)).map(userOption).filter((option) => !skip.has(option.key))
  }
}

/** Users and the caller's teams matching `q` (teams first), minus `exclude`. */
export function searchPrincipalOptions(exclude: () => Set<string> = () => new Set()) {
  let teams: Promise<Team[]> | null = null
  return async (q: string): Promise<AutocompleteOption[]> => {
    teams ??= listTeams({ limit: TEAM_LIMIT }).then(
      (page) => page.items,
      (error: unknown) => {
        teams = null
        throw error
      },
    )
    const needle = q.toLowerCase()
    const [myTeams, users] = await Promise.all([teams, searchUsers(q)])
    const skip = exclude()
    return [
      ...myTeams.filter((team) => team.name.toLowerCase().includes(needle)).map(teamOption),
      ...users.map(userOption),
    ].filter((option) => !skip.has(option.key))
  }
}
