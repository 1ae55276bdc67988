import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api/client'
import type { Job } from '../api/jobs'
import { followJob } from './follow'
import type { JobMessage } from './messages'

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
const REPORT = { total: 2, created: 2, updated: 0, unchanged: 0, failed: 0, errors: [] }

function message(status: JobMessage['status'], done = 0, total = 0): JobMessage {
  return { type: 'job', id: 'j1', job_type: 'import', status, progress: { done, total, message: '' } }
}

function setup(stored: () => Job | Error, live = true) {
  const handlers = new Set<(message: JobMessage) => void>()
  const updates: Job[] = []
  const errors: unknown[] = []
  const fetchJob = vi.fn(async () => {
    const answer = stored()
    if (answer instanceof Error) throw answer
    return answer
  })
  const stop = followJob(QUEUED, {
    onUpdate: (job) => updates.push(job),
    onError: (error) => errors.push(error),
    fetchJob,
    subscribe: (handler) => {
      handlers.add(handler)
      return () => handlers.delete(handler)
    },
    live: () => live,
  })
  const send = (msg: JobMessage) => handlers.forEach((handler) => handler(msg))
  return { stop, updates, errors, fetchJob, send, handlers }
}

describe('followJob', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('moves with the messages while the socket is open, and fetches the result at the end', async () => {
    let stored: Job = QUEUED
    const { updates, fetchJob, send, handlers } = setup(() => stored)
    await vi.advanceTimersByTimeAsync(0)
    expect(fetchJob).toHaveBeenCalledTimes(1) // once at the start
    send(message('running', 1, 4))
    send({ ...message('running', 9, 9), id: 'other' })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(fetchJob).toHaveBeenCalledTimes(1) // live: no polling
    expect(updates.map((job) => [job.status, job.progress.done])).toEqual([
      ['queued', 0],
      ['running', 1],
    ])
    stored = { ...QUEUED, status: 'succeeded', progress: { done: 4, total: 4, message: '' }, result: REPORT }
    send(message('succeeded', 4, 4))
    await vi.advanceTimersByTimeAsync(0)
    expect(fetchJob).toHaveBeenCalledTimes(2)
    expect(updates.at(-1)).toMatchObject({ status: 'succeeded', result: REPORT })
    expect(handlers.size).toBe(0) // done following
    await vi.advanceTimersByTimeAsync(5_000)
    expect(fetchJob).toHaveBeenCalledTimes(2)
  })

  it('polls every second while the socket is not open', async () => {
    let polls = 0
    const { updates, fetchJob } = setup(() => {
      polls += 1
      return polls < 3 ? { ...QUEUED, status: 'running' } : { ...QUEUED, status: 'failed', error: 'the file is not valid' }
    }, false)
    await vi.advanceTimersByTimeAsync(0)
    await vi.advanceTimersByTimeAsync(1_000)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fetchJob).toHaveBeenCalledTimes(3)
    expect(updates.map((job) => job.status)).toEqual(['running', 'running', 'failed'])
    await vi.advanceTimersByTimeAsync(3_000)
    expect(fetchJob).toHaveBeenCalledTimes(3)
  })

  it('tries again after a failed fetch, and gives up on a 404', async () => {
    let answer: Job | Error = new ApiError('The Maestro server could not be reached.', 0, 'unreachable')
    const { errors, fetchJob } = setup(() => answer, false)
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toHaveLength(1)
    answer = new ApiError('no job j1', 404, 'not_found')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(errors).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(3_000)
    expect(fetchJob).toHaveBeenCalledTimes(2)
  })

  it('stops when asked', async () => {
    const { stop, fetchJob, send, updates, handlers } = setup(() => QUEUED, false)
    await vi.advanceTimersByTimeAsync(0)
    stop()
    send(message('running'))
    await vi.advanceTimersByTimeAsync(5_000)
    expect(fetchJob).toHaveBeenCalledTimes(1)
    expect(updates).toHaveLength(1)
    expect(handlers.size).toBe(0)
  })
})
