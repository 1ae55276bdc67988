// What the UI knows about the server it talks to, loaded once from GET /api.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchServerInfo, type ServerInfo } from '../api/server'

export type ServerStatus = 'loading' | 'ready' | 'unreachable'

export const useServerStore = defineStore('server', () => {
  const info = ref<ServerInfo | null>(null)
  const status = ref<ServerStatus>('loading')
  /** Why the last load failed, for tooltips; empty while things are fine. */
  const problem = ref('')

  const version = computed(() => info.value?.version ?? null)

  async function load(): Promise<void> {
    status.value = 'loading'
    try {
      info.value = await fetchServerInfo()
      problem.value = ''
      status.value = 'ready'
    } catch (error) {
      info.value = null
      problem.value = error instanceof Error ? error.message : String(error)
      status.value = 'unreachable'
    }
  }

  return { info, status, problem, version, load }
})
