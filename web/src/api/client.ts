// Typed fetch wrapper for the Maestro HTTP API (see API.md).
//
// Every non-2xx answer of the server carries the error envelope
// {"error": {"status", "code", "message", "details"}}; `request` turns it into a
// thrown ApiError whose message is the server's human sentence, so callers
// never parse errors themselves. Network failures and non-JSON answers become
// ApiErrors too (status 0 / code "unreachable", code "bad_response").

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

  constructor(message: string, status: number, code: string, details: ErrorDetail[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

export function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false
  const error = (value as { error?: unknown }).error
  if (typeof error !== 'object' || error === null) return false
  const { status, code, message } = error as Record<string, unknown>
  return typeof status === 'number' && typeof code === 'string' && typeof message === 'string'
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text()
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/**
 * Sends a request to the server and returns its parsed JSON body.
 * Throws ApiError on network failure, on a non-2xx status (with the
 * envelope's message when there is one) and on a 2xx body that is not JSON.
 * The caller asserts the body's type; use a guard for data that matters.
 */
export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers)
  if (!headers.has('Accept')) headers.set('Accept', 'application/json')
  if (init.body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json')
  }

  let response: Response
  try {
    response = await fetch(path, { ...init, headers })
  } catch {
    throw new ApiError('The Maestro server could not be reached.', 0, 'unreachable')
  }

  const body = await readJson(response)
  if (!response.ok) {
    if (isErrorEnvelope(body)) {
      const { status, code, message, details } = body.error
      throw new ApiError(message, status, code, details ?? [])
    }
    throw new ApiError(
      `The server answered ${response.status} ${response.statusText}`.trim() + '.',
      response.status,
      'http_error',
    )
  }
  if (body === undefined) {
    throw new ApiError('The server sent an answer that is not JSON.', response.status, 'bad_response')
  }
  return body as T
}
