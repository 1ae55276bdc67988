// How connections read in the UI: the colour and words of a resource's sync
// state, when a connection last synced, one progress for the jobs a "Sync
// now" started (one per resource), and the filters that find the records a
// connection discovered, and why a server is an orphan of its datacenter.

import type { Connection, ResourceStatus, SyncCounts, SyncState } from '../api/connections'
import type { Job, JobProgress, JobStatus } from '../api/jobs'
import { isActive } from '../scheduler/jobs'

export const STATE_LABELS: Readonly<Record<SyncState, string>> = {
  success: 'Synced',
  warning: 'Warning',
  danger: 'Failed',
  skipped: 'Skipped',
}

const STATE_BADGES: Readonly<Record<SyncState, string>> = {
  success: 'text-bg-success',
  warning: 'text-bg-warning',
  danger: 'text-bg-danger',
  skipped: 'text-bg-secondary',
}

/** The Bootstrap classes of a sync state's badge; a resource never synced is light. */
export function stateBadge(state: SyncState | undefined): string {
  return (state && STATE_BADGES[state]) || 'text-bg-light'
}

export function stateLabel(state: SyncState | undefined): string {
  return (state && STATE_LABELS[state]) || 'Not synced yet'
}

/** The time of the connection's latest sync of any resource, or null when none has run. */
export function lastSyncAt(connection: Pick<Connection, 'status'>): string | null {
  let latest: string | null = null
  for (const status of Object.values(connection.status ?? {})) {
    if (status?.at && (latest === null || Date.parse(status.at) > Date.parse(latest))) latest = status.at
  }
  return latest
}

/**
 * The resources to show for a connection: those it syncs, then those with a
 * status from before they were switched off. The others are only named
 * (`idleResources`).
 */
export function resourceNames(connection: Pick<Connection, 'resources' | 'status'>): string[] {
  const resources = connection.resources ?? {}
  const names = Object.keys(resources).filter((name) => resources[name]?.enabled)
  for (const name of Object.keys(connection.status ?? {})) if (!names.includes(name)) names.push(name)
  return names
}

/** The resources the connection could sync but does not, and never did. */
export function idleResources(connection: Pick<Connection, 'resources' | 'status'>): string[] {
  const shown = new Set(resourceNames(connection))
  return Object.keys(connection.resources ?? {}).filter((name) => !shown.has(name))
}

const COUNT_KEYS: readonly (keyof SyncCounts)[] = ['created', 'updated', 'unchanged', 'deactivated', 'failed']

/** "3 created, 1 deactivated" (the non-zero counts), or "nothing changed". */
export function countsSummary(counts: Partial<SyncCounts> | undefined): string {
  const parts = COUNT_KEYS.filter((key) => (counts?.[key] ?? 0) > 0).map((key) => `${counts?.[key]} ${key}`)
  return parts.length > 0 ? parts.join(', ') : 'no records'
}

export function countsOf(status: ResourceStatus | undefined): SyncCounts {
  return {
    created: status?.counts?.created ?? 0,
    updated: status?.counts?.updated ?? 0,
    unchanged: status?.counts?.unchanged ?? 0,
    deactivated: status?.counts?.deactivated ?? 0,
    failed: status?.counts?.failed ?? 0,
  }
}

/**
 * One progress for the jobs of a "Sync now": with one job, its own; with
 * several, how many have ended out of how many, and the message of a job still
 * running. The status is running while any is queued or running, failed when
 * any failed, succeeded otherwise.
 */
export function combinedProgress(jobs: readonly Pick<Job, 'status' | 'progress'>[]): { status: JobStatus; progress: JobProgress } | null {
  const [first] = jobs
  if (!first) return null
  if (jobs.length === 1) return { status: first.status, progress: first.progress }
  const ended = jobs.filter((job) => !isActive(job.status)).length
  const running = jobs.find((job) => job.status === 'running' && job.progress?.message)
  let status: JobStatus = 'succeeded'
  if (jobs.some((job) => isActive(job.status))) status = jobs.some((job) => job.status === 'running') ? 'running' : 'queued'
  else if (jobs.some((job) => job.status === 'failed')) status = 'failed'
  else if (jobs.every((job) => job.status === 'cancelled')) status = 'cancelled'
  return { status, progress: { done: ended, total: jobs.length, message: running?.progress.message ?? '' } }
}

/** The `source` of the records a connection discovered. */
export function sourceOf(connectionId: string): string {
  return `connection:${connectionId}`
}

/** The servers list's query (in the URL) for the records a connection discovered. */
export function discoveredQuery(connectionId: string): Record<string, string> {
  return listPageQuery({ active: 'all', filter: [{ field: 'source', op: 'eq', value: sourceOf(connectionId) }] })
}

/** A servers list query: `active` and the `filter` conditions (as the list API and the list page take them). */
export interface ServersQuery {
  active: 'true' | 'false' | 'all'
  filter: { field: string; op: string; value: string }[]
}

/** Why a server is an orphan of its datacenter (GET /api/datacenters/<id>/orphans). */
export type OrphanKind = 'gone' | 'undiscovered'

export const ORPHAN_LABELS: Readonly<Record<OrphanKind, string>> = {
  gone: 'gone at the provider',
  undiscovered: 'never discovered',
}

/**
 * Which kind of orphan a server is: one a connection discovered and a later
 * sync no longer found (inactive, source `connection:<id>`), or one no
 * connection ever discovered (entered by hand or imported).
 */
export function orphanKind(server: { active?: unknown; source?: unknown }): OrphanKind {
  return server.active === false && typeof server.source === 'string' && server.source.startsWith('connection:')
    ? 'gone'
    : 'undiscovered'
}

/** The connection id of a `connection:<id>` source, or null. */
export function connectionOfSource(source: unknown): string | null {
  return typeof source === 'string' && source.startsWith('connection:') && source.length > 'connection:'.length
    ? source.slice('connection:'.length)
    : null
}

/** The servers list page's URL query for `servers`. */
export function listPageQuery(servers: ServersQuery): Record<string, string> {
  return { filter: JSON.stringify(servers.filter), ...(servers.active === 'true' ? {} : { active: servers.active }) }
}
