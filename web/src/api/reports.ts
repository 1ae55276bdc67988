// Reports (API.md, "Reports"): a single kind or a pivot chain out of clients →
// systems → applications → servers, with filters and columns per kind. Saving
// one queues its generation (a job); its rows are then read in pages, counted
// by a column for charts, and exported as files. Each report belongs to its
// owner only; edits honour If-Match like other records.

import { downloadFile, json, query, request } from './client'
import type { Job } from './jobs'
import type { FilterCondition } from '../records/fields'
import type { Page } from './teams'

export type ReportType = 'single' | 'pivot'
export type ReportStatus = 'queued' | 'running' | 'finished' | 'empty' | 'failed'
export type ExportFormat = 'csv' | 'json' | 'xlsx' | 'pdf' | 'inventory'

export interface ReportFields {
  name: string
  type: ReportType
  kinds: string[]
  filters: Record<string, FilterCondition[]>
  columns: Record<string, string[]>
}

export interface Report extends ReportFields {
  id: string
  status: ReportStatus
  message: string | null
  total: number
  job: string | null
  generated_at: string | null
  /** The keys of result rows: `hostname`, or `servers.hostname` in a pivot. */
  row_columns: string[]
  version: number
  created_at: string
  updated_at: string
}

export type ReportRow = Record<string, unknown>

export interface ReportRows extends Page<ReportRow> {
  columns: string[]
  status: ReportStatus
}

export interface AggregateItem {
  key: string
  count: number
}

export interface Aggregate {
  by: string
  items: AggregateItem[]
  /** Counted values beyond `limit`, together. */
  others: number
  /** Rows without a value. */
  none: number
  rows: number
}

function reportPath(id: string): string {
  return `/api/reports/${encodeURIComponent(id)}`
}

export function listReports(params: { page?: number; limit?: number } = {}): Promise<Page<Report>> {
  return request<Page<Report>>(`/api/reports${query(params)}`)
}

export function createReport(fields: ReportFields): Promise<Report> {
  return request<Report>('/api/reports', { method: 'POST', body: json(fields) })
}

export function fetchReport(id: string): Promise<Report> {
  return request<Report>(reportPath(id))
}

/** Replaces the definition (and queues a generation); a stale version is a 412 ApiError. */
export function replaceReport(id: string, fields: ReportFields, version?: number): Promise<Report> {
  return request<Report>(reportPath(id), {
    method: 'PUT',
    body: json(fields),
    headers: version ? { 'If-Match': `"${version}"` } : {},
  })
}

export async function deleteReport(id: string): Promise<void> {
  await request<void>(reportPath(id), { method: 'DELETE' })
}

export async function runReport(id: string): Promise<Job> {
  const answer = await request<{ job: Job }>(`${reportPath(id)}/run`, { method: 'POST' })
  return answer.job
}

export function fetchRows(
  id: string,
  params: { page?: number; limit?: number; sort?: string; q?: string } = {},
): Promise<ReportRows> {
  return request<ReportRows>(`${reportPath(id)}/rows${query(params)}`)
}

export function fetchAggregate(id: string, by: string, limit = 12): Promise<Aggregate> {
  return request<Aggregate>(`${reportPath(id)}/aggregate${query({ by, limit })}`)
}

/** The address of an export (fetched with the session's token by `downloadExport`). */
export function exportPath(id: string, format: ExportFormat): string {
  return `${reportPath(id)}/export${query({ format })}`
}

/** Downloads an export as a file of the browser. */
export function downloadExport(id: string, format: ExportFormat): Promise<string> {
  return downloadFile(exportPath(id, format))
}
