import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Job } from '../api/jobs'
import type { JobMessage } from '../realtime/messages'
import { useJobsStore } from './jobs'
import { useToastsStore } from './toasts'

const QUEUED: Job = {
  id: 'j1',
  type: 'import',
  status: 'queued',
  schedule: null,
  args: {},
  progress: { done: 0, total: 0, message: '' },
  result: null,
  error: null,
  attempts: 0,
  max_attempts: 3,
  run_after: '2026-05-01T10:00:00Z',
  created_at: '2026-05-01T10:00:00Z',
  started_at: null,
  finished_at: null,
  cancel_requested: false,
}
const DONE: Job = {
  ...QUEUED,
  status: 'succeeded',
  progress: { done: 3, total: 3, message: '' },
  result: { total: 3, created: 2, updated: 0, unchanged: 0, failed: 1, errors: [] },
}

function message(status: JobMessage['status'], id = 'j1'): JobMessage {
  return { type: 'job', id, job_type: 'import', status, progress: { done: 0, total: 0, message: '' }, error: null }
}

function answer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

describe('jobs store', () => {
  let stored: Job

  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    stored = DONE
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: string) => {
        const url = new URL(input, 'http://maestro.test')
        if (url.pathname === '/api/jobs') {
          const status = url.searchParams.get('status')
          const items = [{ ...QUEUED, id: 'r1', status: 'running' }, { ...QUEUED, id: 'q1' }].filter(
            (job) => job.status === status,
          )
          return answer({ items, total: items.length, page: 1, limit: 100 })
        }
        return answer(stored)
      }),
    )
  })

  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('counts the queued and running jobs from the API and the messages', async () => {
    const jobs = useJobsStore()
    await jobs.loadActive()
    expect(jobs.activeCount).toBe(2)
    jobs.apply(message('succeeded', 'r1'))
    expect(jobs.activeCount).toBe(1)
    jobs.apply(message('running', 'new'))
    expect(jobs.activeCount).toBe(2)
  })

  it('shows a toast with the result when a job started here succeeds', async () => {
    const jobs = useJobsStore()
    const toasts = useToastsStore()
    jobs.track(QUEUED)
    jobs.apply(message('running'))
    expect(toasts.toasts).toEqual([])
    jobs.apply(message('succeeded'))
    await vi.advanceTimersByTimeAsync(0)
    expect(toasts.toasts).toMatchObject([
      { level: 'success', title: 'Import job succeeded', message: '3 records: 2 created, 1 failed' },
    ])
    jobs.apply(message('succeeded'))
    await vi.advanceTimersByTimeAsync(0)
    expect(toasts.toasts).toHaveLength(1) // once
  })

  it('shows the error of a failed job, and nothing for jobs of other tabs or of schedules', async () => {
    const jobs = useJobsStore()
    const toasts = useToastsStore()
    stored = { ...QUEUED, status: 'failed', error: 'the file is not valid' }
    jobs.track(QUEUED)
    jobs.track({ ...QUEUED, id: 'run', type: 'webhook', schedule: 's1' })
    jobs.apply(message('failed'))
    jobs.apply(message('failed', 'elsewhere'))
    jobs.apply({ ...message('succeeded', 'run'), job_type: 'webhook' })
    await vi.advanceTimersByTimeAsync(0)
    expect(toasts.toasts).toMatchObject([{ level: 'danger', title: 'Import job failed', message: 'the file is not valid' }])
  })

  it('keeps a job ended when the answer that started it comes after its end', async () => {
    const jobs = useJobsStore()
    const toasts = useToastsStore()
    jobs.apply(message('running'))
    jobs.apply(message('succeeded'))
    jobs.track(QUEUED) // the POST's answer, read before the job ran
    expect(jobs.activeCount).toBe(0)
    expect(jobs.jobs.j1?.status).toBe('succeeded')
    await vi.advanceTimersByTimeAsync(0)
    expect(toasts.toasts).toMatchObject([{ title: 'Import job succeeded' }])
  })

  it('forgets jobs that ended while nobody listened', async () => {
    const jobs = useJobsStore()
    jobs.remember({ ...QUEUED, id: 'gone', status: 'running' })
    await jobs.loadActive()
    expect(Object.keys(jobs.jobs).sort()).toEqual(['q1', 'r1'])
  })
})

describe('toasts store', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('hides each toast after six seconds, not while held, and keeps five at most', () => {
    const toasts = useToastsStore()
    const first = toasts.push({ title: 'one', message: '', level: 'info' })
    vi.advanceTimersByTime(3_000)
    const second = toasts.push({ title: 'two', message: '', level: 'success' })
    toasts.hold(second)
    vi.advanceTimersByTime(3_000)
    expect(toasts.toasts.map((toast) => toast.id)).toEqual([second])
    expect(first).not.toBe(second)
    vi.advanceTimersByTime(60_000)
    expect(toasts.toasts).toHaveLength(1)
    toasts.release(second)
    vi.advanceTimersByTime(6_000)
    expect(toasts.toasts).toEqual([])
    for (let i = 0; i < 7; i++) toasts.push({ title: `t${i}`, message: '', level: 'info' })
    expect(toasts.toasts.map((toast) => toast.title)).toEqual(['t2', 't3', 't4', 't5', 't6'])
  })
})
