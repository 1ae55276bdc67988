// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { catalogueSpec } from '../settings/catalogue'
import CatalogueEditor from './CatalogueEditor.vue'

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/** Sixty services: PostgreSQL, PgBouncer and 58 numbered ones. */
const SERVICES = [
  { name: 'PostgreSQL', family: ['Database'], tags: ['sql'] },
  { name: 'PgBouncer', family: ['Database', 'Proxy'] },
  ...Array.from({ length: 58 }, (_, index) => ({ name: `service-${index}`, family: ['Other'] })),
]

/** The services catalogue, its columns from the registry's `services` kind. */
const SPEC = catalogueSpec('service_catalogue', {
  fields: [
    { name: 'name', label: 'name', type: 'str', required: true },
    { name: 'family', label: 'family', type: 'list', required: false },
    { name: 'tags', label: 'tags', type: 'list', required: false },
  ],
})

/** A server that refuses duplicate names the way Maestro does (422, `<key>.<index>.name`). */
function fakeServer() {
  const sent: unknown[] = []
  const fetch = vi.fn(async (_input: string, init: RequestInit = {}) => {
    const list = JSON.parse(String(init.body)) as { name: string }[]
    sent.push(list)
    const seen = new Set<string>()
    const details = list.flatMap((item, index) => {
      const name = item.name.toLowerCase()
      if (!seen.has(name)) {
        seen.add(name)
        return []
      }
      return [{ field: `service_catalogue.${index}.name`, problem: 'is already in the catalogue' }]
    })
    if (details.length > 0) {
      return answer(422, {
        error: { status: 422, code: 'validation_failed', message: 'the service_catalogue has 1 problem', details },
      })
    }
    return answer(200, list)
  })
  return { fetch, sent }
}

describe('CatalogueEditor', () => {
  let wrapper: VueWrapper | null = null

  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
    vi.unstubAllGlobals()
  })

  function mountEditor(editable: boolean) {
    wrapper = mount(CatalogueEditor, {
      props: { spec: SPEC, value: SERVICES, editable },
      global: { stubs: { teleport: true } },
      attachTo: document.body,
    })
    return wrapper
  }

  function names(editor: VueWrapper): string[] {
    return editor.findAll('[data-testid=catalogue-row]').map((row) => row.attributes('data-name') ?? '')
  }

  it('shows a page of rows, read-only, and filters them', async () => {
    const editor = mountEditor(false)
    expect(names(editor)).toHaveLength(25)
    expect(editor.find('[data-testid=catalogue-range]').text()).toBe('Showing 1–25 of 60')
    expect(editor.find('[data-testid=catalogue-add]').exists()).toBe(false)
    expect(editor.find('[data-testid=catalogue-edit]').exists()).toBe(false)
    expect(editor.find('[data-testid=catalogue-save]').exists()).toBe(false)

    await editor.find('[data-testid=catalogue-next]').trigger('click')
    expect(names(editor)[0]).toBe('service-23')

    await editor.find('[data-testid=catalogue-filter]').setValue('POSTGRES')
    expect(names(editor)).toEqual(['PostgreSQL'])
    expect(editor.find('[data-testid=catalogue-range]').text()).toBe('Showing 1–1 of 1 matching “POSTGRES” (60 in all)')
    await editor.find('[data-testid=catalogue-filter]').setValue('proxy')
    expect(names(editor)).toEqual(['PgBouncer'])
  })

  it('adds a row, shows the server’s problem on it, and saves once it is fixed', async () => {
    const server = fakeServer()
    vi.stubGlobal('fetch', server.fetch)
    const editor = mountEditor(true)

    await editor.find('[data-testid=catalogue-add]').trigger('click')
    // The new row is on the last page, open for editing.
    expect(editor.find('[data-testid=catalogue-page]').text()).toBe('Page 3 of 3')
    await editor.find('input[data-field=name]').setValue('postgresql')
    await editor.find('input[data-field=family]').setValue('Database, Copy')
    await editor.find('[data-testid=catalogue-apply]').trigger('click')
    expect(editor.find('[data-testid=catalogue-dirty]').exists()).toBe(true)

    await editor.find('[data-testid=catalogue-save]').trigger('click')
    await flushPromises()
    expect(server.sent).toHaveLength(1)
    expect((server.sent[0] as unknown[]).at(-1)).toEqual({ name: 'postgresql', family: ['Database', 'Copy'] })
    expect(editor.find('[data-testid=catalogue-error-summary]').text()).toBe('Not saved: 1 problem in the list.')
    expect(editor.find('[data-testid=catalogue-error] li').text()).toBe(
      'Row 61 “postgresql”: name is already in the catalogue',
    )
    const problem = editor.find('[data-testid=catalogue-row-problems]')
    expect(problem.attributes('data-position')).toBe('60')
    expect(problem.text()).toBe('name is already in the catalogue')

    // Editing the row shows the problem beside its name; a new name clears it.
    await editor.find('[data-name=postgresql] [data-testid=catalogue-edit]').trigger('click')
    expect(editor.find('[data-testid=catalogue-field-problem]').text()).toBe('name is already in the catalogue')
    await editor.find('input[data-field=name]').setValue('acme-agent')
    await editor.find('[data-testid=catalogue-save]').trigger('click')
    await flushPromises()
    expect(server.sent).toHaveLength(2)
    expect(editor.find('[data-testid=catalogue-row-problems]').exists()).toBe(false)
    expect(editor.find('[data-testid=catalogue-saved]').text()).toBe('Saved the services catalogue: 61 services.')
    expect(editor.emitted('saved')?.[0]?.[0]).toHaveLength(61)
  })

  it('brings a refused row into view when the filter or the page hides it', async () => {
    const server = fakeServer()
    vi.stubGlobal('fetch', server.fetch)
    const editor = mountEditor(true)
    await editor.find('[data-testid=catalogue-add]').trigger('click')
    await editor.find('input[data-field=name]').setValue('PGBOUNCER')
    await editor.find('[data-testid=catalogue-apply]').trigger('click')
    await editor.find('[data-testid=catalogue-filter]').setValue('service-1')
    expect(names(editor)).not.toContain('PGBOUNCER')

    await editor.find('[data-testid=catalogue-save]').trigger('click')
    await flushPromises()
    expect(editor.find<HTMLInputElement>('[data-testid=catalogue-filter]').element.value).toBe('')
    expect(editor.find('[data-testid=catalogue-page]').text()).toBe('Page 3 of 3')
    expect(editor.find('[data-testid=catalogue-row-problems]').attributes('data-position')).toBe('60')
  })

  it('shows the server’s sentence when the refusal names no row', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        answer(403, {
          error: { status: 403, code: 'forbidden', message: 'only instance administrators change global options' },
        }),
      ),
    )
    const editor = mountEditor(true)
    await editor.find('[data-testid=catalogue-remove]').trigger('click')
    await editor.find('[data-testid=catalogue-save]').trigger('click')
    await flushPromises()
    expect(editor.find('[data-testid=catalogue-error-summary]').text()).toBe(
      'Not saved. only instance administrators change global options',
    )
    expect(editor.find('[data-testid=catalogue-dirty]').exists()).toBe(true)
  })

  it('cancelling a new row removes it, and removing a row marks the catalogue changed', async () => {
    const editor = mountEditor(true)
    await editor.find('[data-testid=catalogue-add]').trigger('click')
    await editor.find('[data-testid=catalogue-cancel]').trigger('click')
    expect(editor.findAll('[data-testid=catalogue-row]')).toHaveLength(10)
    expect(editor.find('[data-testid=catalogue-dirty]').exists()).toBe(false)

    await editor.find('[data-testid=catalogue-filter]').setValue('pgbouncer')
    await editor.find('[data-testid=catalogue-remove]').trigger('click')
    expect(names(editor)).toEqual([])
    expect(editor.find('[data-testid=catalogue-dirty]').exists()).toBe(true)
  })

  it('keeps an invalid edit open with the problem beside the field', async () => {
    const editor = mountEditor(true)
    await editor.find('[data-name=PostgreSQL] [data-testid=catalogue-edit]').trigger('click')
    await editor.find('input[data-field=name]').setValue('  ')
    await editor.find('[data-testid=catalogue-apply]').trigger('click')
    expect(editor.find('[data-testid=catalogue-field-problem]').text()).toBe('is required')
    expect(editor.find('input[data-field=name]').classes()).toContain('is-invalid')
  })
})
