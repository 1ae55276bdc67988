// Schedules (API.md, "Jobs, schedules and events"): a task with its arguments,
// run every interval (`every`: 30s, 5m, 6h, 14d, 2w) or on a 5-field UTC cron,
// optionally followed by a chain of other schedules. Each belongs to its owner
// only. Edits are whole replacements (PUT) or merge patches (PATCH), both with
// If-Match: the ETag (version) they were read with; a stale one is a 412.

import { json, query, request } from './client'
import type { Job } from './jobs'
import type { Page } from './teams'

export type ScheduleTask = 'webhook' | 'sync' | 'report' | 'graph'
export type ScheduleLastStatus = 'queued' | 'succeeded' | 'failed' | 'cancelled'
export type WebhookMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export const WEBHOOK_METHODS: readonly WebhookMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

export interface WebhookArgs {
  url: string
  method?: WebhookMethod
  headers?: Record<string, string>
  body?: unknown
}

export interface ChainLink {
  schedule: string
  countdown_s: number
}

export interface Schedule {
  id: string
  name: string
  task: ScheduleTask
  args: Record<string, unknown>
  every: string | null
  cron: string | null
  enabled: boolean
  run_immediately: boolean
  chain: ChainLink[]
  total_run_count: number
  failures: number
  last_run_at: string | null
  next_run_at: string | null
  last_status: ScheduleLastStatus | null
  message: string | null
  version: number
  created_at: string
  updated_at: string
}

/** What a person writes; the server keeps the rest. */
export interface ScheduleFields {
  name: string
  task: ScheduleTask
  args: Record<string, unknown>
  every: string | null
  cron: string | null
  enabled: boolean
  run_immediately: boolean
  chain: ChainLink[]
}

function schedulePath(id: string): string {
  return `/api/schedules/${encodeURIComponent(id)}`
}

/** The ETag for a schedule read from a list (its version, quoted). */
export function scheduleEtag(schedule: Pick<Schedule, 'version'>): string {
  return `"${schedule.version}"`
}

export function listSchedules(params: { page?: number; limit?: number } = {}): Promise<Page<Schedule>> {
  return request<Page<Schedule>>(`/api/schedules${query(params)}`)
}

export function createSchedule(fields: ScheduleFields): Promise<Schedule> {
  return request<Schedule>('/api/schedules', { method: 'POST', body: json(fields) })
}

/** The schedule and its ETag, for a later If-Match. */
export async function fetchSchedule(id: string): Promise<{ schedule: Schedule; etag: string }> {
  let etag = ''
  const schedule = await request<Schedule>(schedulePath(id), {
    onHeaders: (headers) => (etag = headers.get('ETag') ?? ''),
  })
  return { schedule, etag: etag || scheduleEtag(schedule) }
}

/** Replaces the schedule's fields; a stale `etag` is a 412 ApiError. */
export function replaceSchedule(id: string, fields: ScheduleFields, etag?: string): Promise<Schedule> {
  return request<Schedule>(schedulePath(id), {
    method: 'PUT',
    body: json(fields),
    headers: etag ? { 'If-Match': etag } : {},
  })
}

/** A JSON merge patch (`{enabled: false}`); a stale `etag` is a 412 ApiError. */
export function patchSchedule(id: string, patch: Partial<ScheduleFields>, etag?: string): Promise<Schedule> {
  return request<Schedule>(schedulePath(id), {
    method: 'PATCH',
    body: json(patch),
    headers: etag ? { 'If-Match': etag } : {},
  })
}

export async function deleteSchedule(id: string): Promise<void> {
  await request<void>(schedulePath(id), { method: 'DELETE' })
}

/** Runs the schedule's task now (its timing is unchanged); answers the queued job. */
export async function runSchedule(id: string): Promise<Job> {
  const answer = await request<{ job: Job }>(`${schedulePath(id)}/run`, { method: 'POST' })
  return answer.job
}
