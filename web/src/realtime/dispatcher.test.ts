import { describe, expect, it, vi } from 'vitest'
import { Dispatcher } from './dispatcher'
import { parseMessage, type EventMessage, type JobMessage, type NotifyMessage } from './messages'

const NOTIFY: NotifyMessage = {
  type: 'notify',
  id: 'n1',
  at: '2026-05-01T10:00:00Z',
  title: 'Schedule ping ran',
  message: 'The webhook task succeeded.',
  level: 'success',
  context: 'scheduler',
  ref: { kind: 'schedules', id: 's1' },
}
const UPDATE: EventMessage = { type: 'event', name: 'schedules-update', id: 's1', at: '2026-05-01T10:00:00Z' }
const REPORTS: EventMessage = { type: 'event', name: 'reports-update', id: 'r1', at: '2026-05-01T10:00:00Z' }
const JOB: JobMessage = {
  type: 'job',
  id: 'j1',
  job_type: 'webhook',
  status: 'running',
  progress: { done: 0, total: 1, message: 'calling' },
}

describe('Dispatcher', () => {
  it('hands each message to the subscribers of its type', () => {
    const dispatcher = new Dispatcher()
    const notify = vi.fn()
    const job = vi.fn()
    dispatcher.on('notify', notify)
    dispatcher.on('job', job)
    dispatcher.dispatch(NOTIFY)
    dispatcher.dispatch(JOB)
    expect(notify).toHaveBeenCalledExactlyOnceWith(NOTIFY)
    expect(job).toHaveBeenCalledExactlyOnceWith(JOB)
  })

  it('hands events to the subscribers of their name as well as of the type', () => {
    const dispatcher = new Dispatcher()
    const anyEvent = vi.fn()
    const schedules = vi.fn()
    dispatcher.on('event', anyEvent)
    dispatcher.onEvent('schedules-update', schedules)
    dispatcher.dispatch(UPDATE)
    dispatcher.dispatch(REPORTS)
    expect(anyEvent).toHaveBeenCalledTimes(2)
    expect(schedules).toHaveBeenCalledExactlyOnceWith(UPDATE)
  })

  it('stops calling a subscriber once it unsubscribed, and forgets it', () => {
    const dispatcher = new Dispatcher()
    const first = vi.fn()
    const second = vi.fn()
    const offFirst = dispatcher.on('job', first)
    const offSecond = dispatcher.onEvent('schedules-update', second)
    expect(dispatcher.size).toBe(2)
    offFirst()
    offSecond()
    offSecond() // twice is harmless
    dispatcher.dispatch(JOB)
    dispatcher.dispatch(UPDATE)
    expect(first).not.toHaveBeenCalled()
    expect(second).not.toHaveBeenCalled()
    expect(dispatcher.size).toBe(0)
  })

  it('counts one function subscribed twice as two subscriptions', () => {
    const dispatcher = new Dispatcher()
    const handler = vi.fn()
    const off = dispatcher.on('notify', handler)
    dispatcher.on('notify', handler)
    dispatcher.dispatch(NOTIFY)
    expect(handler).toHaveBeenCalledTimes(2)
    off()
    dispatcher.dispatch(NOTIFY)
    expect(handler).toHaveBeenCalledTimes(3)
  })

  it('keeps going when a subscriber throws, and reports the error', () => {
    const report = vi.fn()
    const dispatcher = new Dispatcher(report)
    const after = vi.fn()
    dispatcher.on('job', () => {
      throw new Error('boom')
    })
    dispatcher.on('job', after)
    dispatcher.dispatch(JOB)
    expect(after).toHaveBeenCalledOnce()
    expect(report).toHaveBeenCalledExactlyOnceWith(new Error('boom'))
  })

  it('lets a subscriber unsubscribe while the message is handed out', () => {
    const dispatcher = new Dispatcher()
    const calls: string[] = []
    const off = dispatcher.on('job', () => {
      calls.push('once')
      off()
    })
    dispatcher.on('job', () => calls.push('always'))
    dispatcher.dispatch(JOB)
    dispatcher.dispatch(JOB)
    expect(calls).toEqual(['once', 'always', 'always'])
  })
})

describe('parseMessage', () => {
  it('reads the messages of the server', () => {
    expect(parseMessage(JSON.stringify(NOTIFY))).toEqual(NOTIFY)
    expect(parseMessage(JSON.stringify(UPDATE))).toEqual(UPDATE)
    expect(parseMessage(JSON.stringify(JOB))).toEqual(JOB)
    expect(parseMessage('{"type":"pong"}')).toEqual({ type: 'pong' })
    expect(parseMessage('{"type":"ready","user":"u1"}')).toEqual({ type: 'ready', user: 'u1' })
  })

  it('ignores what is not one of them', () => {
    expect(parseMessage('not json')).toBeNull()
    expect(parseMessage('[1,2]')).toBeNull()
    expect(parseMessage('null')).toBeNull()
    expect(parseMessage('{"type":"surprise"}')).toBeNull()
    expect(parseMessage('{"type":"event"}')).toBeNull()
    expect(parseMessage('{"type":"job","status":"running"}')).toBeNull()
  })
})
