// Typed fetch wrapper for the Maestro HTTP API (see API.md).
//
// Every non-2xx answer of the server carries the error envelope
// {"error": {"status", "code", "message", "details"}}; `request` turns it into a
// thrown ApiError whose message is the server's human sentence, so callers
// never parse errors themselves. Network failures and non-JSON answers become
// ApiErrors too (status 0 / code "unreachable", code "bad_response").
//
// The session seam: the auth store registers a token getter and a handler for
// 401 answers with `configureSession`, so this module knows nothing of Pinia or
// the router. Every request then carries `Authorization: Bearer <token>`, and a
// 401 (except where a request opts out, as the login call does) ends the session.

/** One field-level problem, as listed in the envelope's `details`. */
export interface ErrorDetail {
  field?: string
  problem?: string
  [key: string]: unknown
}

/** The body of every error answer of the server. */
export interface ErrorEnvelope {
  error: {
    status: number
    code: string
    message: string
    details?: ErrorDetail[]
  }
}

export class ApiError extends Error {
  /** HTTP status; 0 when no answer arrived at all. */
  readonly status: number
  /** The server's error code (`not_found`, `validation_failed`, …) or a client-side one. */
  readonly code: string
  readonly details: ErrorDetail[]
  /** Seconds to wait before trying again (`Retry-After` of a 429), when the server said. */
  readonly retryAfter: number | null

  constructor(
    message: string,
    status: number,
    code: string,
    details: ErrorDetail[] = [],
    retryAfter: number | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    this.retryAfter = retryAfter
  }
}

/** What the client needs from the session: the token to send and what to do on a 401. */
export interface SessionHooks {
  /** The bearer token to send, or null when nobody is signed in. */
  token: () => string | null
  /** Called once per 401 answer (before the ApiError is thrown). */
  unauthorized: () => void
}

let session: SessionHooks | null = null

/** Installs (or, with null, removes) the session hooks used by every request. */
export function configureSession(hooks: SessionHooks | null): void {
  session = hooks
}

/** Options of `request` beyond fetch's own. */
export interface RequestOptions extends RequestInit {
  /**
   * Leave a 401 to the caller instead of ending the session: the login call's
   * 401 means "wrong password", not "your session expired".
   */
  allowUnauthorized?: boolean
  /** Called with the headers of a successful answer (to read an `ETag`, say). */
  onHeaders?: (headers: Headers) => void
}

export function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false
  const error = (value as { error?: unknown }).error
  if (typeof error !== 'object' || error === null) return false
  const { status, code, message } = error as Record<string, unknown>
  return typeof status === 'number' && typeof code === 'string' && typeof message === 'string'
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function parseRetryAfter(response: Response): number | null {
  const value = response.headers.get('Retry-After')
  if (value === null) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds)
  const date = Date.parse(value) // the HTTP-date form
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

/** Statuses whose answer may have no body at all. */
const NO_CONTENT = new Set([202, 204, 205])

/**
 * Sends a request to the server and returns its parsed JSON body (undefined
 * for a 202/204/205 without one). Throws ApiError on network failure, on a
 * non-2xx status (with the envelope's message when there is one) and on any
 * other 2xx body that is not JSON. A FormData body is sent as multipart.
 * The caller asserts the body's type; use a guard for data that matters.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { allowUnauthorized = false, onHeaders, ...init } = options
  const headers = new Headers(init.headers)
  if (!headers.has('Accept')) headers.set('Accept', 'application/json')
  const multipart = typeof FormData !== 'undefined' && init.body instanceof FormData
  if (init.body !== undefined && !multipart && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json')
  }
  const token = session?.token() ?? null
  if (token !== null && !headers.has('Authorization')) {
    headers.set('Authorization', `Bearer ${token}`)
  }

  let response: Response
  try {
    response = await fetch(path, { ...init, headers })
  } catch {
    throw new ApiError('The Maestro server could not be reached.', 0, 'unreachable')
  }

  const text = await response.text()
  const body = parseJson(text)
  if (!response.ok) {
    if (response.status === 401 && !allowUnauthorized) session?.unauthorized()
    const retryAfter = response.status === 429 ? parseRetryAfter(response) : null
    if (isErrorEnvelope(body)) {
      const { status, code, message, details } = body.error
      throw new ApiError(message, status, code, details ?? [], retryAfter)
    }
    throw new ApiError(
      `The server answered ${response.status} ${response.statusText}`.trim() + '.',
      response.status,
      'http_error',
      [],
      retryAfter,
    )
  }
  onHeaders?.(response.headers)
  if (text === '' && NO_CONTENT.has(response.status)) return undefined as T
  if (body === undefined) {
    throw new ApiError('The server sent an answer that is not JSON.', response.status, 'bad_response')
  }
  return body as T
}

/** Builds a query string from the defined values (`?a=1&b=x`), or '' when there are none. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value))
  }
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}

/** A JSON request body: the value serialized, for `request`'s `body`. */
export function json(value: unknown): string {
  return JSON.stringify(value)
}

/**
 * Fetches a file the server sends (an export, a drawing) with the session's
 * token, and returns it with the file name of its Content-Disposition
 * (`fallbackName` when it names none). Errors are thrown as ApiErrors, as
 * `request` does.
 */
export async function requestFile(path: string, fallbackName = 'download'): Promise<{ blob: Blob; filename: string }> {
  const headers = new Headers()
  const token = session?.token() ?? null
  if (token !== null) headers.set('Authorization', `Bearer ${token}`)
  let response: Response
  try {
    response = await fetch(path, { headers })
  } catch {
    throw new ApiError('The Maestro server could not be reached.', 0, 'unreachable')
  }
  if (!response.ok) {
    const body = parseJson(await response.text())
    if (response.status === 401) session?.unauthorized()
    if (isErrorEnvelope(body)) {
      const { status, code, message, details } = body.error
      throw new ApiError(message, status, code, details ?? [])
    }
    throw new ApiError(`The server answered ${response.status}.`, response.status, 'http_error')
  }
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName
  return { blob: await response.blob(), filename }
}

/**
 * Downloads a file of the server as a file of the browser (a link to an object
 * URL, clicked); resolves to its name. Errors are thrown as `requestFile` does.
 */
export async function downloadFile(path: string, fallbackName?: string): Promise<string> {
  const { blob, filename } = await requestFile(path, fallbackName)
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return filename
}
