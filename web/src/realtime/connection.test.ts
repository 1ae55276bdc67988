import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CLOSE_UNAUTHORIZED, PING_INTERVAL_MS, RealtimeConnection, socketUrl, type SocketLike } from './connection'
import { Dispatcher } from './dispatcher'
import type { RealtimeMessage } from './messages'

/** A WebSocket the test opens, feeds and closes by hand. */
class FakeSocket implements SocketLike {
  readyState = 0
  onopen: SocketLike['onopen'] = null
  onclose: SocketLike['onclose'] = null
  onmessage: SocketLike['onmessage'] = null
  onerror: SocketLike['onerror'] = null
  sent: string[] = []
  closedWith: { code?: number; reason?: string } | null = null

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(data)
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    this.readyState = 3
  }

  // What the server (or the network) does:
  open(): void {
    this.readyState = 1
    this.onopen?.({})
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) })
  }

  drop(code = 1006): void {
    this.readyState = 3
    this.onerror?.({})
    this.onclose?.({ code })
  }
}

function setup() {
  const sockets: FakeSocket[] = []
  const dispatcher = new Dispatcher()
  const received: RealtimeMessage[] = []
  for (const type of ['notify', 'event', 'job', 'pong', 'connected'] as const) {
    dispatcher.on(type, (message) => received.push(message))
  }
  const statuses: string[] = []
  const onUnauthorized = vi.fn()
  const connection = new RealtimeConnection({
    url: (token) => `ws://maestro.test/ws?token=${token}`,
    socket: (url) => {
      const socket = new FakeSocket(url)
      sockets.push(socket)
      return socket
    },
    dispatcher,
    onStatus: (status) => statuses.push(status),
    onUnauthorized,
  })
  const last = (): FakeSocket => sockets[sockets.length - 1]!
  return { connection, sockets, last, received, statuses, onUnauthorized }
}

describe('RealtimeConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-05-01T10:00:00Z') })
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('opens nothing until started', () => {
    const { connection, sockets } = setup()
    vi.advanceTimersByTime(60_000)
    expect(sockets).toHaveLength(0)
    expect(connection.status).toBe('idle')
  })

  it('connects with the token, dispatches messages and says when it is connected', () => {
    const { connection, sockets, last, received, statuses } = setup()
    connection.start('jwt-1')
    expect(sockets).toHaveLength(1)
    expect(last().url).toBe('ws://maestro.test/ws?token=jwt-1')
    expect(connection.status).toBe('connecting')
    last().open()
    expect(connection.status).toBe('open')
    last().receive({ type: 'job', id: 'j1', job_type: 'import', status: 'running', progress: { done: 1, total: 4, message: '' } })
    last().receive('garbage')
    last().receive({ type: 'event', name: 'schedules-update', id: 's1', at: '2026-05-01T10:00:00Z' })
    expect(received.map((message) => message.type)).toEqual(['connected', 'job', 'event'])
    expect(received[0]).toEqual({ type: 'connected', reconnected: false })
    expect(statuses).toEqual(['connecting', 'open'])
  })

  it('pings every 25 seconds while open', () => {
    const { connection, last } = setup()
    connection.start('jwt-1')
    vi.advanceTimersByTime(PING_INTERVAL_MS * 2)
    expect(last().sent).toEqual([]) // not open yet
    last().open()
    vi.advanceTimersByTime(PING_INTERVAL_MS - 1)
    expect(last().sent).toEqual([])
    vi.advanceTimersByTime(1)
    expect(last().sent).toEqual(['{"type":"ping"}'])
    vi.advanceTimersByTime(PING_INTERVAL_MS)
    expect(last().sent).toHaveLength(2)
    last().drop()
    vi.advanceTimersByTime(PING_INTERVAL_MS * 3)
    expect(last().sent.length).toBeLessThanOrEqual(2)
  })

  it('reconnects with a backoff of 1 s, 2 s, 4 s … capped at 30 s', () => {
    const { connection, sockets, last } = setup()
    connection.start('jwt-1')
    const waits: number[] = []
    for (let attempt = 0; attempt < 7; attempt++) {
      last().drop()
      expect(connection.status).toBe('waiting')
      const before = sockets.length
      let waited = 0
      while (sockets.length === before) {
        vi.advanceTimersByTime(500)
        waited += 500
      }
      waits.push(waited)
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
  })

  it('starts the backoff again after a successful open, and says it reconnected', () => {
    const { connection, sockets, last, received } = setup()
    connection.start('jwt-1')
    last().drop()
    vi.advanceTimersByTime(1_000)
    last().drop()
    vi.advanceTimersByTime(2_000)
    expect(sockets).toHaveLength(3)
    last().open()
    last().drop()
    expect(connection.retryAt).toBe(Date.now() + 1_000)
    vi.advanceTimersByTime(999)
    expect(sockets).toHaveLength(3)
    vi.advanceTimersByTime(1)
    expect(sockets).toHaveLength(4)
    last().open()
    expect(received.filter((message) => message.type === 'connected')).toEqual([
      { type: 'connected', reconnected: false },
      { type: 'connected', reconnected: true },
    ])
  })

  it('stops for good: closes the socket and never retries', () => {
    const { connection, sockets, last } = setup()
    connection.start('jwt-1')
    last().open()
    const socket = last()
    connection.stop()
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'signed out' })
    expect(connection.status).toBe('idle')
    socket.drop()
    vi.advanceTimersByTime(120_000)
    expect(sockets).toHaveLength(1)
  })

  it('cancels a pending retry when stopped', () => {
    const { connection, sockets, last } = setup()
    connection.start('jwt-1')
    last().drop()
    connection.stop()
    vi.advanceTimersByTime(120_000)
    expect(sockets).toHaveLength(1)
  })

  it('closes a socket stopped while connecting once it opens, and dispatches nothing from it', () => {
    const { connection, last, received } = setup()
    connection.start('jwt-1')
    const socket = last()
    connection.stop()
    expect(socket.closedWith).toBeNull() // closing now would make the browser log an error
    socket.open()
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'signed out' })
    expect(received).toEqual([])
  })

  it('starts over for another token, and leaves a live connection for the same one', () => {
    const { connection, sockets, last } = setup()
    connection.start('jwt-1')
    last().open()
    connection.start('jwt-1')
    expect(sockets).toHaveLength(1)
    connection.start('jwt-2')
    expect(sockets).toHaveLength(2)
    expect(sockets[0]!.closedWith?.code).toBe(1000)
    expect(last().url).toBe('ws://maestro.test/ws?token=jwt-2')
  })

  it('on close code 4401 asks for a new sign-in and does not retry', () => {
    const { connection, sockets, last, onUnauthorized } = setup()
    connection.start('jwt-1')
    last().open()
    last().drop(CLOSE_UNAUTHORIZED)
    expect(connection.status).toBe('unauthorized')
    expect(onUnauthorized).toHaveBeenCalledOnce()
    vi.advanceTimersByTime(120_000)
    expect(sockets).toHaveLength(1)
    connection.start('jwt-2') // signed in again
    expect(sockets).toHaveLength(2)
  })

  it('retries at once when asked while waiting', () => {
    const { connection, sockets, last } = setup()
    connection.start('jwt-1')
    last().drop()
    last().drop() // a second close of the same socket changes nothing
    connection.retryNow()
    expect(sockets).toHaveLength(2)
    connection.retryNow() // not waiting any more
    expect(sockets).toHaveLength(2)
  })

  it('only sends while open', () => {
    const { connection, last } = setup()
    expect(connection.send({ type: 'ping' })).toBe(false)
    connection.start('jwt-1')
    expect(connection.send({ type: 'ping' })).toBe(false)
    last().open()
    expect(connection.send({ type: 'ping' })).toBe(true)
  })
})

describe('socketUrl', () => {
  it('follows the page: ws for http, wss for https, the token encoded', () => {
    expect(socketUrl('a b', { protocol: 'http:', host: '127.0.0.1:8888' })).toBe('ws://127.0.0.1:8888/ws?token=a%20b')
    expect(socketUrl('t', { protocol: 'https:', host: 'cmdb.example.com' })).toBe('wss://cmdb.example.com/ws?token=t')
  })
})
