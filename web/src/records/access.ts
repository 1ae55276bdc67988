// What the signed-in user may do with one record, decided as the server does
// (API.md, "Records of every kind"; src/auth/roles.cpp): the best of the
// user's own entry in the record's roles and, for each team entry, the lower
// of the team's role on the record and the user's role in that team. Being an
// instance admin gives no rights on records. And what to say when a record
// cannot be read or changed: the server answers 404 for a record the caller
// may not read (its existence never leaks) and 403 when the role is too low.

import { ApiError } from '../api/client'
import type { RecordDoc } from './fields'

export type Access = 'none' | 'read' | 'write' | 'admin'

const RANK: Record<Access, number> = { none: 0, read: 1, write: 2, admin: 3 }
const BY_RANK: readonly Access[] = ['none', 'read', 'write', 'admin']

function rankOf(role: string | null | undefined): number {
  return role != null && role in RANK ? RANK[role as Access] : 0
}

/**
 * The user's access to a record with these `roles`; `memberships` maps the
 * id of each team the user belongs to to their role in it.
 */
export function effectiveAccess(
  roles: RecordDoc['roles'],
  userId: string,
  memberships: ReadonlyMap<string, string | null>,
): Access {
  let best = 0
  for (const entry of roles ?? []) {
    if (entry.type === 'user' && entry.id === userId) best = Math.max(best, rankOf(entry.role))
    if (entry.type === 'team' && memberships.has(entry.id)) {
      best = Math.max(best, Math.min(rankOf(entry.role), rankOf(memberships.get(entry.id))))
    }
  }
  return BY_RANK[best] ?? 'none'
}

/** True when `access` is at least `need`. */
export function allows(access: Access, need: Exclude<Access, 'none'>): boolean {
  return RANK[access] >= RANK[need]
}

/**
 * The sentence for a record that could not be opened because of access, or
 * null when `error` is something else (network, server bug) to show as it is.
 */
export function noAccessMessage(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null
  if (error.status === 404) {
    return 'This record does not exist, or it has not been shared with you. Ask its owner for access.'
  }
  if (error.status === 403) return `You have no access to this record: ${error.message}.`
  return null
}

/** The sentence for a change the server refused for lack of a role (403), else null. */
export function refusedMessage(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 403) return null
  return `Not saved — ${error.message}. Ask an admin of the record for more access.`
}
