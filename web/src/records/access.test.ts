import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import { allows, effectiveAccess, noAccessMessage, refusedMessage } from './access'

const me = 'u1'
const none = new Map<string, string | null>()

describe('effectiveAccess', () => {
  it('takes the user\'s own entry', () => {
    expect(effectiveAccess([{ type: 'user', id: me, name: 'Ada', role: 'write' }], me, none)).toBe('write')
    expect(effectiveAccess([{ type: 'user', id: 'u2', name: 'Bob', role: 'admin' }], me, none)).toBe('none')
    expect(effectiveAccess(undefined, me, none)).toBe('none')
  })

  it('gives a team entry only up to the user\'s role in the team', () => {
    const roles = [{ type: 'team', id: 't1', name: 'ops', role: 'admin' }]
    expect(effectiveAccess(roles, me, new Map([['t1', 'read']]))).toBe('read')
    expect(effectiveAccess(roles, me, new Map([['t1', 'admin']]))).toBe('admin')
    const reader = [{ type: 'team', id: 't1', name: 'ops', role: 'read' }]
    expect(effectiveAccess(reader, me, new Map([['t1', 'admin']]))).toBe('read')
    // A team the user is not in, or sees without being a member (instance admin).
    expect(effectiveAccess(roles, me, none)).toBe('none')
    expect(effectiveAccess(roles, me, new Map([['t1', null]]))).toBe('none')
  })

  it('keeps the best of all entries', () => {
    const roles = [
      { type: 'user', id: me, name: 'Ada', role: 'read' },
      { type: 'team', id: 't1', name: 'ops', role: 'write' },
      { type: 'team', id: 't2', name: 'dev', role: 'admin' },
    ]
    expect(effectiveAccess(roles, me, new Map([['t1', 'admin'], ['t2', 'read']]))).toBe('write')
  })
})

describe('allows', () => {
  it('compares roles by rank', () => {
    expect(allows('admin', 'write')).toBe(true)
    expect(allows('write', 'write')).toBe(true)
    expect(allows('read', 'write')).toBe(false)
    expect(allows('none', 'read')).toBe(false)
  })
})

describe('messages', () => {
  const notFound = new ApiError('no such record in servers', 404, 'not_found')
  const forbidden = new ApiError('you need write access to this record; you have read', 403, 'forbidden')

  it('words a record that cannot be read without telling whether it exists', () => {
    expect(noAccessMessage(notFound)).toMatch(/does not exist, or it has not been shared with you/)
    expect(noAccessMessage(forbidden)).toBe(
      'You have no access to this record: you need write access to this record; you have read.',
    )
    expect(noAccessMessage(new ApiError('down', 0, 'unreachable'))).toBeNull()
    expect(noAccessMessage(new Error('bug'))).toBeNull()
  })

  it('words a refused change with the role the server asked for', () => {
    expect(refusedMessage(forbidden)).toBe(
      'Not saved — you need write access to this record; you have read. Ask an admin of the record for more access.',
    )
    expect(refusedMessage(notFound)).toBeNull()
  })
})
