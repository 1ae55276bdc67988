// The signed-in user's session. The token and its expiry are kept in
// localStorage (`maestro.session`) so a reload stays signed in; the user is
// fetched again from GET /api/me. The store hands the token to the API client
// and ends the session on any 401 the client reports, on reaching expires_at,
// and when another tab signs out. Whoever navigates (main.ts) listens with
// `onSessionEnd` and sends the user to the login page.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchMe, login, type Session, type User } from '../api/accounts'
import { configureSession } from '../api/client'

export const SESSION_STORAGE_KEY = 'maestro.session'
export const SESSION_EXPIRED_MESSAGE = 'Your session has expired — sign in again.'

/** setTimeout's longest delay (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1

interface StoredSession {
  token: string
  /** RFC 3339, or null when the server gave no expiry. */
  expires_at: string | null
}

/**
 * Why a session ended, for listeners: it reached expires_at, the server
 * answered 401, or another tab signed out. Signing out here is not reported.
 */
export type SessionEndReason = 'expired' | 'unauthorized' | 'signed-out-elsewhere'

/** Milliseconds until `expiresAt`, Infinity without one; ≤ 0 once past. */
export function msUntil(expiresAt: string | null, now: number): number {
  if (expiresAt === null) return Infinity
  const at = Date.parse(expiresAt)
  return Number.isNaN(at) ? Infinity : at - now
}

function parseStored(text: string | null | undefined): StoredSession | null {
  if (!text) return null
  try {
    const value = JSON.parse(text) as Partial<StoredSession> | null
    if (typeof value?.token !== 'string' || value.token === '') return null
    const expires = typeof value.expires_at === 'string' ? value.expires_at : null
    return { token: value.token, expires_at: expires }
  } catch {
    return null
  }
}

function readStored(): StoredSession | null {
  try {
    return parseStored(globalThis.localStorage?.getItem(SESSION_STORAGE_KEY))
  } catch {
    return null // storage disabled: the session lasts for this page only
  }
}

function writeStored(session: StoredSession | null): void {
  try {
    if (session === null) globalThis.localStorage?.removeItem(SESSION_STORAGE_KEY)
    else globalThis.localStorage?.setItem(SESSION_STORAGE_KEY, JSON.stringify(session))
  } catch {
    // Same as above.
  }
}

export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(null)
  const expiresAt = ref<string | null>(null)
  const user = ref<User | null>(null)
  /** A message for the login page (why the user was sent there); cleared on sign-in. */
  const notice = ref('')

  const signedIn = computed(() => token.value !== null)

  const listeners = new Set<(reason: SessionEndReason) => void>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let userLoad: Promise<User | null> | null = null

  function armTimer(): void {
    clearTimeout(timer)
    timer = undefined
    const wait = msUntil(expiresAt.value, Date.now())
    if (wait === Infinity) return
    if (wait <= 0) {
      end('expired')
      return
    }
    timer = setTimeout(armTimer, Math.min(wait, MAX_TIMER_MS))
  }

  function apply(session: StoredSession | null): void {
    const changed = session?.token !== token.value
    token.value = session?.token ?? null
    expiresAt.value = session?.expires_at ?? null
    if (changed) {
      user.value = null
      userLoad = null
    }
    armTimer()
  }

  function clear(): void {
    writeStored(null)
    apply(null)
  }

  /** Ends the session for `reason` and tells the listeners (who navigate to login). */
  function end(reason: SessionEndReason): void {
    const hadSession = token.value !== null
    if (hadSession) {
      clear()
      notice.value = SESSION_EXPIRED_MESSAGE
    }
    // A 401 without a session (a signed-out visitor on a page that needs one)
    // still goes to login, but nothing expired.
    if (hadSession || reason === 'unauthorized') listeners.forEach((listener) => listener(reason))
  }

  /** Starts a session from the answer of POST /api/auth/login (or a test). */
  function start(session: Session): void {
    notice.value = ''
    const stored = { token: session.token, expires_at: session.expires_at ?? null }
    writeStored(stored)
    apply(stored)
    user.value = session.user
    userLoad = Promise.resolve(session.user)
    if (msUntil(stored.expires_at, Date.now()) <= 0) end('expired')
  }

  /** Signs in; a wrong password rejects with the server's 401 ApiError. */
  async function signIn(email: string, password: string): Promise<User> {
    const session = await login(email, password)
    start(session)
    return session.user
  }

  function signOut(): void {
    notice.value = ''
    clear()
  }

  /**
   * The signed-in user, fetched once per session from GET /api/me (null when
   * signed out). A 401 there ends the session through the client's hook.
   */
  function loadUser(): Promise<User | null> {
    if (token.value === null) return Promise.resolve(null)
    if (userLoad === null) {
      const forToken = token.value
      userLoad = fetchMe().then(
        (me) => {
          if (token.value === forToken) user.value = me
          return me
        },
        (error: unknown) => {
          if (token.value === forToken) userLoad = null // let a later call try again
          throw error
        },
      )
    }
    return userLoad
  }

  /** Replaces the cached user after the profile changed (PATCH /api/me, avatar). */
  function setUser(next: User): void {
    user.value = next
    userLoad = Promise.resolve(next)
  }

  /** Registers a listener for sessions ended by expiry or a 401; returns its remover. */
  function onSessionEnd(listener: (reason: SessionEndReason) => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** Follows another tab's sign-in or sign-out (the `storage` event). */
  function syncFromStorage(): void {
    const stored = readStored()
    if (stored?.token === token.value) return
    if (stored === null || msUntil(stored.expires_at, Date.now()) <= 0) {
      if (token.value !== null) {
        apply(null)
        listeners.forEach((listener) => listener('signed-out-elsewhere'))
      }
      return
    }
    apply(stored)
  }

  // A remembered session that has already expired is dropped without fuss.
  const remembered = readStored()
  if (remembered !== null && msUntil(remembered.expires_at, Date.now()) > 0) apply(remembered)
  else if (remembered !== null) writeStored(null)

  configureSession({
    token: () => token.value,
    unauthorized: () => end('unauthorized'),
  })
  globalThis.addEventListener?.('storage', (event: StorageEvent) => {
    if (event.key === SESSION_STORAGE_KEY || event.key === null) syncFromStorage()
  })

  return {
    token,
    expiresAt,
    user,
    notice,
    signedIn,
    start,
    signIn,
    signOut,
    loadUser,
    setUser,
    end,
    onSessionEnd,
  }
})
