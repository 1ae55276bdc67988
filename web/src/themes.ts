// The seven UI themes of the original Maestro. The colours themselves live in
// styles/themes.css (one `[data-theme=…]` block each); this file only names them.

export const THEMES = ['lotus', 'gold', 'wine', 'blue', 'green', 'dark', 'orange'] as const

export type ThemeName = (typeof THEMES)[number]

/** Used when neither the user nor the server (THEME) picked a valid theme. */
export const DEFAULT_THEME: ThemeName = 'lotus'

export const THEME_LABELS: Record<ThemeName, string> = {
  lotus: 'Lotus',
  gold: 'Gold',
  wine: 'Wine',
  blue: 'Blue',
  green: 'Green',
  dark: 'Dark',
  orange: 'Orange',
}

/** Themes drawn on a dark background, for which Bootstrap's own dark mode is switched on. */
export const DARK_THEMES: ReadonlySet<ThemeName> = new Set<ThemeName>(['dark'])

/** Returns the theme named by `value` (case and spaces ignored), or null if it names none. */
export function parseTheme(value: unknown): ThemeName | null {
  if (typeof value !== 'string') return null
  const name = value.trim().toLowerCase()
  return (THEMES as readonly string[]).includes(name) ? (name as ThemeName) : null
}

/**
 * The theme to show: the user's remembered choice wins, then the server's
 * default (its THEME env var), then lotus. Invalid values are ignored.
 */
export function resolveTheme(stored: unknown, serverDefault: unknown): ThemeName {
  return parseTheme(stored) ?? parseTheme(serverDefault) ?? DEFAULT_THEME
}
