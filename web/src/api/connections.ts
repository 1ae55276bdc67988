// Discovery (API.md, "Discovery"): the providers Maestro can read
// (GET /api/providers), connections — a provider's credentials, the
// datacenter its records land in, and one sync schedule per resource — their
// sync runs (jobs) and the credentials test. Credentials are write-only: reads
// show `{<field>: "set"}`, and sending "set" back keeps the stored value.
// Files for the file providers (Ansible, Terraform, JSON) are uploaded first
// (POST /api/uploads) and named by the id the server gives them. A
// datacenter's orphans are its servers a sync found gone or no connection
// ever discovered.

import type { RecordDoc } from '../records/fields'
import { json, query, request } from './client'
import type { Job } from './jobs'
import type { Page } from './teams'

export interface CredentialField {
  name: string
  label: string
  secret: boolean
}

export interface ProviderResource {
  name: string
  /** The period a new connection syncs it with ("5m", "6h", "14d"). */
  default_every: string
  /** The provider's API calls it makes: what the permission policy must allow. */
  calls: string[]
}

export interface Provider {
  provider: string
  label: string
  credentials: CredentialField[]
  /** The file providers: exactly one of `upload`, `ssh` or `s3` is given. */
  credentials_one_of: boolean
  resources: ProviderResource[]
  /** The read-only permission document (or instructions) to set up at the provider. */
  policy: string
}

export type SyncState = 'success' | 'warning' | 'danger' | 'skipped'

export interface SyncCounts {
  created: number
  updated: number
  unchanged: number
  deactivated: number
  failed: number
}

/** How a resource's last sync went. */
export interface ResourceStatus {
  state: SyncState
  message: string
  at: string
  counts: SyncCounts
}

export interface ResourceSettings {
  enabled: boolean
  every: string
}

export interface Connection {
  id: string
  name: string
  provider: string
  /** The datacenter's record id. */
  datacenter: string
  regions: string[]
  endpoint: string | null
  enabled: boolean
  /** The resources it syncs, each with its schedule (none while disabled). */
  resources: Record<string, ResourceSettings & { schedule?: string }>
  /** Which credential fields are stored: always "set", never a value. */
  credentials: Record<string, string>
  status: Record<string, ResourceStatus>
  version: number
  created_at: string
  updated_at: string
}

/** What a person writes; `credentials` may hold "set" to keep a stored value. */
export interface ConnectionFields {
  name: string
  provider: string
  datacenter: string
  regions: string[]
  endpoint?: string | null
  enabled?: boolean
  resources?: Record<string, ResourceSettings>
  credentials: Record<string, unknown>
}

function connectionPath(id: string): string {
  return `/api/connections/${encodeURIComponent(id)}`
}

export function listProviders(): Promise<Provider[]> {
  return request<Provider[]>('/api/providers')
}

export function listConnections(params: { page?: number; limit?: number } = {}): Promise<Page<Connection>> {
  return request<Page<Connection>>(`/api/connections${query(params)}`)
}

export function createConnection(fields: ConnectionFields): Promise<Connection> {
  return request<Connection>('/api/connections', { method: 'POST', body: json(fields) })
}

/** The connection and its ETag, for a later If-Match. */
export async function fetchConnection(id: string): Promise<{ connection: Connection; etag: string }> {
  let etag = ''
  const connection = await request<Connection>(connectionPath(id), {
    onHeaders: (headers) => (etag = headers.get('ETag') ?? ''),
  })
  return { connection, etag: etag || `"${connection.version}"` }
}

/**
 * A merge patch of the connection; a stale `etag` is a 412 ApiError. The
 * server takes `credentials` as a whole: every field to keep is sent as "set".
 */
export function patchConnection(id: string, patch: Partial<ConnectionFields>, etag?: string): Promise<Connection> {
  return request<Connection>(connectionPath(id), {
    method: 'PATCH',
    body: json(patch),
    headers: etag ? { 'If-Match': etag } : {},
  })
}

/** Deletes the connection and its schedules; the records it found stay. */
export async function deleteConnection(id: string): Promise<void> {
  await request<void>(connectionPath(id), { method: 'DELETE' })
}

/** Syncs the given resources (all enabled ones by default) now: one queued job each. */
export async function syncConnection(id: string, resources?: string[]): Promise<Job[]> {
  const answer = await request<{ jobs: Job[] }>(`${connectionPath(id)}/sync`, {
    method: 'POST',
    body: json(resources ? { resources } : {}),
  })
  return answer.jobs
}

/** Tries the stored credentials against the provider. */
export function testConnection(id: string): Promise<{ ok: boolean; message: string }> {
  return request<{ ok: boolean; message: string }>(`${connectionPath(id)}/test`, { method: 'POST' })
}

/** Uploads a file as it is (for a file provider's `credentials.upload`); answers its id. */
export function uploadFile(file: Blob): Promise<{ upload: string; size: number }> {
  return request<{ upload: string; size: number }>('/api/uploads', {
    method: 'POST',
    body: file,
    headers: { 'Content-Type': 'application/octet-stream' },
  })
}

/**
 * The orphans of a datacenter, newest change first: its readable servers that
 * a sync found gone (inactive, source `connection:<id>`) or that no connection
 * ever discovered (active, entered by hand or imported).
 */
export function listOrphans(datacenterId: string, params: { page?: number; limit?: number } = {}): Promise<Page<RecordDoc>> {
  return request<Page<RecordDoc>>(`/api/datacenters/${encodeURIComponent(datacenterId)}/orphans${query(params)}`)
}
