// One WebSocket to the server (GET /ws?token=…) for a signed-in session: it
// opens on `start(token)`, sends {"type":"ping"} every 25 s while open, hands
// each message to the dispatcher, and when the socket closes tries again after
// a backoff (1 s doubling to 30 s, back to 1 s once a socket opened). Close
// code 4401 means the token is no longer good: no retry, `onUnauthorized`
// instead. `stop()` (sign-out) closes it for good. The socket is made by a
// factory, so tests drive a fake one.

import { Backoff } from './backoff'
import type { Dispatcher } from './dispatcher'
import { parseMessage } from './messages'

/** The part of the browser's WebSocket this module uses. */
export interface SocketLike {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onclose: ((event: { code: number; reason?: string }) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export type SocketFactory = (url: string) => SocketLike

/**
 * idle: not started (signed out) · connecting · open · waiting: lost, retrying
 * after a delay · unauthorized: the server refused the token (4401).
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'waiting' | 'unauthorized'

export const PING_INTERVAL_MS = 25_000
/** The application close code that means "sign in again". */
export const CLOSE_UNAUTHORIZED = 4401
const CONNECTING = 0

export interface ConnectionOptions {
  /** The socket's URL for a token. */
  url: (token: string) => string
  socket: SocketFactory
  dispatcher: Dispatcher
  backoff?: Backoff
  pingMs?: number
  onStatus?: (status: ConnectionStatus) => void
  onUnauthorized?: () => void
}

/** ws(s)://<this host>/ws?token=<token>, from the page's own location. */
export function socketUrl(token: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`
}

export class RealtimeConnection {
  private token: string | null = null
  private socket: SocketLike | null = null
  private pingTimer: ReturnType<typeof setInterval> | undefined
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private openedBefore = false
  private current: ConnectionStatus = 'idle'
  private readonly backoff: Backoff
  /** When the pending retry is due (ms since the epoch), while waiting. */
  retryAt: number | null = null

  constructor(private readonly options: ConnectionOptions) {
    this.backoff = options.backoff ?? new Backoff()
  }

  get status(): ConnectionStatus {
    return this.current
  }

  /** Connects for `token`; the same token again leaves a live connection alone. */
  start(token: string): void {
    if (token === this.token && this.current !== 'idle' && this.current !== 'unauthorized') return
    this.stop()
    this.token = token
    this.openedBefore = false
    this.backoff.reset()
    this.connect()
  }

  /** Closes the connection for good (until the next `start`). */
  stop(): void {
    this.token = null
    this.clearTimers()
    this.drop(1000, 'signed out')
    this.setStatus('idle')
  }

  /** While waiting to retry, retries at once (the browser is back online, say). */
  retryNow(): void {
    if (this.current !== 'waiting' || this.token === null) return
    this.clearTimers()
    this.connect()
  }

  /** Sends a message when the socket is open; false otherwise. */
  send(message: unknown): boolean {
    if (this.current !== 'open' || this.socket === null) return false
    this.socket.send(JSON.stringify(message))
    return true
  }

  private connect(): void {
    if (this.token === null) return
    this.retryAt = null
    this.setStatus('connecting')
    let socket: SocketLike
    try {
      socket = this.options.socket(this.options.url(this.token))
    } catch {
      this.retryLater()
      return
    }
    this.socket = socket
    socket.onopen = () => {
      if (this.socket !== socket) return
      this.backoff.reset()
      this.setStatus('open')
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), this.options.pingMs ?? PING_INTERVAL_MS)
      const reconnected = this.openedBefore
      this.openedBefore = true
      this.options.dispatcher.dispatch({ type: 'connected', reconnected })
    }
    socket.onmessage = (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return
      const message = parseMessage(event.data)
      if (message !== null) this.options.dispatcher.dispatch(message)
    }
    socket.onerror = () => undefined // a close event follows
    socket.onclose = (event) => {
      if (this.socket !== socket) return
      this.socket = null
      clearInterval(this.pingTimer)
      this.pingTimer = undefined
      if (event.code === CLOSE_UNAUTHORIZED) {
        this.token = null
        this.setStatus('unauthorized')
        this.options.onUnauthorized?.()
        return
      }
      this.retryLater()
    }
  }

  private retryLater(): void {
    const delay = this.backoff.next()
    this.retryAt = Date.now() + delay
    this.setStatus('waiting')
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.connect()
    }, delay)
  }

  /** Forgets the socket; one still connecting is closed once it opens (closing it earlier makes browsers log an error). */
  private drop(code: number, reason: string): void {
    const socket = this.socket
    this.socket = null
    if (socket === null) return
    socket.onmessage = null
    socket.onclose = null
    socket.onerror = null
    if (socket.readyState === CONNECTING) {
      socket.onopen = () => socket.close(code, reason)
    } else {
      socket.onopen = null
      socket.close(code, reason)
    }
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer)
    clearTimeout(this.retryTimer)
    this.pingTimer = undefined
    this.retryTimer = undefined
    this.retryAt = null
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.current) return
    this.current = status
    this.options.onStatus?.(status)
  }
}
