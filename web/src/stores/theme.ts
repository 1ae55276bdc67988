// The active UI theme. It is shown as `data-theme` on <html> (styles/themes.css
// maps it to colours) plus Bootstrap's `data-bs-theme` for dark themes.
// The user's choice is remembered in localStorage and wins over the server's
// default (GET /api `theme`, from the THEME env var).

import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { DARK_THEMES, parseTheme, resolveTheme, type ThemeName } from '../themes'
import { useServerStore } from './server'

export const THEME_STORAGE_KEY = 'maestro.theme'

function readStoredTheme(): ThemeName | null {
  try {
    return parseTheme(globalThis.localStorage?.getItem(THEME_STORAGE_KEY))
  } catch {
    return null // storage disabled (privacy mode): the choice lasts for this page only
  }
}

function writeStoredTheme(theme: ThemeName | null): void {
  try {
    if (theme === null) globalThis.localStorage?.removeItem(THEME_STORAGE_KEY)
    else globalThis.localStorage?.setItem(THEME_STORAGE_KEY, theme)
  } catch {
    // Same as above: not remembered, still applied.
  }
}

function applyToDocument(theme: ThemeName): void {
  const root = globalThis.document?.documentElement
  if (!root) return
  root.setAttribute('data-theme', theme)
  root.setAttribute('data-bs-theme', DARK_THEMES.has(theme) ? 'dark' : 'light')
}

export const useThemeStore = defineStore('theme', () => {
  const server = useServerStore()

  /** The user's explicit choice, or null to follow the server. */
  const chosen = ref<ThemeName | null>(readStoredTheme())
  const serverDefault = computed(() => resolveTheme(null, server.info?.theme))
  const active = computed(() => resolveTheme(chosen.value, serverDefault.value))

  function choose(theme: ThemeName): void {
    chosen.value = theme
    writeStoredTheme(theme)
  }

  /** Forgets the user's choice so the server's default applies again. */
  function followServer(): void {
    chosen.value = null
    writeStoredTheme(null)
  }

  watch(active, applyToDocument, { immediate: true })

  return { chosen, serverDefault, active, choose, followServer }
})
