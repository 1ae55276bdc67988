// The user's jobs as they move: what the WebSocket's `job` messages and the
// API answers said last about each, the number still queued or running (the
// top bar's badge), and the jobs started in this tab — whose end (succeeded or
// failed) shows a toast. A schedule's run is left to the server's own
// notification ("Schedule … ran"), so it gets no second toast.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchJob, listJobs, type Job, type JobProgress, type JobStatus } from '../api/jobs'
import type { JobMessage } from '../realtime/messages'
import { isActive, isFinal, jobTypeLabel, resultSummary } from '../scheduler/jobs'
import { useToastsStore } from './toasts'

export interface LiveJob {
  id: string
  type: string
  status: JobStatus
  progress: JobProgress
  error: string | null
}

const ACTIVE_LIMIT = 100

export const useJobsStore = defineStore('jobs', () => {
  const jobs = ref<Record<string, LiveJob>>({})
  const activeCount = computed(() => Object.values(jobs.value).filter((job) => isActive(job.status)).length)

  /** Jobs started in this tab, not yet ended: whether their end gets a toast. */
  const started = new Map<string, { toast: boolean }>()
  /** Ids a message or an answer updated while the active jobs were loading. */
  let touched = new Set<string>()

  /**
   * Keeps what was said last about a job, except that an ended job stays
   * ended: an answer read before its end may arrive after the message that
   * told it (a fast job's "Run now"). False when `job` was older news.
   */
  function set(job: LiveJob): boolean {
    const known = jobs.value[job.id]
    if (known && isFinal(known.status) && isActive(job.status)) return false
    jobs.value = { ...jobs.value, [job.id]: job }
    touched.add(job.id)
    return true
  }

  function announce(job: Pick<Job, 'type' | 'status' | 'result' | 'error'>): void {
    const label = jobTypeLabel(job.type)
    const toasts = useToastsStore()
    if (job.status === 'succeeded') {
      toasts.push({
        level: 'success',
        title: `${label} job succeeded`,
        message: resultSummary(job) || 'It finished without problems.',
        to: { name: 'jobs' },
      })
    } else if (job.status === 'failed') {
      toasts.push({
        level: 'danger',
        title: `${label} job failed`,
        message: job.error || 'It gave no reason.',
        to: { name: 'jobs', query: { status: 'failed' } },
      })
    }
  }

  /** Takes a job as the API answered it. */
  function remember(job: Job): void {
    if (!set({ id: job.id, type: job.type, status: job.status, progress: job.progress, error: job.error })) {
      // It ended before this answer came: read it again, as it ended.
      if (started.has(job.id)) {
        fetchJob(job.id).then(
          (ended) => (isFinal(ended.status) ? remember(ended) : started.delete(job.id)),
          () => started.delete(job.id),
        )
      }
      return
    }
    const mine = started.get(job.id)
    if (mine && isFinal(job.status)) {
      started.delete(job.id)
      if (mine.toast) announce(job)
    }
  }

  /** Takes a `job` message of the WebSocket. */
  function apply(message: JobMessage): void {
    const before = jobs.value[message.id]
    const fresh = set({
      id: message.id,
      type: message.job_type ?? before?.type ?? '',
      status: message.status,
      progress: message.progress ?? before?.progress ?? { done: 0, total: 0, message: '' },
      error: message.error ?? null,
    })
    if (fresh && started.has(message.id) && isFinal(message.status)) {
      // The message has no result: read the job for the toast's summary.
      fetchJob(message.id).then(remember, () => {
        const mine = started.get(message.id)
        started.delete(message.id)
        if (mine?.toast) announce({ type: message.job_type, status: message.status, result: null, error: message.error ?? null })
      })
    }
  }

  /**
   * A job this tab started (the import, "Run now"): its end shows a toast
   * unless `toast` is false — by default, unless a schedule ran it.
   */
  function track(job: Job, options: { toast?: boolean } = {}): void {
    started.set(job.id, { toast: options.toast ?? job.schedule === null })
    remember(job)
  }

  /** Reads the queued and running jobs (after sign-in, and after the socket was down). */
  async function loadActive(): Promise<void> {
    touched = new Set()
    const [running, queued] = await Promise.all([
      listJobs({ status: 'running', limit: ACTIVE_LIMIT }),
      listJobs({ status: 'queued', limit: ACTIVE_LIMIT }),
    ])
    const fresh = new Set<string>()
    const next = { ...jobs.value }
    for (const job of [...running.items, ...queued.items]) {
      fresh.add(job.id)
      const known = next[job.id]
      if (!touched.has(job.id) && !(known && isFinal(known.status))) {
        next[job.id] = { id: job.id, type: job.type, status: job.status, progress: job.progress, error: job.error }
      }
    }
    // Active here, but not any more on the server: it ended while nobody listened.
    for (const job of Object.values(next)) {
      if (isActive(job.status) && !fresh.has(job.id) && !touched.has(job.id)) delete next[job.id]
    }
    jobs.value = next
  }

  /** Forgets everything (a new session). */
  function reset(): void {
    jobs.value = {}
    started.clear()
    touched = new Set()
  }

  return { jobs, activeCount, apply, remember, track, loadActive, reset }
})
