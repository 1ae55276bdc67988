// Realtime messages in a component: subscriptions made through `on` and
// `onEvent` end with the component (or effect scope) that made them.

import { computed, onScopeDispose } from 'vue'
import type { EventMessage, MessageOf, MessageType } from '../realtime/messages'
import { useRealtimeStore } from '../stores/realtime'

export function useRealtime() {
  const realtime = useRealtimeStore()
  const offs: (() => void)[] = []
  onScopeDispose(() => offs.splice(0).forEach((off) => off()))

  return {
    /** Messages are arriving (the socket is open). */
    live: computed(() => realtime.live),
    on<T extends MessageType>(type: T, handler: (message: MessageOf<T>) => void): void {
      offs.push(realtime.on(type, handler))
    },
    onEvent(name: string, handler: (message: EventMessage) => void): void {
      offs.push(realtime.onEvent(name, handler))
    },
  }
}

/** Calls `run` at most once per `ms`, at the end of a burst (a list reload after a burst of events). */
export function debounced(run: () => void, ms = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  onScopeDispose(() => clearTimeout(timer))
  return () => {
    clearTimeout(timer)
    timer = setTimeout(run, ms)
  }
}
