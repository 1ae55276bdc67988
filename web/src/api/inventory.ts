// The inventory-wide endpoints (API.md, "Search and dashboard", "Import",
// "Options"): the dashboard's counts and breakdowns, search across kinds, the
// JSON import and the global option lists.

import { json, query, request } from './client'

/** One bar of a breakdown: a value of the field (`(none)` when unset) and how many records have it. */
export interface StatBucket {
  key: string
  count: number
}

export interface Stats {
  counts: Record<string, number>
  servers: {
    by_provider: StatBucket[]
    by_environment: StatBucket[]
    by_os: StatBucket[]
    by_region: StatBucket[]
  }
  applications: {
    by_family: StatBucket[]
    by_environment: StatBucket[]
  }
}

export function fetchStats(): Promise<Stats> {
  return request<Stats>('/api/stats')
}

export interface SearchHit {
  kind: string
  id: string
  name: string
  match: 'exact' | 'prefix' | 'contains'
}

/** Records whose search fields match `q`, across `kinds`, best first. */
export async function searchRecords(q: string, kinds: readonly string[], limit = 10): Promise<SearchHit[]> {
  const answer = await request<{ items: SearchHit[] }>(
    `/api/search${query({ q, kinds: kinds.join(','), limit })}`,
  )
  return answer.items
}

export interface ImportError {
  section: string
  index: number
  message: string
  details?: { field?: string; problem?: string }[]
}

export interface ImportResult {
  total: number
  created: number
  updated: number
  unchanged: number
  failed: number
  errors: ImportError[]
}

export interface ImportJob {
  id: string
  type: string
  status: string
  result?: ImportResult | null
}

/** Uploads a file of the original's JSON format; the job has run when the answer comes. */
export async function importJson(file: Blob, datacenter?: string): Promise<ImportJob> {
  const form = new FormData()
  form.append('file', file)
  const answer = await request<{ job: ImportJob }>(`/api/import${query({ format: 'json', datacenter })}`, {
    method: 'POST',
    body: form,
  })
  return answer.job
}

export type Options = Record<string, unknown>

export function fetchOptions(): Promise<Options> {
  return request<Options>('/api/options')
}

/** Merges a JSON merge patch into one option; answers the option as stored. */
export function patchOption(key: string, patch: unknown): Promise<unknown> {
  return request<unknown>(`/api/options/${encodeURIComponent(key)}`, {
    method: 'PATCH',
    body: json(patch),
  })
}
