// The server's self-description: GET /api → {"app":"maestro","version","theme"}.

import { ApiError, request } from './client'

export interface ServerInfo {
  app: string
  version: string
  /** The server's default UI theme (THEME env var); may be absent on older servers. */
  theme?: string
}

function isServerInfo(value: unknown): value is ServerInfo {
  if (typeof value !== 'object' || value === null) return false
  const { app, version, theme } = value as Record<string, unknown>
  return (
    typeof app === 'string' &&
    typeof version === 'string' &&
    (theme === undefined || typeof theme === 'string')
  )
}

/** Fetches GET /api. Throws ApiError when the server is down or answers something else. */
export async function fetchServerInfo(): Promise<ServerInfo> {
  const body = await request<unknown>('/api')
  if (!isServerInfo(body)) {
    throw new ApiError('GET /api did not describe a Maestro server.', 200, 'bad_response')
  }
  return body
}
