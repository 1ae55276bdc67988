// Records of every kind (API.md, "Records of every kind"): the kinds registry,
// list queries, one record with its version (ETag), create, merge-patch edits
// with If-Match, delete and restore, and the history.

import type { KindsResponse, PatchOp, RecordDoc } from '../records/fields'
import { json, query, request } from './client'

export interface RecordPage {
  items: RecordDoc[]
  total: number
  page: number
  limit: number
}

export type ActiveFilter = 'true' | 'false' | 'all'

export interface ListParams {
  page?: number
  limit?: number
  sort?: string
  q?: string
  active?: ActiveFilter
  /** JSON text of a list of `{field, op, value}`. */
  filter?: string
  /** Plain `field=value` conditions (a section's fixed family, say). */
  fields?: Record<string, string>
}

export interface HistoryEntry {
  version: number
  at: string
  actor: { type?: string; id?: string; name: string } | null
  action: string
  changes: PatchOp[]
}

function recordPath(kind: string, id?: string): string {
  const base = `/api/${encodeURIComponent(kind)}`
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`
}

export function fetchKinds(): Promise<KindsResponse> {
  return request<KindsResponse>('/api/kinds')
}

export function listRecords(kind: string, params: ListParams = {}): Promise<RecordPage> {
  const { fields = {}, ...rest } = params
  return request<RecordPage>(
    recordPath(kind) + query({ ...rest, active: rest.active === 'true' ? undefined : rest.active, ...fields }),
  )
}

/** The record and its ETag (its version, quoted), for a later If-Match. */
export async function fetchRecord(kind: string, id: string): Promise<{ record: RecordDoc; etag: string }> {
  let etag = ''
  const record = await request<RecordDoc>(recordPath(kind, id), {
    onHeaders: (headers) => (etag = headers.get('ETag') ?? ''),
  })
  return { record, etag: etag || `"${record.version}"` }
}

export function createRecord(kind: string, doc: Record<string, unknown>): Promise<RecordDoc> {
  return request<RecordDoc>(recordPath(kind), { method: 'POST', body: json(doc) })
}

/** A JSON merge patch; a stale `etag` is a 412 ApiError. */
export function patchRecord(
  kind: string,
  id: string,
  patch: Record<string, unknown>,
  etag?: string,
): Promise<RecordDoc> {
  const headers: Record<string, string> = etag ? { 'If-Match': etag } : {}
  return request<RecordDoc>(recordPath(kind, id), { method: 'PATCH', body: json(patch), headers })
}

export async function deleteRecord(kind: string, id: string): Promise<void> {
  await request<void>(recordPath(kind, id), { method: 'DELETE' })
}

export function restoreRecord(kind: string, id: string): Promise<RecordDoc> {
  return patchRecord(kind, id, { active: true })
}

export function fetchHistory(
  kind: string,
  id: string,
  params: { page?: number; limit?: number } = {},
): Promise<{ items: HistoryEntry[]; total?: number; page?: number; limit?: number }> {
  return request(`${recordPath(kind, id)}/history${query(params)}`)
}

export function fetchVersion(kind: string, id: string, version: number): Promise<RecordDoc> {
  return request<RecordDoc>(`${recordPath(kind, id)}/history/${version}`)
}
