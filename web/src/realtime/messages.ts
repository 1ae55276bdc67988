// What the server sends on the WebSocket (GET /ws), one JSON object per text
// frame, and how to tell them apart. `connected` is not the server's: the
// connection dispatches it itself each time the socket opens, so that pages
// can reload what they may have missed while it was down.

import type { JobProgress, JobStatus } from '../api/jobs'

export type NotifyLevel = 'info' | 'success' | 'warning' | 'danger'

/** A notification for people: shown as a toast. */
export interface NotifyMessage {
  type: 'notify'
  id: string
  at: string
  title: string
  message: string
  level: NotifyLevel
  context: string
  ref: { kind: string; id: string } | null
}

/** "Something changed": `schedules-update`, `reports-update`, `<kind>-<id>`… */
export interface EventMessage {
  type: 'event'
  name: string
  /** What changed (a schedule's id for `schedules-update`). */
  id: string
  at: string
}

/** A job of the user started, progressed, or ended. */
export interface JobMessage {
  type: 'job'
  id: string
  job_type: string
  status: JobStatus
  progress: JobProgress
  error?: string | null
}

export interface ReadyMessage {
  type: 'ready'
}

export interface PongMessage {
  type: 'pong'
}

/** Dispatched by the connection when the socket opens; `reconnected` after it had been lost. */
export interface ConnectedMessage {
  type: 'connected'
  reconnected: boolean
}

export type RealtimeMessage =
  | NotifyMessage
  | EventMessage
  | JobMessage
  | ReadyMessage
  | PongMessage
  | ConnectedMessage

export type MessageType = RealtimeMessage['type']

/** The message of `type`. */
export type MessageOf<T extends MessageType> = Extract<RealtimeMessage, { type: T }>

const TYPES: ReadonlySet<string> = new Set(['notify', 'event', 'job', 'ready', 'pong', 'connected'])

/** Parses one text frame; null for anything that is not one of the messages above. */
export function parseMessage(text: string): RealtimeMessage | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const type = (value as { type?: unknown }).type
  if (typeof type !== 'string' || !TYPES.has(type)) return null
  if (type === 'event' && typeof (value as { name?: unknown }).name !== 'string') return null
  if ((type === 'job' || type === 'notify') && typeof (value as { id?: unknown }).id !== 'string') return null
  return value as RealtimeMessage
}
