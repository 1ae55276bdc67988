// A list of jobs kept current by the WebSocket: a `job` message moves the job
// it names (status, progress, error); when it says the job ended, the job is
// read again for its result and times. A message about a job not in the list
// calls `onUnknown` (a new run: the page reloads its list).

import { ref } from 'vue'
import { fetchJob, type Job } from '../api/jobs'
import { isFinal } from '../scheduler/jobs'
import { useJobsStore } from '../stores/jobs'
import { useRealtime } from './useRealtime'

export function useLiveJobs(onUnknown: () => void) {
  const jobs = ref<Job[]>([])
  const store = useJobsStore()
  const { on } = useRealtime()

  function replace(job: Job): void {
    jobs.value = jobs.value.map((item) => (item.id === job.id ? job : item))
    store.remember(job)
  }

  on('job', (message) => {
    const known = jobs.value.find((job) => job.id === message.id)
    if (!known) {
      onUnknown()
      return
    }
    if (isFinal(message.status)) {
      fetchJob(message.id).then(replace, () => undefined) // the next reload shows it
      return
    }
    replace({ ...known, status: message.status, progress: message.progress ?? known.progress })
  })

  return { jobs, replace }
}
