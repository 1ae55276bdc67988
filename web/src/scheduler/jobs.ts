// How jobs read in the UI: names of types and statuses, badge colours, the
// progress bar's share, and a one-line summary of a job's result.

import type { Job, JobProgress, JobStatus } from '../api/jobs'
import type { ScheduleLastStatus } from '../api/schedules'

export const JOB_TYPE_LABELS: Readonly<Record<string, string>> = {
  webhook: 'Webhook',
  sync: 'Sync',
  report: 'Report',
  graph: 'Graph',
  import: 'Import',
  mail: 'Mail',
}

export const STATUS_LABELS: Readonly<Record<JobStatus, string>> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

const BADGES: Readonly<Record<JobStatus, string>> = {
  queued: 'text-bg-secondary',
  running: 'text-bg-primary',
  succeeded: 'text-bg-success',
  failed: 'text-bg-danger',
  cancelled: 'text-bg-warning',
}

export function jobTypeLabel(type: string): string {
  return JOB_TYPE_LABELS[type] ?? type
}

/** What a job works on, when its type says so: a sync's resource ("server-list"); '' otherwise. */
export function jobSubject(job: Pick<Job, 'type' | 'args'>): string {
  const resource = job.type === 'sync' ? job.args?.resource : undefined
  return typeof resource === 'string' ? resource : ''
}

/** The Bootstrap classes of a status badge. */
export function statusBadge(status: JobStatus | ScheduleLastStatus): string {
  return BADGES[status] ?? 'text-bg-light'
}

/** Queued or running: it may still change, and may be cancelled. */
export function isActive(status: JobStatus): boolean {
  return status === 'queued' || status === 'running'
}

export function isFinal(status: JobStatus): boolean {
  return !isActive(status)
}

/** The share done, 0–100; null when the job has not said how much there is (an indeterminate bar). */
export function progressPercent(progress: JobProgress | null | undefined): number | null {
  if (!progress || !(progress.total > 0)) return null
  return Math.max(0, Math.min(100, Math.round((progress.done / progress.total) * 100)))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * One line about what a finished job produced: "HTTP 200", "3 records: 2
 * created, 1 failed", or a sync's own ("3 created, 0 updated, …").
 */
export function resultSummary(job: Pick<Job, 'type' | 'status' | 'result'>): string {
  const result = job.result
  if (result === null || result === undefined) return ''
  if (isRecord(result)) {
    if (typeof result.status === 'number' && (job.type === 'webhook' || 'reply_bytes' in result)) {
      return `HTTP ${result.status}`
    }
    if (job.type === 'sync' && typeof result.message === 'string' && result.message !== '') return result.message
    if (typeof result.total === 'number' && typeof result.created === 'number') {
      const parts = (['created', 'updated', 'unchanged', 'failed'] as const)
        .filter((key) => typeof result[key] === 'number' && (result[key] as number) > 0)
        .map((key) => `${result[key] as number} ${key}`)
      const total = `${result.total} record${result.total === 1 ? '' : 's'}`
      return parts.length > 0 ? `${total}: ${parts.join(', ')}` : total
    }
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result)
  return text.length > 120 ? `${text.slice(0, 119)}…` : text
}
