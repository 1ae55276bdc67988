// Background jobs and the notification history (API.md, "Jobs, schedules and
// events"). Jobs are visible to their owner only: the import, a schedule's
// runs, … Cancelling a queued job stops it before it starts; a running one is
// asked to stop (`cancel_requested`) and ends as soon as it checks; a job that
// has already ended answers 409.

import type { RealtimeMessage } from '../realtime/messages'
import { query, request } from './client'
import type { Page } from './teams'

export type JobType = 'webhook' | 'sync' | 'report' | 'graph' | 'import' | 'mail'
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled']

export interface JobProgress {
  done: number
  total: number
  message: string
}

export interface Job {
  id: string
  type: JobType | string
  status: JobStatus
  /** The schedule that ran it, if any. */
  schedule: string | null
  args: Record<string, unknown>
  progress: JobProgress
  result: unknown
  error: string | null
  attempts: number
  max_attempts: number
  run_after: string
  created_at: string
  started_at: string | null
  finished_at: string | null
  cancel_requested: boolean
}

export interface JobFilter {
  status?: JobStatus | ''
  type?: string
  schedule?: string
  page?: number
  limit?: number
}

function jobPath(id: string): string {
  return `/api/jobs/${encodeURIComponent(id)}`
}

/** The caller's jobs, newest first. */
export function listJobs(filter: JobFilter = {}): Promise<Page<Job>> {
  return request<Page<Job>>(`/api/jobs${query({ ...filter })}`)
}

export function fetchJob(id: string): Promise<Job> {
  return request<Job>(jobPath(id))
}

/** Cancels a queued job or asks a running one to stop; a job that has ended is a 409 ApiError. */
export async function cancelJob(id: string): Promise<Job> {
  const answer = await request<{ job: Job }>(`${jobPath(id)}/cancel`, { method: 'POST' })
  return answer.job
}

/** The caller's notify and event messages (kept 15 days), newest first. */
export async function listEvents(params: { since?: string; ref?: string; limit?: number } = {}): Promise<RealtimeMessage[]> {
  const answer = await request<{ items: RealtimeMessage[] }>(`/api/events${query(params)}`)
  return answer.items
}
