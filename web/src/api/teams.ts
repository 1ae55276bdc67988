// Teams and their members (API.md, "Identity"). The creator of a team is its
// admin; managing members needs the admin role in the team.

import type { DirectoryUser } from './accounts'
import { uploadAvatar } from './accounts'
import { json, query, request } from './client'

export type Role = 'read' | 'write' | 'admin'

export const ROLES: readonly Role[] = ['read', 'write', 'admin']

export const ROLE_LABELS: Record<Role, string> = {
  read: 'Read',
  write: 'Write',
  admin: 'Admin',
}

export interface TeamMember {
  user: DirectoryUser
  role: Role
}

export interface Team {
  id: string
  name: string
  email: string | null
  url: string | null
  avatar: string | null
  /** The caller's role in the team; null for an instance admin who is not a member. */
  my_role: Role | null
  members: TeamMember[]
  created_at: string
  updated_at: string
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  limit: number
}

export type TeamFields = { name: string; email?: string | null; url?: string | null }

function teamPath(id: string): string {
  return `/api/teams/${encodeURIComponent(id)}`
}

export function listTeams(params: { page?: number; limit?: number; q?: string } = {}): Promise<Page<Team>> {
  return request<Page<Team>>(`/api/teams${query(params)}`)
}

export function createTeam(fields: TeamFields): Promise<Team> {
  return request<Team>('/api/teams', { method: 'POST', body: json(fields) })
}

export function fetchTeam(id: string): Promise<Team> {
  return request<Team>(teamPath(id))
}

export function updateTeam(id: string, patch: Partial<TeamFields>): Promise<Team> {
  return request<Team>(teamPath(id), {
    method: 'PATCH',
    body: json(patch),
  })
}

export async function deleteTeam(id: string): Promise<void> {
  await request<void>(teamPath(id), { method: 'DELETE' })
}

export async function addMember(teamId: string, userId: string, role: Role): Promise<void> {
  await request<unknown>(`${teamPath(teamId)}/members`, {
    method: 'POST',
    body: json({ user: userId, role }),
  })
}

export async function setMemberRole(teamId: string, userId: string, role: Role): Promise<void> {
  await request<unknown>(`${teamPath(teamId)}/members/${encodeURIComponent(userId)}`, {
    method: 'PATCH',
    body: json({ role }),
  })
}

/** Removing the team's last admin is a 409 ApiError. */
export async function removeMember(teamId: string, userId: string): Promise<void> {
  await request<void>(`${teamPath(teamId)}/members/${encodeURIComponent(userId)}`, {
    method: 'DELETE',
  })
}

export function uploadTeamAvatar(teamId: string, file: Blob): Promise<string> {
  return uploadAvatar(`${teamPath(teamId)}/avatar`, file)
}
