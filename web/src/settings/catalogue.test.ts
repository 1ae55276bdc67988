import { describe, expect, it } from 'vitest'
import type { FieldDef } from '../records/fields'
import {
  catalogueSpec,
  cellText,
  fromDraft,
  isCatalogueKey,
  itemsOf,
  matches,
  pageContaining,
  pageOf,
  problemsOf,
  rangeNote,
  toDraft,
} from './catalogue'

/** A field of GET /api/kinds, labelled by its name unless told otherwise. */
function field(name: string, type: FieldDef['type'], label = name): FieldDef {
  return { name, type, label, required: name === 'name' }
}

/** The registry's `services` and `flavors` kinds, as the server describes them. */
const SERVICES_KIND = { fields: [field('name', 'str'), field('family', 'list'), field('tags', 'list')] }
const FLAVORS_KIND = {
  fields: [
    field('name', 'str'),
    field('provider', 'str'),
    field('vcpus', 'int', 'vCPUs'),
    field('memory', 'num', 'Memory (GiB)'),
    field('disk', 'num', 'Disk (GB)'),
    field('api_name', 'str', 'API name'),
    field('public', 'bool'),
    field('datacenter', 'obj'),
  ],
}

const services = catalogueSpec('service_catalogue', SERVICES_KIND)
const flavors = catalogueSpec('flavor_catalogue', FLAVORS_KIND)

const POSTGRES = { name: 'PostgreSQL', family: ['Database'], tags: ['sql', 'relational'] }
const BOUNCER = { name: 'PgBouncer', family: ['Database', 'Proxy'], tags: ['postgresql', 'connection-pool'] }
const NGINX = { name: 'nginx', family: ['WebServer', 'Proxy'] }
const M5 = { name: 'm5.large', provider: 'AWS', vcpus: 2, memory: 8, api_name: 'm5.large', public: true }
const B2S = { name: 'B2s', provider: 'Azure', vcpus: 2, memory: 4, disk: 8, api_name: 'Standard_B2s', public: true }

describe('the catalogue keys', () => {
  it('knows the two catalogues and nothing else', () => {
    expect(isCatalogueKey('service_catalogue')).toBe(true)
    expect(isCatalogueKey('flavor_catalogue')).toBe(true)
    expect(isCatalogueKey('env_options')).toBe(false)
  })

  it('reads the items of a value, ignoring what is not a list of objects', () => {
    expect(itemsOf([POSTGRES, 'nginx', null, [1], NGINX])).toEqual([POSTGRES, NGINX])
    expect(itemsOf({ name: 'x' })).toEqual([])
    expect(itemsOf(undefined)).toEqual([])
  })
})

describe('the columns', () => {
  it('takes the columns from the kind, in the catalogue’s order, with the registry’s labels', () => {
    expect(services.fields).toEqual([
      { name: 'name', label: 'Name', type: 'text' },
      { name: 'family', label: 'Family', type: 'list' },
      { name: 'tags', label: 'Tags', type: 'list' },
    ])
    expect(flavors.fields).toEqual([
      { name: 'name', label: 'Name', type: 'text' },
      { name: 'provider', label: 'Provider', type: 'text' },
      { name: 'vcpus', label: 'vCPUs', type: 'integer' },
      { name: 'memory', label: 'Memory (GiB)', type: 'number' },
      { name: 'disk', label: 'Disk (GB)', type: 'number' },
      { name: 'api_name', label: 'API name', type: 'text' },
      { name: 'public', label: 'Public', type: 'boolean' },
    ])
  })
})

describe('the filter', () => {
  it('matches the name and the families of a service, whatever the case', () => {
    expect(matches(services, POSTGRES, 'postgres')).toBe(true)
    expect(matches(services, POSTGRES, 'DATABASE')).toBe(true)
    expect(matches(services, NGINX, 'proxy')).toBe(true)
    expect(matches(services, NGINX, 'postgres')).toBe(false)
  })

  it('does not look in the tags of a service', () => {
    expect(matches(services, BOUNCER, 'connection-pool')).toBe(false)
  })

  it('matches the name, provider and API name of a flavor', () => {
    expect(matches(flavors, M5, 'aws')).toBe(true)
    expect(matches(flavors, B2S, 'standard_b2')).toBe(true)
    expect(matches(flavors, B2S, 'aws')).toBe(false)
    // Numbers are not searched.
    expect(matches(flavors, M5, '8')).toBe(false)
  })

  it('needs every word, each within some field', () => {
    expect(matches(flavors, B2S, 'azure b2')).toBe(true)
    expect(matches(flavors, B2S, 'azure m5')).toBe(false)
    expect(matches(services, BOUNCER, '  pg   proxy ')).toBe(true)
  })

  it('keeps everything when empty', () => {
    expect(matches(services, NGINX, '')).toBe(true)
    expect(matches(services, {}, '   ')).toBe(true)
    expect(matches(services, {}, 'x')).toBe(false)
  })
})

describe('the pages', () => {
  const list = Array.from({ length: 53 }, (_, index) => index)

  it('cuts a page and says where it lies', () => {
    expect(pageOf(list, 1, 25)).toMatchObject({ page: 1, pages: 3, first: 1, last: 25, total: 53 })
    const last = pageOf(list, 3, 25)
    expect(last).toMatchObject({ page: 3, first: 51, last: 53 })
    expect(last.items).toEqual([50, 51, 52])
  })

  it('clamps the page to the pages there are', () => {
    expect(pageOf(list, 9, 25).page).toBe(3)
    expect(pageOf(list, 0, 25).page).toBe(1)
    expect(pageOf(list, Number.NaN, 25).page).toBe(1)
    expect(pageOf([], 2, 25)).toEqual({ items: [], page: 1, pages: 1, first: 0, last: 0, total: 0 })
  })

  it('finds the page of a position among the filtered ones', () => {
    const positions = [3, 7, 9, 12, 40]
    expect(pageContaining(positions, 3, 2)).toBe(1)
    expect(pageContaining(positions, 9, 2)).toBe(2)
    expect(pageContaining(positions, 40, 2)).toBe(3)
    expect(pageContaining(positions, 5, 2)).toBeNull()
  })

  it('words the range shown', () => {
    expect(rangeNote(pageOf(list, 1, 25), 53, '')).toBe('Showing 1–25 of 53')
    expect(rangeNote(pageOf([1, 2, 3], 1, 25), 520, ' pg ')).toBe('Showing 1–3 of 3 matching “pg” (520 in all)')
    expect(rangeNote(pageOf([], 1, 25), 520, 'zzz')).toBe('Showing 0 of 0 matching “zzz” (520 in all)')
  })
})

describe('cells and the edit form', () => {
  const field = (spec: typeof services, name: string) => spec.fields.find((each) => each.name === name)!

  it('shows lists, numbers and yes/no as text', () => {
    expect(cellText(field(services, 'family'), BOUNCER)).toBe('Database, Proxy')
    expect(cellText(field(services, 'tags'), NGINX)).toBe('')
    expect(cellText(field(flavors, 'memory'), M5)).toBe('8')
    expect(cellText(field(flavors, 'public'), M5)).toBe('yes')
    expect(cellText(field(flavors, 'public'), { public: false })).toBe('no')
  })

  it('gives back the very same item when nothing was changed', () => {
    const withExtra = { ...M5, datacenter: { id: 'dc1', name: 'Frankfurt' }, memory: 8.0 }
    expect(fromDraft(flavors, toDraft(flavors, withExtra), withExtra)).toEqual({ ok: true, item: withExtra })
    expect(fromDraft(services, toDraft(services, NGINX), NGINX)).toEqual({ ok: true, item: NGINX })
  })

  it('keeps the order of the fields of the stored item', () => {
    const draft = { ...toDraft(flavors, M5), vcpus: '4' }
    const result = fromDraft(flavors, draft, M5)
    expect(result.ok && Object.keys(result.item)).toEqual(Object.keys(M5))
    expect(result.ok && result.item.vcpus).toBe(4)
  })

  it('builds a new service from the form, lists split on commas', () => {
    const draft = { ...toDraft(services, {}), name: ' acme-agent ', family: 'Monitoring, , Agent', tags: '' }
    expect(fromDraft(services, draft)).toEqual({
      ok: true,
      item: { name: 'acme-agent', family: ['Monitoring', 'Agent'] },
    })
  })

  it('builds a new flavor, numbers parsed, an unticked box left unset', () => {
    const draft = { ...toDraft(flavors, {}), name: 'tiny', provider: 'AWS', vcpus: '1', memory: '0.5', disk: '' }
    expect(fromDraft(flavors, draft)).toEqual({
      ok: true,
      item: { name: 'tiny', provider: 'AWS', vcpus: 1, memory: 0.5 },
    })
    expect(fromDraft(flavors, { ...draft, public: true })).toMatchObject({ ok: true, item: { public: true } })
  })

  it('clears a field emptied in the form and unticks a box that was ticked', () => {
    const draft = { ...toDraft(flavors, B2S), disk: ' ', public: false }
    const result = fromDraft(flavors, draft, B2S)
    expect(result.ok && 'disk' in result.item).toBe(false)
    expect(result.ok && result.item.public).toBe(false)
  })

  it('names the problems of the form by field', () => {
    const draft = { ...toDraft(flavors, {}), name: '  ', vcpus: '1.5', memory: 'lots', disk: '-1' }
    expect(fromDraft(flavors, draft)).toEqual({
      ok: false,
      problems: {
        name: 'is required',
        vcpus: 'must be a whole number',
        memory: 'must be a number',
        disk: 'must not be negative',
      },
    })
  })
})

describe('the server’s problems', () => {
  it('maps `<key>.<index>.<field>` onto the rows, in order', () => {
    const problems = problemsOf('service_catalogue', [
      { field: 'service_catalogue.520.name', problem: 'is already in the catalogue' },
      { field: 'service_catalogue.3.family.2', problem: 'must be a string' },
      { field: 'service_catalogue.3.colour', problem: 'is not a field of services' },
    ])
    expect([...problems.rows.keys()]).toEqual([520, 3])
    expect(problems.rows.get(520)).toEqual([{ field: 'name', text: 'name is already in the catalogue' }])
    expect(problems.rows.get(3)).toEqual([
      { field: 'family', text: 'family.2 must be a string' },
      { field: 'colour', text: 'colour is not a field of services' },
    ])
    expect(problems.other).toEqual([])
  })

  it('takes `<key>.<index>` as the whole item', () => {
    const problems = problemsOf('flavor_catalogue', [{ field: 'flavor_catalogue.7', problem: 'must be an object' }])
    expect(problems.rows.get(7)).toEqual([{ field: null, text: 'must be an object' }])
  })

  it('keeps whatever names no row of this catalogue', () => {
    const problems = problemsOf('flavor_catalogue', [
      { field: 'flavor_catalogue', problem: 'must be a list of flavors' },
      { field: 'service_catalogue.1.name', problem: 'is required' },
      { field: 'flavor_catalogue.x.name', problem: 'is required' },
      { problem: 'something else' },
      {},
    ])
    expect(problems.rows.size).toBe(0)
    expect(problems.other).toEqual([
      'flavor_catalogue must be a list of flavors',
      'service_catalogue.1.name is required',
      'flavor_catalogue.x.name is required',
      'something else',
      'is not valid',
    ])
  })
})
