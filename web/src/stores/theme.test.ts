import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { useServerStore } from './server'
import { THEME_STORAGE_KEY, useThemeStore } from './theme'

// Minimal stand-ins for the browser objects the store touches.
function fakeStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial))
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
    items,
  }
}

function fakeDocument() {
  const attributes = new Map<string, string>()
  return {
    documentElement: { setAttribute: (name: string, value: string) => void attributes.set(name, value) },
    attributes,
  }
}

describe('theme store', () => {
  let document: ReturnType<typeof fakeDocument>

  beforeEach(() => {
    setActivePinia(createPinia())
    document = fakeDocument()
    vi.stubGlobal('document', document)
  })

  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('shows lotus before the server has answered and nothing is stored', () => {
    vi.stubGlobal('localStorage', fakeStorage())
    const theme = useThemeStore()
    expect(theme.active).toBe('lotus')
    expect(document.attributes.get('data-theme')).toBe('lotus')
    expect(document.attributes.get('data-bs-theme')).toBe('light')
  })

  it("follows the server's default when nothing is stored", async () => {
    vi.stubGlobal('localStorage', fakeStorage())
    const theme = useThemeStore()
    useServerStore().info = { app: 'maestro', version: '0.1.0', theme: 'green' }
    await nextTick()
    expect(theme.active).toBe('green')
    expect(document.attributes.get('data-theme')).toBe('green')
  })

  it("keeps the stored choice over the server's default", async () => {
    vi.stubGlobal('localStorage', fakeStorage({ [THEME_STORAGE_KEY]: 'wine' }))
    const theme = useThemeStore()
    useServerStore().info = { app: 'maestro', version: '0.1.0', theme: 'green' }
    await nextTick()
    expect(theme.active).toBe('wine')
    expect(document.attributes.get('data-theme')).toBe('wine')
  })

  it('remembers a choice and switches Bootstrap to dark mode for dark', async () => {
    const storage = fakeStorage()
    vi.stubGlobal('localStorage', storage)
    const theme = useThemeStore()
    theme.choose('dark')
    await nextTick()
    expect(storage.items.get(THEME_STORAGE_KEY)).toBe('dark')
    expect(document.attributes.get('data-theme')).toBe('dark')
    expect(document.attributes.get('data-bs-theme')).toBe('dark')
  })

  it("forgets the choice to follow the server's default again", async () => {
    const storage = fakeStorage({ [THEME_STORAGE_KEY]: 'gold' })
    vi.stubGlobal('localStorage', storage)
    const theme = useThemeStore()
    useServerStore().info = { app: 'maestro', version: '0.1.0', theme: 'orange' }
    theme.followServer()
    await nextTick()
    expect(storage.items.has(THEME_STORAGE_KEY)).toBe(false)
    expect(theme.active).toBe('orange')
  })

  it('still applies a choice when storage throws', async () => {
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new Error('denied')
      },
      setItem: () => {
        throw new Error('denied')
      },
    })
    const theme = useThemeStore()
    theme.choose('blue')
    await nextTick()
    expect(document.attributes.get('data-theme')).toBe('blue')
  })
})
