// Hands each realtime message to whoever subscribed: by message type, and for
// `event` messages also by event name. A subscriber that throws does not keep
// the message from the others.

import type { EventMessage, MessageOf, MessageType, RealtimeMessage } from './messages'

type Handler<M> = (message: M) => void

export class Dispatcher {
  private readonly byType = new Map<string, Set<{ handler: Handler<never> }>>()
  private readonly byEvent = new Map<string, Set<{ handler: Handler<EventMessage> }>>()

  constructor(private readonly report: (error: unknown) => void = (error) => console.error(error)) {}

  /** Calls `handler` with every message of `type`; returns the unsubscriber. */
  on<T extends MessageType>(type: T, handler: Handler<MessageOf<T>>): () => void {
    return add(this.byType, type, handler as Handler<never>)
  }

  /** Calls `handler` with every `event` message named `name`; returns the unsubscriber. */
  onEvent(name: string, handler: Handler<EventMessage>): () => void {
    return add(this.byEvent, name, handler)
  }

  dispatch(message: RealtimeMessage): void {
    // A copy: a handler may subscribe or unsubscribe while the message is handed out.
    const handlers = [...(this.byType.get(message.type) ?? [])].map((entry) => entry.handler as Handler<RealtimeMessage>)
    if (message.type === 'event') {
      for (const entry of this.byEvent.get(message.name) ?? []) handlers.push(entry.handler as Handler<RealtimeMessage>)
    }
    for (const handler of handlers) {
      try {
        handler(message)
      } catch (error) {
        this.report(error)
      }
    }
  }

  /** How many subscriptions are live (for tests and leaks). */
  get size(): number {
    let count = 0
    for (const set of this.byType.values()) count += set.size
    for (const set of this.byEvent.values()) count += set.size
    return count
  }
}

// Each subscription is its own entry, so one function subscribed twice is called twice
// and each unsubscriber removes only its own.
function add<H>(map: Map<string, Set<{ handler: H }>>, key: string, handler: H): () => void {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  const entry = { handler }
  set.add(entry)
  return () => {
    set.delete(entry)
    if (set.size === 0 && map.get(key) === set) map.delete(key)
  }
}
