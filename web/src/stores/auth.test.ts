import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { User } from '../api/accounts'
import { ApiError, configureSession, request } from '../api/client'
import { SESSION_EXPIRED_MESSAGE, SESSION_STORAGE_KEY, msUntil, useAuthStore } from './auth'

function fakeStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial))
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
    items,
  }
}

const NOW = Date.parse('2026-05-01T12:00:00Z')
const IN_ONE_HOUR = '2026-05-01T13:00:00Z'
const AN_HOUR_AGO = '2026-05-01T11:00:00Z'

const ADA: User = {
  id: 'u1',
  name: 'ada',
  email: 'ada@example.test',
  fullname: 'Ada Lovelace',
  company: null,
  job: null,
  phone: null,
  country: null,
  city: null,
  avatar: null,
  is_admin: true,
  created_at: '2026-05-01T10:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
}

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

function envelope(status: number, code: string, message: string) {
  return json(status, { error: { status, code, message, details: [] } })
}

function storedSession(token: string, expiresAt: string | null) {
  return { [SESSION_STORAGE_KEY]: JSON.stringify({ token, expires_at: expiresAt }) }
}

describe('auth store', () => {
  let storage: ReturnType<typeof fakeStorage>

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW })
    setActivePinia(createPinia())
  })

  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    configureSession(null)
  })

  function useStorage(initial: Record<string, string> = {}) {
    storage = fakeStorage(initial)
    vi.stubGlobal('localStorage', storage)
  }

  it('starts signed out with nothing stored', () => {
    useStorage()
    const auth = useAuthStore()
    expect(auth.signedIn).toBe(false)
    expect(auth.token).toBeNull()
  })

  it('signs in, keeps token and expiry in localStorage, and a reload restores them', async () => {
    useStorage()
    const fetch = vi.fn(async () => json(200, { token: 'jwt-1', expires_at: IN_ONE_HOUR, user: ADA }))
    vi.stubGlobal('fetch', fetch)
    const auth = useAuthStore()
    await auth.signIn('ada@example.test', 'correct horse')
    expect(auth.signedIn).toBe(true)
    expect(auth.user).toEqual(ADA)
    expect(JSON.parse(storage.items.get(SESSION_STORAGE_KEY)!)).toEqual({
      token: 'jwt-1',
      expires_at: IN_ONE_HOUR,
    })
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(path).toBe('/api/auth/login')
    expect(JSON.parse(init.body as string)).toEqual({ email: 'ada@example.test', password: 'correct horse' })

    // A reload: a new Pinia over the same storage.
    setActivePinia(createPinia())
    const reloaded = useAuthStore()
    expect(reloaded.signedIn).toBe(true)
    expect(reloaded.token).toBe('jwt-1')
    expect(reloaded.expiresAt).toBe(IN_ONE_HOUR)
  })

  it('sends the token as a Bearer header on API calls', async () => {
    useStorage(storedSession('jwt-2', IN_ONE_HOUR))
    const fetch = vi.fn(async () => json(200, ADA))
    vi.stubGlobal('fetch', fetch)
    const auth = useAuthStore()
    await expect(auth.loadUser()).resolves.toEqual(ADA)
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer jwt-2')
    expect(auth.user).toEqual(ADA)
  })

  it('drops a remembered session that has already expired', () => {
    useStorage(storedSession('old', AN_HOUR_AGO))
    const auth = useAuthStore()
    expect(auth.signedIn).toBe(false)
    expect(storage.items.has(SESSION_STORAGE_KEY)).toBe(false)
    expect(auth.notice).toBe('') // nothing to tell: the user was not using it
  })

  it('ignores a stored value that is not a session', () => {
    useStorage({ [SESSION_STORAGE_KEY]: '{"token": 42' })
    expect(useAuthStore().signedIn).toBe(false)
  })

  it('keeps a session without expires_at until the server refuses it', () => {
    useStorage(storedSession('forever', null))
    const auth = useAuthStore()
    vi.advanceTimersByTime(365 * 24 * 3600 * 1000)
    expect(auth.signedIn).toBe(true)
  })

  it('ends the session when expires_at is reached and tells the listeners', () => {
    useStorage(storedSession('jwt-3', IN_ONE_HOUR))
    const auth = useAuthStore()
    const ended = vi.fn()
    auth.onSessionEnd(ended)
    vi.advanceTimersByTime(59 * 60 * 1000)
    expect(auth.signedIn).toBe(true)
    vi.advanceTimersByTime(60 * 1000)
    expect(auth.signedIn).toBe(false)
    expect(ended).toHaveBeenCalledWith('expired')
    expect(auth.notice).toBe(SESSION_EXPIRED_MESSAGE)
    expect(storage.items.has(SESSION_STORAGE_KEY)).toBe(false)
  })

  it('ends the session on any 401 from the API', async () => {
    useStorage(storedSession('revoked', IN_ONE_HOUR))
    vi.stubGlobal('fetch', vi.fn(async () => envelope(401, 'unauthorized', 'token revoked')))
    const auth = useAuthStore()
    const ended = vi.fn()
    auth.onSessionEnd(ended)
    await expect(request('/api/teams')).rejects.toBeInstanceOf(ApiError)
    expect(auth.signedIn).toBe(false)
    expect(auth.user).toBeNull()
    expect(ended).toHaveBeenCalledWith('unauthorized')
    expect(auth.notice).toBe(SESSION_EXPIRED_MESSAGE)
    expect(storage.items.has(SESSION_STORAGE_KEY)).toBe(false)
  })

  it('sends a signed-out visitor who meets a 401 to login without saying anything expired', async () => {
    useStorage()
    vi.stubGlobal('fetch', vi.fn(async () => envelope(401, 'unauthorized', 'sign in')))
    const auth = useAuthStore()
    const ended = vi.fn()
    auth.onSessionEnd(ended)
    await expect(request('/api/me')).rejects.toBeInstanceOf(ApiError)
    expect(ended).toHaveBeenCalledWith('unauthorized')
    expect(auth.notice).toBe('')
  })

  it('treats a 401 of the login call as a wrong password, not as an expired session', async () => {
    useStorage(storedSession('still-good', IN_ONE_HOUR))
    vi.stubGlobal('fetch', vi.fn(async () => envelope(401, 'unauthorized', 'wrong e-mail or password')))
    const auth = useAuthStore()
    const ended = vi.fn()
    auth.onSessionEnd(ended)
    await expect(auth.signIn('ada@example.test', 'nope')).rejects.toMatchObject({
      status: 401,
      message: 'wrong e-mail or password',
    })
    expect(ended).not.toHaveBeenCalled()
    expect(auth.token).toBe('still-good')
  })

  it('signs out without calling the listeners and forgets the stored session', () => {
    useStorage(storedSession('jwt-4', IN_ONE_HOUR))
    const auth = useAuthStore()
    const ended = vi.fn()
    auth.onSessionEnd(ended)
    auth.signOut()
    expect(auth.signedIn).toBe(false)
    expect(storage.items.has(SESSION_STORAGE_KEY)).toBe(false)
    expect(ended).not.toHaveBeenCalled()
    vi.advanceTimersByTime(2 * 3600 * 1000) // the expiry timer is gone too
    expect(ended).not.toHaveBeenCalled()
  })

  it('clears the expiry notice on the next sign-in', async () => {
    useStorage(storedSession('jwt-5', IN_ONE_HOUR))
    const auth = useAuthStore()
    vi.advanceTimersByTime(3600 * 1000)
    expect(auth.notice).toBe(SESSION_EXPIRED_MESSAGE)
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { token: 'jwt-6', expires_at: '2026-05-02T13:00:00Z', user: ADA })))
    await auth.signIn('ada@example.test', 'correct horse')
    expect(auth.notice).toBe('')
  })

  it('still works for this page when storage throws', async () => {
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new Error('denied')
      },
      setItem: () => {
        throw new Error('denied')
      },
      removeItem: () => {
        throw new Error('denied')
      },
    })
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { token: 'jwt-7', expires_at: IN_ONE_HOUR, user: ADA })))
    const auth = useAuthStore()
    await auth.signIn('ada@example.test', 'correct horse')
    expect(auth.signedIn).toBe(true)
  })
})

describe('msUntil', () => {
  it('is Infinity without an expiry or with an unreadable one', () => {
    expect(msUntil(null, NOW)).toBe(Infinity)
    expect(msUntil('soon', NOW)).toBe(Infinity)
  })

  it('counts down to the expiry and goes negative after it', () => {
    expect(msUntil(IN_ONE_HOUR, NOW)).toBe(3600 * 1000)
    expect(msUntil(AN_HOUR_AGO, NOW)).toBe(-3600 * 1000)
  })
})
