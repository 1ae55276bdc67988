// One job followed to its end while the component lives (realtime/follow.ts:
// the WebSocket's job messages, or polling while the socket is down): the job
// as it stands, for a progress bar, and the last problem reading it (shown;
// the following goes on). Following another job stops the previous one.

import { onScopeDispose, ref } from 'vue'
import { fetchJob, type Job } from '../api/jobs'
import { followJob } from '../realtime/follow'
import { useJobsStore } from '../stores/jobs'
import { useRealtimeStore } from '../stores/realtime'
import { errorMessage } from './useFormSubmit'

export function useFollowedJob(onUpdate: (job: Job) => void = () => undefined) {
  const realtime = useRealtimeStore()
  const jobs = useJobsStore()
  const job = ref<Job | null>(null)
  /** Why the job could not be read a moment ago ('' once it could). */
  const problem = ref('')
  let stop: (() => void) | null = null

  function follow(next: Job): void {
    stop?.()
    job.value = next
    problem.value = ''
    stop = followJob(next, {
      onUpdate: (current) => {
        job.value = current
        problem.value = ''
        jobs.remember(current)
        onUpdate(current)
      },
      onError: (caught) => (problem.value = errorMessage(caught)),
      fetchJob,
      subscribe: (handler) => realtime.on('job', handler),
      live: () => realtime.live,
    })
  }

  /** Stops following and forgets the job. */
  function clear(): void {
    stop?.()
    stop = null
    job.value = null
    problem.value = ''
  }

  onScopeDispose(() => stop?.())
  return { job, problem, follow, clear }
}
