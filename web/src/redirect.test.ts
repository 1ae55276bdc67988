import { describe, expect, it } from 'vitest'
import { safeRedirect } from './redirect'

describe('safeRedirect', () => {
  const cases: [string, unknown, string][] = [
    ['keeps a page of the UI', '/teams/42', '/teams/42'],
    ['keeps its query and hash', '/profile?tab=tokens#x', '/profile?tab=tokens#x'],
    ['takes the first of repeated values', ['/teams', '/profile'], '/teams'],
    ['refuses another origin', 'https://evil.example/', '/'],
    ['refuses a protocol-relative URL', '//evil.example/', '/'],
    ['refuses a backslash trick', '/\\evil.example', '/'],
    ['refuses a script URL', 'javascript:alert(1)', '/'],
    ['does not loop back to the login page', '/login?redirect=/x', '/'],
    ['falls back when absent', undefined, '/'],
    ['falls back on the empty string', '', '/'],
  ]
  for (const [name, value, expected] of cases) {
    it(name, () => expect(safeRedirect(value)).toBe(expected))
  }
})
