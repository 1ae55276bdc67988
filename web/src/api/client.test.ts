import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, request } from './client'
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
