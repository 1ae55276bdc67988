// Accounts: registration, sign-in, password reset, the caller's own profile,
// API tokens and the user directory (API.md, "Identity").

import { json, query, request } from './client'

/** A user as the server shows it to that user (never a password). */
export interface User {
  id: string
  name: string
  email: string
  fullname: string | null
  company: string | null
  job: string | null
  phone: string | null
  country: string | null
  city: string | null
  /** URL of the avatar image, or null for none. */
  avatar: string | null
  /** Instance admin (the first user, or made so with `maestro admin create`). */
  is_admin: boolean
  created_at: string
  updated_at: string
}

/** The profile fields a user may change with PATCH /api/me. */
export type ProfilePatch = Partial<
  Pick<User, 'name' | 'fullname' | 'company' | 'job' | 'phone' | 'country' | 'city'>
>

/** A directory entry: what any signed-in user may see of another. */
export interface DirectoryUser {
  id: string
  name: string
  email: string
  avatar: string | null
}

export interface Session {
  token: string
  /** RFC 3339 time after which the token is refused. */
  expires_at: string
  user: User
}

/** An API token as listed; the secret itself is shown only once, at creation. */
export interface ApiToken {
  id: string
  name: string
  /** The token's first characters, to recognise it. */
  prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
}

export interface CreatedApiToken {
  id: string
  name: string
  prefix: string
  /** The whole secret: the only time the server ever sends it. */
  token: string
  expires_at: string | null
}

export interface ItemList<T> {
  items: T[]
}

export function register(fields: { name: string; email: string; password: string }): Promise<User> {
  return request<User>('/api/users', { method: 'POST', body: json(fields) })
}

/** POST /api/auth/login. A wrong password is a 401 ApiError, which does not end any session. */
export function login(email: string, password: string): Promise<Session> {
  return request<Session>('/api/auth/login', {
    method: 'POST',
    body: json({ email, password }),
    allowUnauthorized: true,
  })
}

/** Asks for a reset mail; the link is `<resetUrl>?token=<token>`. Always 202. */
export async function forgotPassword(email: string, resetUrl: string): Promise<void> {
  await request<void>('/api/auth/forgot', {
    method: 'POST',
    body: json({ email, reset_url: resetUrl }),
  })
}

export async function resetPassword(token: string, password: string): Promise<void> {
  await request<void>('/api/auth/reset', { method: 'POST', body: json({ token, password }) })
}

export function fetchMe(): Promise<User> {
  return request<User>('/api/me')
}

export function updateMe(patch: ProfilePatch): Promise<User> {
  return request<User>('/api/me', {
    method: 'PATCH',
    body: json(patch),
  })
}

export async function deleteMe(): Promise<void> {
  await request<void>('/api/me', { method: 'DELETE' })
}

/** A wrong current password is a 403 ApiError. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await request<void>('/api/me/password', {
    method: 'PUT',
    body: json({ current_password: currentPassword, new_password: newPassword }),
  })
}

/** Sends an image file as multipart `file`; answers the new avatar URL. */
export async function uploadAvatar(path: string, file: Blob): Promise<string> {
  const form = new FormData()
  form.append('file', file)
  const answer = await request<{ avatar: string }>(path, { method: 'PUT', body: form })
  return answer.avatar
}

export function uploadMyAvatar(file: Blob): Promise<string> {
  return uploadAvatar('/api/me/avatar', file)
}

export async function listTokens(): Promise<ApiToken[]> {
  return (await request<ItemList<ApiToken>>('/api/me/tokens')).items
}

export function createToken(name: string, expiresInDays?: number): Promise<CreatedApiToken> {
  const body = expiresInDays === undefined ? { name } : { name, expires_in_days: expiresInDays }
  return request<CreatedApiToken>('/api/me/tokens', { method: 'POST', body: json(body) })
}

export async function revokeToken(id: string): Promise<void> {
  await request<void>(`/api/me/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

/** GET /api/users?q= — the directory, for autocompletion. */
export async function searchUsers(q: string): Promise<DirectoryUser[]> {
  return (await request<ItemList<DirectoryUser>>(`/api/users${query({ q })}`)).items
}
