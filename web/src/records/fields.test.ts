import { describe, expect, it } from 'vitest'
import { toCsv } from './csv'
import {
  buildDoc,
  describeChanges,
  emptyItem,
  fieldAt,
  filterCondition,
  filterFields,
  formPaths,
  formatValue,
  labelOf,
  mapProblems,
  mergePatch,
  opsFor,
  sortKeyFor,
  pointerToPath,
  toFormModel,
  type FieldDef,
  type KindDef,
} from './fields'

// A trimmed copy of the servers kind of GET /api/kinds.
const OS: FieldDef = {
  name: 'os',
  type: 'obj',
  label: 'os',
  required: false,
  fields: [
    { name: 'base', type: 'enum', label: 'base', required: false, values: ['Linux', 'Windows'] },
    { name: 'dist', type: 'str', label: 'dist', required: false },
    { name: 'version', type: 'str', label: 'version', required: false },
  ],
}
const FIELDS: FieldDef[] = [
  { name: 'hostname', type: 'str', label: 'hostname', required: true, max: 255 },
  { name: 'ipv4_private', type: 'ip', label: 'ipv4_private', required: false },
  { name: 'ipv6', type: 'list', item: 'ip', label: 'ipv6', required: false },
  OS,
  { name: 'cpu', type: 'int', label: 'cpu', required: false },
  { name: 'memory', type: 'num', label: 'memory', required: false },
  { name: 'own', type: 'bool', label: 'own', required: false },
  { name: 'started_at', type: 'time', label: 'started_at', required: false },
  {
    name: 'storage',
    type: 'list',
    item: 'obj',
    label: 'storage',
    required: false,
    fields: [
      { name: 'mount', type: 'str', label: 'mount', required: false },
      { name: 'size', type: 'num', label: 'size', required: false },
    ],
  },
  { name: 'metas', type: 'json', label: 'metas', required: false },
  { name: 'volume', type: 'ref', ref: 'volumes', label: 'volume', required: false },
]
const KIND: KindDef = {
  kind: 'servers',
  label: 'Servers',
  name_field: 'hostname',
  list_fields: ['hostname', 'os'],
  search_fields: ['hostname'],
  default_sort: '-updated_at',
  fields: FIELDS,
}

describe('display', () => {
  it('reads objects as one phrase, lists as comma text, booleans as yes/no', () => {
    expect(formatValue(OS, { base: 'Linux', dist: 'Debian', version: '12' })).toBe('Linux Debian 12')
    expect(formatValue(OS, { version: '12', base: 'Linux' })).toBe('Linux 12')
    expect(formatValue(fieldAt(FIELDS, 'ipv6'), ['::1', 'fe80::1'])).toBe('::1, fe80::1')
    expect(formatValue(fieldAt(FIELDS, 'own'), false)).toBe('no')
    expect(formatValue(fieldAt(FIELDS, 'storage'), [{ mount: '/', size: 20 }, { mount: '/data' }])).toBe('/ 20; /data')
    expect(formatValue(fieldAt(FIELDS, 'metas'), { a: 1 })).toBe('{"a":1}')
    expect(formatValue(fieldAt(FIELDS, 'cpu'), undefined)).toBe('')
  })

  it('sorts a column by a scalar, an object by its first field, a list not at all', () => {
    expect(sortKeyFor(fieldAt(FIELDS, 'hostname'), 'hostname')).toBe('hostname')
    expect(sortKeyFor(OS, 'os')).toBe('os.base')
    expect(sortKeyFor(fieldAt(FIELDS, 'ipv6'), 'ipv6')).toBeNull()
  })

  it('finds fields by dotted path and labels them for people', () => {
    expect(fieldAt(FIELDS, 'os.base')?.type).toBe('enum')
    expect(fieldAt(FIELDS, 'storage.0.size')?.type).toBe('num')
    expect(fieldAt(FIELDS, 'nope')).toBeUndefined()
    expect(labelOf({ name: 'ipv4_private', label: 'ipv4_private' })).toBe('IPv4 private')
    expect(labelOf({ name: 'os' })).toBe('OS')
    expect(labelOf({ name: 'instance_type' })).toBe('Instance type')
  })
})

describe('the form model', () => {
  it('maps each field to what its input edits', () => {
    const model = toFormModel(FIELDS)
    expect(model).toEqual({
      hostname: '',
      ipv4_private: '',
      ipv6: [],
      os: { base: '', dist: '', version: '' },
      cpu: '',
      memory: '',
      own: null,
      started_at: '',
      storage: [],
      metas: '',
      volume: '',
    })
    expect(emptyItem(fieldAt(FIELDS, 'storage') as FieldDef)).toEqual({ mount: '', size: '' })
    expect(emptyItem(fieldAt(FIELDS, 'ipv6') as FieldDef)).toBe('')
  })

  it('fills it from a record', () => {
    const model = toFormModel(FIELDS, {
      hostname: 'web-1',
      cpu: 2,
      own: true,
      os: { base: 'Linux' },
      storage: [{ size: 20 }],
      metas: { a: [1] },
      started_at: '2026-01-02T03:04:05.000Z',
    })
    expect(model.cpu).toBe('2')
    expect(model.own).toBe(true)
    expect(model.os).toEqual({ base: 'Linux', dist: '', version: '' })
    expect(model.storage).toEqual([{ mount: '', size: '20' }])
    expect(JSON.parse(model.metas as string)).toEqual({ a: [1] })
    expect(model.started_at).toBe('2026-01-02T03:04:05')
  })
})

describe('building the document', () => {
  it('leaves empty inputs out and converts numbers, booleans, times and JSON', () => {
    const model = toFormModel(FIELDS)
    Object.assign(model, {
      hostname: ' web-1 ',
      cpu: '4',
      memory: '1.5',
      own: false,
      started_at: '2026-01-02T03:04',
      ipv6: ['::1', ''],
      storage: [{ mount: '/', size: '' }, { mount: '', size: '' }],
      metas: '{"k": "v"}',
    })
    ;(model.os as Record<string, string>).base = 'Linux'
    const { doc, problems } = buildDoc(FIELDS, model)
    expect(problems).toEqual({})
    expect(doc).toEqual({
      hostname: 'web-1',
      cpu: 4,
      memory: 1.5,
      own: false,
      started_at: '2026-01-02T03:04:00.000Z',
      ipv6: ['::1'],
      os: { base: 'Linux' },
      storage: [{ mount: '/' }],
      metas: { k: 'v' },
    })
  })

  it('names what it cannot read by dotted path', () => {
    const model = toFormModel(FIELDS, { hostname: 'x' })
    Object.assign(model, { cpu: '1.5', metas: '{nope', storage: [{ mount: '', size: 'big' }] })
    expect(buildDoc(FIELDS, model).problems).toEqual({
      cpu: 'must be a whole number',
      metas: 'is not valid JSON',
      'storage.0.size': 'must be a number',
    })
  })

  it('round-trips a record unchanged', () => {
    const record = { hostname: 'a', os: { base: 'Linux', dist: 'Debian' }, storage: [{ size: 2 }], metas: [1, 2] }
    expect(buildDoc(FIELDS, toFormModel(FIELDS, record)).doc).toEqual(record)
  })
})

describe('the merge patch of an edit', () => {
  it('sends changes, nulls for removed keys, objects key by key, lists whole', () => {
    const before = { hostname: 'web-1', cpu: 2, os: { base: 'Linux', version: '12' }, ipv6: ['::1'] }
    const after = { hostname: 'web-2', os: { base: 'Linux', version: '13', dist: 'Debian' }, ipv6: ['::1', '::2'] }
    expect(mergePatch(before, after)).toEqual({
      hostname: 'web-2',
      cpu: null,
      os: { version: '13', dist: 'Debian' },
      ipv6: ['::1', '::2'],
    })
    expect(mergePatch(before, structuredClone(before))).toEqual({})
  })
})

describe('server problems', () => {
  it('puts each detail next to the input its path names, or the nearest shown block', () => {
    const model = toFormModel(FIELDS, { storage: [{ size: 1 }] })
    const paths = formPaths(FIELDS, model)
    expect(paths.has('os.base')).toBe(true)
    expect(paths.has('storage.0.size')).toBe(true)
    const { byPath, others } = mapProblems(
      [
        { field: 'hostname', problem: 'is required' },
        { field: 'storage.0.size', problem: 'must be a number' },
        { field: 'ipv6.3', problem: 'is not an IP address' },
        { field: 'checksum', problem: 'is read-only' },
        { problem: 'something else' },
      ],
      paths,
    )
    expect(byPath).toEqual({
      hostname: 'is required',
      'storage.0.size': 'must be a number',
      ipv6: '3 is not an IP address',
    })
    expect(others).toEqual(['checksum is read-only', 'something else'])
  })
})

describe('filters', () => {
  it('offers scalar fields by dotted path with the ops of their type', () => {
    const fields = filterFields(KIND)
    const paths = fields.map((field) => field.path)
    expect(paths).toContain('os.base')
    expect(paths).toContain('storage.size')
    expect(paths).toContain('ipv6')
    expect(paths).not.toContain('os')
    expect(paths).not.toContain('metas')
    expect(paths.slice(-2)).toEqual(['created_at', 'updated_at'])
    expect(opsFor('int')).toContain('gte')
    expect(opsFor('int')).not.toContain('contains')
    expect(opsFor('time')).toEqual(['after', 'before', 'exists'])
    expect(opsFor('str')).toContain('starts_with')
  })

  it('types the value as the server wants it', () => {
    const cpu = { path: 'cpu', label: 'CPU', type: 'int' as const }
    expect(filterCondition(cpu, 'gt', '2').condition).toEqual({ field: 'cpu', op: 'gt', value: 2 })
    expect(filterCondition(cpu, 'gt', 'two').condition).toBeNull()
    expect(filterCondition(cpu, 'exists', 'false').condition).toEqual({ field: 'cpu', op: 'exists', value: false })
    expect(filterCondition(cpu, 'in', '1, 2').condition?.value).toEqual([1, 2])
    const base = { path: 'os.base', label: 'OS › base', type: 'enum' as const }
    expect(filterCondition(base, 'eq', 'Linux').condition).toEqual({ field: 'os.base', op: 'eq', value: 'Linux' })
    const created = { path: 'created_at', label: 'created', type: 'time' as const }
    expect(filterCondition(created, 'after', '2026-01-01T00:00').condition?.value).toBe('2026-01-01T00:00:00.000Z')
    expect(filterCondition(base, 'eq', ' ').problem).toBe('enter a value')
  })
})

describe('history changes', () => {
  it('reads pointers as dotted paths', () => {
    expect(pointerToPath('/storage/0/size')).toBe('storage.0.size')
    expect(pointerToPath('/tags/a~1b~0c')).toBe('tags.a/b~c')
  })

  it('names the old value from the version before', () => {
    const previous = { hostname: 'web-1', cpu: 2, os: { version: '12' } }
    const lines = describeChanges(
      [
        { op: 'remove', path: '/cpu' },
        { op: 'replace', path: '/hostname', value: 'web-2' },
        { op: 'replace', path: '/os/version', value: '13' },
        { op: 'add', path: '/memory', value: 4 },
      ],
      previous,
    )
    expect(lines.map((line) => line.text)).toEqual([
      'cpu: 2 → removed',
      'hostname: web-1 → web-2',
      'os.version: 12 → 13',
      'memory: 4',
    ])
    expect(lines.map((line) => line.kind)).toEqual(['removed', 'changed', 'changed', 'added'])
  })

  it('spells out an object added or replaced whole, field by field', () => {
    const created = describeChanges([{ op: 'add', path: '/os', value: { base: 'Linux', dist: 'Debian' } }])
    expect(created.map((line) => line.text)).toEqual(['os.base: Linux', 'os.dist: Debian'])
    const replaced = describeChanges(
      [{ op: 'replace', path: '/os', value: { base: 'Linux', version: '13' } }],
      { os: { base: 'Linux', version: '12', dist: 'Debian' } },
    )
    expect(replaced.map((line) => line.text)).toEqual(['os.version: 12 → 13', 'os.dist: Debian → removed'])
  })

  it('without the version before, shows the new side only', () => {
    expect(describeChanges([{ op: 'replace', path: '/hostname', value: 'b' }])[0]?.text).toBe('hostname: — → b')
    expect(describeChanges([{ op: 'remove', path: '/cpu' }])[0]?.text).toBe('cpu: removed')
  })
})

describe('CSV', () => {
  it('quotes what needs quoting', () => {
    expect(toCsv([['a', 'b,c'], ['say "hi"', 'line\nbreak']])).toBe('a,"b,c"\r\n"say ""hi""","line\nbreak"\r\n')
  })
})
