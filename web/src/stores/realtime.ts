// The realtime channel of the signed-in session: one WebSocket (GET /ws), made
// by main.ts when a token appears and closed when it goes (sign-out, expiry,
// another tab). Pages and stores subscribe to its messages by type (`notify`,
// `job`, `event`, `connected`) or by event name (`schedules-update`); in
// components, prefer composables/useRealtime, which unsubscribes on unmount.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { RealtimeConnection, socketUrl, type ConnectionStatus, type SocketLike } from '../realtime/connection'
import { Dispatcher } from '../realtime/dispatcher'
import type { EventMessage, MessageOf, MessageType, RealtimeMessage } from '../realtime/messages'

export const useRealtimeStore = defineStore('realtime', () => {
  const status = ref<ConnectionStatus>('idle')
  /** Messages are arriving: pages need not poll. */
  const live = computed(() => status.value === 'open')

  const dispatcher = new Dispatcher()
  const unauthorized = new Set<() => void>()
  let connection: RealtimeConnection | null = null

  function ensure(): RealtimeConnection | null {
    if (connection) return connection
    if (typeof WebSocket === 'undefined' || typeof location === 'undefined') return null
    connection = new RealtimeConnection({
      url: (token) => socketUrl(token, location),
      socket: (url) => new WebSocket(url) as unknown as SocketLike,
      dispatcher,
      onStatus: (next) => (status.value = next),
      onUnauthorized: () => unauthorized.forEach((listener) => listener()),
    })
    globalThis.addEventListener?.('online', () => connection?.retryNow())
    return connection
  }

  /** Opens the socket for `token` (a no-op without WebSocket support). */
  function connect(token: string): void {
    ensure()?.start(token)
  }

  /** Closes it for good: signed out. */
  function disconnect(): void {
    connection?.stop()
  }

  function on<T extends MessageType>(type: T, handler: (message: MessageOf<T>) => void): () => void {
    return dispatcher.on(type, handler)
  }

  function onEvent(name: string, handler: (message: EventMessage) => void): () => void {
    return dispatcher.onEvent(name, handler)
  }

  /** Called when the server closes the socket with 4401 (sign in again). */
  function onUnauthorized(listener: () => void): () => void {
    unauthorized.add(listener)
    return () => unauthorized.delete(listener)
  }

  /** Hands a message to the subscribers as if it came from the server (tests, local events). */
  function dispatch(message: RealtimeMessage): void {
    dispatcher.dispatch(message)
  }

  return { status, live, connect, disconnect, on, onEvent, onUnauthorized, dispatch }
})
