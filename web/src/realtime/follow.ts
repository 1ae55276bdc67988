// Follows one job to its end: the WebSocket's `job` messages move it along as
// they come; while the socket is not open it is fetched every second instead
// (GET /api/jobs/<id>). It is also fetched once at the start (it may have
// ended before the subscription), and when a message says it ended (messages
// carry no result). `onUpdate` gets the job as it stands; a final status only
// comes with the job as stored, result included.

import { ApiError } from '../api/client'
import type { Job } from '../api/jobs'
import { isFinal } from '../scheduler/jobs'
import type { JobMessage } from './messages'

export interface FollowOptions {
  onUpdate: (job: Job) => void
  /** A fetch failed: shown, and tried again a second later (a 404 ends the following). */
  onError?: (error: unknown) => void
  fetchJob: (id: string) => Promise<Job>
  /** Subscribes to job messages; returns the unsubscriber. */
  subscribe: (handler: (message: JobMessage) => void) => () => void
  /** Whether the socket is open (messages are arriving). */
  live: () => boolean
  intervalMs?: number
}

/** Starts following `job`; returns the function that stops it. */
export function followJob(job: Job, options: FollowOptions): () => void {
  let current = job
  let stopped = false
  let ended = false // a message said so: fetch until the stored job says so too
  let fetching = false

  const stop = (): void => {
    stopped = true
    unsubscribe()
    clearInterval(timer)
  }

  async function refresh(): Promise<void> {
    if (stopped || fetching) return
    fetching = true
    try {
      const fresh = await options.fetchJob(current.id)
      if (stopped) return
      current = fresh
      options.onUpdate(fresh)
      if (isFinal(fresh.status)) stop()
    } catch (error) {
      if (stopped) return
      options.onError?.(error)
      if (error instanceof ApiError && error.status === 404) stop()
    } finally {
      fetching = false
    }
  }

  const unsubscribe = options.subscribe((message) => {
    if (stopped || message.id !== current.id) return
    if (isFinal(message.status)) {
      ended = true
      void refresh()
      return
    }
    current = { ...current, status: message.status, progress: message.progress ?? current.progress }
    options.onUpdate(current)
  })
  const timer = setInterval(() => {
    if (ended || !options.live()) void refresh()
  }, options.intervalMs ?? 1_000)
  if (isFinal(job.status)) ended = true
  void refresh()
  return stop
}
