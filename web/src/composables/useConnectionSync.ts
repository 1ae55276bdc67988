// "Sync now" for connections: POST /api/connections/<id>/sync queues one job
// per resource; each is followed to its end (realtime/follow.ts: the
// WebSocket's job messages, or polling while the socket is down), and the jobs
// of each connection are kept here for a progress bar. When the last of a
// connection's jobs has ended, `onDone` is called (the page reloads the
// connection's status). Following stops with the component.

import { onScopeDispose, ref } from 'vue'
import { syncConnection } from '../api/connections'
import { fetchJob, type Job } from '../api/jobs'
import { followJob } from '../realtime/follow'
import { isActive } from '../scheduler/jobs'
import { useJobsStore } from '../stores/jobs'
import { useRealtimeStore } from '../stores/realtime'

export function useConnectionSync(onDone: (connectionId: string) => void) {
  const realtime = useRealtimeStore()
  const jobsStore = useJobsStore()
  /** Connection id → the jobs of its latest "Sync now". */
  const syncs = ref<Record<string, Job[]>>({})
  const stops: (() => void)[] = []
  onScopeDispose(() => stops.splice(0).forEach((stop) => stop()))

  function update(connectionId: string, job: Job): void {
    const jobs = (syncs.value[connectionId] ?? []).map((item) => (item.id === job.id ? job : item))
    syncs.value = { ...syncs.value, [connectionId]: jobs }
    jobsStore.remember(job)
    if (jobs.every((item) => !isActive(item.status))) onDone(connectionId)
  }

  /** Queues the sync of `resources` (all enabled ones by default) and follows its jobs; throws the ApiError. */
  async function start(connectionId: string, resources?: string[]): Promise<Job[]> {
    const jobs = await syncConnection(connectionId, resources)
    syncs.value = { ...syncs.value, [connectionId]: jobs }
    for (const job of jobs) {
      // The connection's status tells how it went; no toast per resource.
      jobsStore.track(job, { toast: false })
      stops.push(
        followJob(job, {
          onUpdate: (next) => update(connectionId, next),
          fetchJob,
          subscribe: (handler) => realtime.on('job', handler),
          live: () => realtime.live,
        }),
      )
    }
    if (jobs.length === 0) onDone(connectionId)
    return jobs
  }

  /** A "Sync now" of the connection is still running. */
  function running(connectionId: string): boolean {
    return (syncs.value[connectionId] ?? []).some((job) => isActive(job.status))
  }

  return { syncs, start, running }
}
