import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, configureSession, query, request } from './client'
import { fetchServerInfo } from './server'

function answer(status: number, body: string, contentType = 'application/json') {
  return vi.fn(async () => new Response(body, { status, headers: { 'Content-Type': contentType } }))
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected the request to fail')
}

describe('request', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('returns the parsed body of a 2xx answer', async () => {
    vi.stubGlobal('fetch', answer(200, '{"app":"maestro","version":"0.1.0"}'))
    await expect(request('/api')).resolves.toEqual({ app: 'maestro', version: '0.1.0' })
  })

  it('hands the headers of a successful answer to onHeaders (an ETag, say)', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('{"id":"r1"}', { status: 200, headers: { ETag: '"3"' } })),
    )
    let etag: string | null = null
    await request('/api/servers/r1', { onHeaders: (headers) => (etag = headers.get('ETag')) })
    expect(etag).toBe('"3"')
  })

  it("throws the envelope's message, code, status and details", async () => {
    const envelope = {
      error: {
        status: 422,
        code: 'validation_failed',
        message: 'hostname is required',
        details: [{ field: 'hostname', problem: 'is required' }],
      },
    }
    vi.stubGlobal('fetch', answer(422, JSON.stringify(envelope)))
    const error = await caught(request('/api/servers', { method: 'POST', body: '{}' }))
    expect(error.message).toBe('hostname is required')
    expect(error.status).toBe(422)
    expect(error.code).toBe('validation_failed')
    expect(error.details).toEqual([{ field: 'hostname', problem: 'is required' }])
  })

  it('describes an error answer without an envelope by its status', async () => {
    vi.stubGlobal('fetch', answer(502, '<html>Bad gateway</html>', 'text/html'))
    const error = await caught(request('/api'))
    expect(error.status).toBe(502)
    expect(error.code).toBe('http_error')
    expect(error.message).toContain('502')
  })

  it('reports an unreachable server', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch')
      }),
    )
    const error = await caught(request('/api'))
    expect(error.status).toBe(0)
    expect(error.code).toBe('unreachable')
  })

  it('rejects a 2xx answer that is not JSON', async () => {
    vi.stubGlobal('fetch', answer(200, '<!doctype html>', 'text/html'))
    const error = await caught(request('/api'))
    expect(error.code).toBe('bad_response')
  })

  it('sends JSON headers', async () => {
    const fetch = answer(200, '{}')
    vi.stubGlobal('fetch', fetch)
    await request('/api/things', { method: 'POST', body: '{}' })
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1]
    const headers = new Headers(init.headers)
    expect(headers.get('Accept')).toBe('application/json')
    expect(headers.get('Content-Type')).toBe('application/json')
  })
})

describe('request and the session', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    configureSession(null)
  })

  it('returns undefined for a 204 and a 202 without a body', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })))
    await expect(request('/api/me', { method: 'DELETE' })).resolves.toBeUndefined()
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 202 })))
    await expect(request('/api/auth/forgot', { method: 'POST', body: '{}' })).resolves.toBeUndefined()
  })

  it('still rejects an empty 200', async () => {
    vi.stubGlobal('fetch', answer(200, ''))
    expect((await caught(request('/api'))).code).toBe('bad_response')
  })

  it('lets the browser set the multipart Content-Type of a FormData body', async () => {
    const fetch = answer(200, '{"avatar":"/api/avatars/a.png"}')
    vi.stubGlobal('fetch', fetch)
    const form = new FormData()
    form.append('file', new Blob(['x'], { type: 'image/png' }), 'a.png')
    await request('/api/me/avatar', { method: 'PUT', body: form })
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect(new Headers(init.headers).has('Content-Type')).toBe(false)
    expect(init.body).toBe(form)
  })

  it('adds the Bearer token of the session', async () => {
    const fetch = answer(200, '{}')
    vi.stubGlobal('fetch', fetch)
    configureSession({ token: () => 'mst_abc', unauthorized: () => undefined })
    await request('/api/me')
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer mst_abc')
  })

  it('sends no Authorization header without a session', async () => {
    const fetch = answer(200, '{}')
    vi.stubGlobal('fetch', fetch)
    configureSession({ token: () => null, unauthorized: () => undefined })
    await request('/api/me')
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect(new Headers(init.headers).has('Authorization')).toBe(false)
  })

  it('reports a 401 to the session unless the caller takes it', async () => {
    const unauthorized = vi.fn()
    configureSession({ token: () => 't', unauthorized })
    const body = '{"error":{"status":401,"code":"unauthorized","message":"nope"}}'
    vi.stubGlobal('fetch', answer(401, body))
    expect((await caught(request('/api/me'))).status).toBe(401)
    expect(unauthorized).toHaveBeenCalledTimes(1)
    await caught(request('/api/auth/login', { method: 'POST', body: '{}', allowUnauthorized: true }))
    expect(unauthorized).toHaveBeenCalledTimes(1)
  })

  it('reads Retry-After of a 429 in seconds', async () => {
    const body = '{"error":{"status":429,"code":"rate_limited","message":"slow down"}}'
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(body, { status: 429, headers: { 'Retry-After': '42' } })),
    )
    const error = await caught(request('/api/auth/login', { method: 'POST', body: '{}' }))
    expect(error.code).toBe('rate_limited')
    expect(error.retryAfter).toBe(42)
  })
})

describe('query', () => {
  it('keeps defined, non-empty values only', () => {
    expect(query({ q: 'a b', page: 2, limit: undefined, sort: '' })).toBe('?q=a+b&page=2')
    expect(query({})).toBe('')
  })
})

describe('fetchServerInfo', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('accepts the answer of GET /api', async () => {
    vi.stubGlobal('fetch', answer(200, '{"app":"maestro","version":"0.1.0","theme":"lotus"}'))
    await expect(fetchServerInfo()).resolves.toEqual({
      app: 'maestro',
      version: '0.1.0',
      theme: 'lotus',
    })
  })

  it('rejects an answer that is not a server description', async () => {
    vi.stubGlobal('fetch', answer(200, '{"items":[]}'))
    const error = await caught(fetchServerInfo())
    expect(error.code).toBe('bad_response')
  })
})
