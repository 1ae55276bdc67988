import { describe, expect, it } from 'vitest'
import type { Job } from '../api/jobs'
import {
  combinedProgress,
  countsSummary,
  discoveredQuery,
  idleResources,
  lastSyncAt,
  connectionOfSource,
  ORPHAN_LABELS,
  orphanKind,
  resourceNames,
  stateBadge,
  stateLabel,
} from './status'

const COUNTS = { created: 0, updated: 0, unchanged: 0, deactivated: 0, failed: 0 }

function job(status: Job['status'], message = ''): Pick<Job, 'status' | 'progress'> {
  return { status, progress: { done: 0, total: 0, message } }
}

describe('sync states', () => {
  it('colours each state, and a resource never synced', () => {
    expect(['success', 'warning', 'danger', 'skipped'].map((state) => stateBadge(state as never))).toEqual([
      'text-bg-success',
      'text-bg-warning',
      'text-bg-danger',
      'text-bg-secondary',
    ])
    expect(stateBadge(undefined)).toBe('text-bg-light')
    expect(stateLabel(undefined)).toBe('Not synced yet')
    expect(stateLabel('danger')).toBe('Failed')
  })

  it('finds the latest sync and lists the resources with a status last', () => {
    const connection = {
      resources: {
        'server-list': { enabled: true, every: '5m' },
        'images-list': { enabled: false, every: '14d' },
        'volumes-list': { enabled: false, every: '6h' },
      },
      status: {
        'server-list': { state: 'success' as const, message: '', at: '2026-05-01T10:00:00Z', counts: COUNTS },
        'volumes-list': { state: 'warning' as const, message: '', at: '2026-05-01T11:00:00Z', counts: COUNTS },
      },
    }
    expect(lastSyncAt(connection)).toBe('2026-05-01T11:00:00Z')
    expect(lastSyncAt({ status: {} })).toBeNull()
    expect(resourceNames(connection)).toEqual(['server-list', 'volumes-list'])
    expect(idleResources(connection)).toEqual(['images-list'])
  })

  it('sums up the counts that are not zero', () => {
    expect(countsSummary({ ...COUNTS, created: 3, deactivated: 1 })).toBe('3 created, 1 deactivated')
    expect(countsSummary(COUNTS)).toBe('no records')
  })
})

describe('combinedProgress', () => {
  it('is the job itself when there is one, and nothing without jobs', () => {
    expect(combinedProgress([])).toBeNull()
    expect(combinedProgress([job('running', 'server-list: 3 listed')])).toEqual({
      status: 'running',
      progress: { done: 0, total: 0, message: 'server-list: 3 listed' },
    })
  })

  it('counts the ended jobs of several, running while any is', () => {
    expect(combinedProgress([job('succeeded'), job('running', 'volumes-list: 2 listed'), job('queued')])).toEqual({
      status: 'running',
      progress: { done: 1, total: 3, message: 'volumes-list: 2 listed' },
    })
    expect(combinedProgress([job('queued'), job('queued')])?.status).toBe('queued')
    expect(combinedProgress([job('succeeded'), job('failed')])).toEqual({
      status: 'failed',
      progress: { done: 2, total: 2, message: '' },
    })
    expect(combinedProgress([job('succeeded'), job('succeeded')])?.status).toBe('succeeded')
  })
})

describe('queries of discovered servers', () => {
  it('finds what a connection discovered, inactive ones too', () => {
    expect(discoveredQuery('c1')).toEqual({
      filter: '[{"field":"source","op":"eq","value":"connection:c1"}]',
      active: 'all',
    })
  })

  it('tells a server gone at the provider from one never discovered', () => {
    expect(orphanKind({ active: false, source: 'connection:c1' })).toBe('gone')
    expect(orphanKind({ active: true, source: 'manual' })).toBe('undiscovered')
    expect(orphanKind({ active: true, source: 'import' })).toBe('undiscovered')
    // Still found by its connection: not gone, whatever the list says.
    expect(orphanKind({ active: true, source: 'connection:c1' })).toBe('undiscovered')
    expect(orphanKind({})).toBe('undiscovered')
    expect(ORPHAN_LABELS[orphanKind({ active: false, source: 'connection:c1' })]).toBe('gone at the provider')
  })

  it('reads the connection of a source', () => {
    expect(connectionOfSource('connection:01ABC')).toBe('01ABC')
    expect(connectionOfSource('connection:')).toBeNull()
    expect(connectionOfSource('manual')).toBeNull()
    expect(connectionOfSource(undefined)).toBeNull()
  })
})
