import { describe, expect, it } from 'vitest'
import { DEFAULT_THEME, THEMES, parseTheme, resolveTheme } from './themes'

describe('parseTheme', () => {
  it.each([
    ['lotus', 'lotus'],
    ['GREEN', 'green'],
    [' dark ', 'dark'],
    ['purple', null],
    ['', null],
    [null, null],
    [undefined, null],
    [42, null],
  ])('parses %j as %j', (input, expected) => {
    expect(parseTheme(input)).toBe(expected)
  })

  it('knows the seven themes of the original', () => {
    expect([...THEMES]).toEqual(['lotus', 'gold', 'wine', 'blue', 'green', 'dark', 'orange'])
  })
})

describe('resolveTheme', () => {
  it.each([
    ['the stored choice wins over the server default', 'blue', 'green', 'blue'],
    ['the server default applies when nothing is stored', null, 'green', 'green'],
    ['an invalid stored value falls back to the server default', 'purple', 'wine', 'wine'],
    ['an invalid server default falls back to lotus', null, 'purple', DEFAULT_THEME],
    ['nothing at all gives lotus', null, undefined, 'lotus'],
  ])('%s', (_case, stored, server, expected) => {
    expect(resolveTheme(stored, server)).toBe(expected)
  })
})
