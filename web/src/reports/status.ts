// How a report's status reads: its label and badge colour.

import type { ReportStatus } from '../api/reports'

export const REPORT_STATUS_LABELS: Record<ReportStatus, string> = {
  queued: 'Queued',
  running: 'Generating',
  finished: 'Ready',
  empty: 'Empty',
  failed: 'Failed',
}

export function reportStatusBadge(status: ReportStatus): string {
  switch (status) {
    case 'finished':
      return 'text-bg-success'
    case 'empty':
      return 'text-bg-warning'
    case 'failed':
      return 'text-bg-danger'
    default:
      return 'text-bg-info'
  }
}

/** Whether the report is still being generated (its page follows it). */
export function generating(status: ReportStatus): boolean {
  return status === 'queued' || status === 'running'
}
