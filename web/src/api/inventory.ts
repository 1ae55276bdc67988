// The inventory-wide endpoints (API.md, "Search and dashboard", "Import",
// "Options"): the dashboard's counts and breakdowns, search across kinds, the
// JSON import and the global option lists.

import { json, query, request } from './client'
import type { Job } from './jobs'

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

/**
 * Uploads a file of the original's JSON format. The import runs as a job: the
 * answer (202) is the queued job, whose `result` is the ImportResult once it
 * has succeeded (follow it with realtime/follow.ts).
 */
export async function importJson(file: Blob, datacenter?: string): Promise<Job> {
  const form = new FormData()
  form.append('file', file)
  const answer = await request<{ job: Job }>(`/api/import${query({ format: 'json', datacenter })}`, {
    method: 'POST',
    body: form,
  })
  return answer.job
}

/** The import report of a job, when it has one. */
export function importResult(job: Pick<Job, 'result'>): ImportResult | null {
  const result = job.result as Partial<ImportResult> | null | undefined
  if (typeof result !== 'object' || result === null || typeof result.total !== 'number') return null
  return { total: 0, created: 0, updated: 0, unchanged: 0, failed: 0, ...result, errors: result.errors ?? [] }
}

export type Options = Record<string, unknown>

export function fetchOptions(): Promise<Options> {
  return request<Options>('/api/options')
}

/** One option (`deps_options`, say), without the catalogues that come with all of them. */
export function fetchOption(key: string): Promise<unknown> {
  return request<unknown>(`/api/options/${encodeURIComponent(key)}`)
}

/** Merges a JSON merge patch into one option; answers the option as stored. */
export function patchOption(key: string, patch: unknown): Promise<unknown> {
  return request<unknown>(`/api/options/${encodeURIComponent(key)}`, {
    method: 'PATCH',
    body: json(patch),
  })
}
