// Per-record access control: who may read, write or administer one record
// (API.md, "Roles"). Works for every kind; managing roles needs admin.

import { json, request } from './client'
import type { Role } from './teams'

export type PrincipalType = 'user' | 'team'

export interface RoleEntry {
  type: PrincipalType
  id: string
  name: string
  role: Role
}

function rolesPath(kind: string, id: string): string {
  return `/api/${encodeURIComponent(kind)}/${encodeURIComponent(id)}/roles`
}

export async function listRoles(kind: string, id: string): Promise<RoleEntry[]> {
  return (await request<{ items: RoleEntry[] }>(rolesPath(kind, id))).items
}

export async function addRole(
  kind: string,
  id: string,
  entry: { type: PrincipalType; id: string; role: Role },
): Promise<void> {
  await request<unknown>(rolesPath(kind, id), { method: 'POST', body: json(entry) })
}

/** Removing the record's last admin is a 409 ApiError. */
export async function removeRole(
  kind: string,
  id: string,
  type: PrincipalType,
  principalId: string,
): Promise<void> {
  await request<void>(`${rolesPath(kind, id)}/${type}/${encodeURIComponent(principalId)}`, {
    method: 'DELETE',
  })
}
