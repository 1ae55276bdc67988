import { describe, expect, it } from 'vitest'
import { isActive, jobSubject, progressPercent, resultSummary, statusBadge } from './jobs'
import { describeEvery, describeTiming, parseEvery } from './timing'

describe('job presentation', () => {
  it('says which jobs may still change', () => {
    expect(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((status) => isActive(status as never))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ])
    expect(statusBadge('failed')).toBe('text-bg-danger')
  })

  it("names what a sync works on, and nothing for other jobs", () => {
    expect(jobSubject({ type: 'sync', args: { connection: 'c1', resource: 'server-list' } })).toBe('server-list')
    expect(jobSubject({ type: 'webhook', args: { url: 'https://x.test' } })).toBe('')
  })

  it('gives the progress as a share, or none when the total is unknown', () => {
    expect(progressPercent({ done: 1, total: 4, message: '' })).toBe(25)
    expect(progressPercent({ done: 5, total: 4, message: '' })).toBe(100)
    expect(progressPercent({ done: 0, total: 0, message: '' })).toBeNull()
    expect(progressPercent(undefined)).toBeNull()
  })

  it('sums up a result in one line', () => {
    expect(resultSummary({ type: 'webhook', status: 'succeeded', result: { status: 204, reply_bytes: 0 } })).toBe('HTTP 204')
    expect(
      resultSummary({
        type: 'import',
        status: 'succeeded',
        result: { total: 3, created: 2, updated: 0, unchanged: 0, failed: 1, errors: [] },
      }),
    ).toBe('3 records: 2 created, 1 failed')
    expect(resultSummary({ type: 'import', status: 'succeeded', result: { total: 0, created: 0, updated: 0, unchanged: 0, failed: 0 } })).toBe(
      '0 records',
    )
    expect(
      resultSummary({
        type: 'sync',
        status: 'succeeded',
        result: { created: 3, updated: 0, unchanged: 0, deactivated: 0, failed: 0, message: '3 created, 0 updated, 0 unchanged, 0 deactivated' },
      }),
    ).toBe('3 created, 0 updated, 0 unchanged, 0 deactivated')
    expect(resultSummary({ type: 'report', status: 'succeeded', result: null })).toBe('')
    expect(resultSummary({ type: 'report', status: 'succeeded', result: 'x'.repeat(200) })).toHaveLength(120)
  })
})

describe('timing in words', () => {
  it('reads intervals', () => {
    expect(parseEvery('30s')).toEqual({ count: 30, unit: 's' })
    expect(parseEvery('1.5h')).toBeNull()
    expect(describeEvery('1h')).toBe('every hour')
    expect(describeEvery('14d')).toBe('every 14 days')
    expect(describeTiming({ every: '2w', cron: null })).toBe('Every 2 weeks')
    expect(describeTiming({ every: null, cron: '0 9 * * mon-fri' })).toBe('At 09:00 UTC, on Monday to Friday')
    expect(describeTiming({ every: null, cron: 'bad' })).toBe('bad')
  })
})
