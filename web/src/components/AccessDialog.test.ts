// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RoleEntry } from '../api/roles'
import AccessDialog from './AccessDialog.vue'

interface Call {
  method: string
  path: string
  body: unknown
}

function answer(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

function conflict(message: string): Response {
  return answer(409, { error: { status: 409, code: 'conflict', message, details: [] } })
}

/** A fake server for one record's roles, the user directory and the caller's teams. */
function fakeServer(initial: RoleEntry[]) {
  const roles = [...initial]
  const calls: Call[] = []
  const users = [
    { id: 'u1', name: 'ada', email: 'ada@example.test', avatar: null },
    { id: 'u2', name: 'bob', email: 'bob@example.test', avatar: null },
    { id: 'u3', name: 'bobby', email: 'bobby@example.test', avatar: null },
  ]
  const teams = [{ id: 't1', name: 'Bob squad', email: null, url: null, avatar: null }]
  let refuse: Response | null = null

  const fetch = vi.fn(async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://maestro.test')
    const method = init.method ?? 'GET'
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined
    calls.push({ method, path: url.pathname + url.search, body })
    if (refuse && method !== 'GET') {
      const refusal = refuse
      refuse = null
      return refusal
    }
    if (url.pathname === '/api/users') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase()
      return answer(200, { items: users.filter((user) => user.name.includes(q)) })
    }
    if (url.pathname === '/api/teams') {
      return answer(200, { items: teams, total: teams.length, page: 1, limit: 100 })
    }
    if (url.pathname === '/api/servers/s1/roles' && method === 'GET') {
      return answer(200, { items: roles })
    }
    if (url.pathname === '/api/servers/s1/roles' && method === 'POST') {
      const entry = body as { type: 'user' | 'team'; id: string; role: RoleEntry['role'] }
      const name = [...users, ...teams].find((principal) => principal.id === entry.id)?.name ?? '?'
      roles.push({ ...entry, name })
      return answer(201, { ...entry, name })
    }
    const removal = url.pathname.match(/^\/api\/servers\/s1\/roles\/(user|team)\/(\w+)$/)
    if (removal && method === 'DELETE') {
      const index = roles.findIndex((entry) => entry.type === removal[1] && entry.id === removal[2])
      roles.splice(index, 1)
      return answer(204)
    }
    return answer(404, { error: { status: 404, code: 'not_found', message: 'no such thing' } })
  })

  return {
    fetch,
    calls,
    roles,
    /** The next write answers this instead. */
    refuseNext(response: Response) {
      refuse = response
    },
  }
}

const ADA_ADMIN: RoleEntry = { type: 'user', id: 'u1', name: 'ada', role: 'admin' }

describe('AccessDialog', () => {
  let wrapper: VueWrapper | null = null

  beforeEach(() => {
    document.body.innerHTML = ''
  })

  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
  })

  async function open(server: ReturnType<typeof fakeServer>) {
    vi.stubGlobal('fetch', server.fetch)
    wrapper = mount(AccessDialog, {
      props: { open: true, kind: 'servers', id: 's1', name: 'web-01', searchDelay: 0 },
      global: { stubs: { teleport: true } },
      attachTo: document.body,
    })
    await flushPromises()
    return wrapper
  }

  function entryKeys(dialog: VueWrapper): string[] {
    return dialog.findAll('[data-entry]').map((row) => row.attributes('data-entry') ?? '')
  }

  async function search(dialog: VueWrapper, text: string) {
    await dialog.find('input[role=combobox]').setValue(text)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await flushPromises()
  }

  it('lists who has access, with their roles', async () => {
    const server = fakeServer([ADA_ADMIN, { type: 'team', id: 't9', name: 'Ops', role: 'read' }])
    const dialog = await open(server)
    expect(dialog.text()).toContain('Share “web-01”')
    expect(entryKeys(dialog)).toEqual(['user:u1', 'team:t9'])
    const rows = dialog.findAll('[data-entry]')
    expect(rows[0]!.text()).toMatch(/ada\s*User\s*Admin/)
    expect(rows[1]!.text()).toMatch(/Ops\s*Team\s*Read/)
    expect(server.calls[0]).toMatchObject({ method: 'GET', path: '/api/servers/s1/roles' })
  })

  it('says so when nobody has access', async () => {
    const dialog = await open(fakeServer([]))
    expect(dialog.text()).toContain('Nobody has been given access yet.')
  })

  it('adds a user found in the directory with the chosen role', async () => {
    const server = fakeServer([ADA_ADMIN])
    const dialog = await open(server)
    await search(dialog, 'bob')

    const offered = dialog.findAll('[data-option]').map((option) => option.attributes('data-option'))
    expect(offered).toEqual(['team:t1', 'user:u2', 'user:u3'])
    expect(server.calls.some((call) => call.path === '/api/users?q=bob')).toBe(true)

    await dialog.find('[data-option="user:u2"]').trigger('mousedown')
    expect(dialog.find('[data-testid=autocomplete-picked]').text()).toContain('bob')
    await dialog.find('[data-testid=access-role]').setValue('write')
    await dialog.find('[data-testid=access-add]').trigger('submit')
    await flushPromises()

    const post = server.calls.find((call) => call.method === 'POST')
    expect(post).toEqual({
      method: 'POST',
      path: '/api/servers/s1/roles',
      body: { type: 'user', id: 'u2', role: 'write' },
    })
    expect(entryKeys(dialog)).toEqual(['user:u1', 'user:u2'])
    expect(dialog.find('[data-entry="user:u2"]').text()).toContain('Write')
    // Ready for the next one.
    expect(dialog.find('[data-testid=autocomplete-picked]').exists()).toBe(false)
    expect((dialog.find('[data-testid=access-role]').element as HTMLSelectElement).value).toBe('read')
  })

  it("adds one of the caller's teams", async () => {
    const server = fakeServer([ADA_ADMIN])
    const dialog = await open(server)
    await search(dialog, 'squad')
    await dialog.find('[data-option="team:t1"]').trigger('mousedown')
    await dialog.find('[data-testid=access-add]').trigger('submit')
    await flushPromises()
    expect(server.calls.find((call) => call.method === 'POST')?.body).toEqual({
      type: 'team',
      id: 't1',
      role: 'read',
    })
    expect(entryKeys(dialog)).toEqual(['user:u1', 'team:t1'])
  })

  it('does not offer principals that already have an entry', async () => {
    const server = fakeServer([ADA_ADMIN, { type: 'user', id: 'u2', name: 'bob', role: 'read' }])
    const dialog = await open(server)
    await search(dialog, 'b')
    const offered = dialog.findAll('[data-option]').map((option) => option.attributes('data-option'))
    expect(offered).toEqual(['team:t1', 'user:u3'])
  })

  it('picks the highlighted option with the keyboard', async () => {
    const dialog = await open(fakeServer([ADA_ADMIN]))
    await search(dialog, 'bob')
    const input = dialog.find('input[role=combobox]')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'Enter' })
    expect(dialog.find('[data-testid=autocomplete-picked]').text()).toContain('bob')
  })

  it('removes an entry', async () => {
    const server = fakeServer([ADA_ADMIN, { type: 'team', id: 't1', name: 'Bob squad', role: 'write' }])
    const dialog = await open(server)
    await dialog.find('[data-entry="team:t1"] [data-testid=access-remove]').trigger('click')
    await flushPromises()
    expect(server.calls.find((call) => call.method === 'DELETE')?.path).toBe(
      '/api/servers/s1/roles/team/t1',
    )
    expect(entryKeys(dialog)).toEqual(['user:u1'])
  })

  it("shows the server's 409 when the last admin would be removed, and keeps the entry", async () => {
    const server = fakeServer([ADA_ADMIN])
    const dialog = await open(server)
    server.refuseNext(conflict('A record needs at least one admin.'))
    await dialog.find('[data-entry="user:u1"] [data-testid=access-remove]').trigger('click')
    await flushPromises()
    expect(dialog.find('[data-testid=access-problem]').text()).toBe('A record needs at least one admin.')
    expect(entryKeys(dialog)).toEqual(['user:u1'])
  })

  it('shows a refused addition and keeps the pick to try again', async () => {
    const server = fakeServer([ADA_ADMIN])
    const dialog = await open(server)
    await search(dialog, 'bobby')
    await dialog.find('[data-option="user:u3"]').trigger('mousedown')
    server.refuseNext(conflict('bobby already has a role on this record.'))
    await dialog.find('[data-testid=access-add]').trigger('submit')
    await flushPromises()
    expect(dialog.find('[data-testid=access-problem]').text()).toBe(
      'bobby already has a role on this record.',
    )
    expect(dialog.find('[data-testid=autocomplete-picked]').text()).toContain('bobby')
  })

  it('shows why the list could not be read', async () => {
    const server = fakeServer([])
    server.fetch.mockImplementationOnce(async () =>
      answer(403, { error: { status: 403, code: 'forbidden', message: 'You need admin on this record.' } }),
    )
    const dialog = await open(server)
    expect(dialog.text()).toContain('You need admin on this record.')
  })

  it('emits close from the Done button', async () => {
    const dialog = await open(fakeServer([ADA_ADMIN]))
    const done = dialog.findAll('button').find((button) => button.text() === 'Done')
    await done!.trigger('click')
    expect(dialog.emitted('close')).toHaveLength(1)
  })

  it('reads another record when kind or id change', async () => {
    const server = fakeServer([ADA_ADMIN])
    const dialog = await open(server)
    await dialog.setProps({ kind: 'reports', id: 'r7' })
    await flushPromises()
    expect(server.calls.at(-1)?.path).toBe('/api/reports/r7/roles')
  })
})
