import { describe, expect, it } from 'vitest'
import { toFormModel, type FieldDef } from './fields'
import {
  groupApplies,
  groupKey,
  hiddenFields,
  hiddenRelations,
  relationLinks,
  resolveTab,
  splitFields,
  visibleGroups,
  withHiddenKept,
  type GroupDef,
} from './groups'

const str = (name: string): FieldDef => ({ name, type: 'str', label: name, required: false })
const relation = (name: string, refs: string[], extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type: 'relation',
  label: name,
  required: false,
  refs,
  ...extra,
})

// A trimmed copy of the applications kind of GET /api/kinds.
const DATABASE: FieldDef = {
  name: 'database',
  type: 'obj',
  label: 'database',
  required: false,
  fields: [str('engine'), str('version')],
}
const FIELDS: FieldDef[] = [
  str('name'),
  { name: 'family', type: 'enum', label: 'family', required: true, values: ['Application', 'Database', 'Loadbalance'] },
  str('description'),
  str('language'),
  str('cluster'),
  DATABASE,
  { name: 'deploy', type: 'list', label: 'deploy', required: false, item: 'str' },
]
const SERVERS = relation('servers', ['servers'])
const TARGETS = relation('targets', ['servers', 'applications'])
const DEPS = relation('deps', ['applications'], {
  id_key: 'app',
  attrs: [str('via'), str('endpoint')],
})
const RELATIONS = [SERVERS, TARGETS, DEPS]
const GROUPS: GroupDef[] = [
  { label: 'Spec', fields: ['language', 'cluster', 'no_such_field'] },
  { label: 'Database', fields: ['database'], when: { field: 'family', values: ['Database'] } },
  { label: 'Targets', fields: ['targets'], when: { field: 'family', values: ['Loadbalance'] } },
  { label: 'Servers', fields: ['servers'] },
  { label: 'Dependencies', fields: ['deps'] },
  { label: 'Deploy', fields: ['deploy'] },
]

describe('groupKey', () => {
  it('makes a label a URL word', () => {
    expect(groupKey('Entry points')).toBe('entry-points')
    expect(groupKey('OS')).toBe('os')
    expect(groupKey('  CI/CD  ')).toBe('ci-cd')
    expect(groupKey('')).toBe('group')
  })
})

describe('splitFields', () => {
  it('puts own and relation fields in their groups and the rest on Details', () => {
    const split = splitFields(FIELDS, RELATIONS, GROUPS)
    expect(split.details.fields.map((field) => field.name)).toEqual(['name', 'family', 'description'])
    expect(split.details.relations).toEqual([])
    expect(split.groups.map((group) => [group.key, group.fields.map((f) => f.name), group.relations.map((f) => f.name)])).toEqual([
      ['spec', ['language', 'cluster'], []],
      ['database', ['database'], []],
      ['targets', [], ['targets']],
      ['servers', [], ['servers']],
      ['dependencies', [], ['deps']],
      ['deploy', ['deploy'], []],
    ])
    expect(split.groups[1]?.when).toEqual({ field: 'family', values: ['Database'] })
    expect(split.groups[0]).not.toHaveProperty('when')
  })

  it('without groups everything is Details', () => {
    const split = splitFields(FIELDS, RELATIONS)
    expect(split.groups).toEqual([])
    expect(split.details.fields).toEqual(FIELDS)
    expect(split.details.relations).toEqual(RELATIONS)
  })

  it('drops empty groups, gives a field to its first group and keeps keys unique', () => {
    const split = splitFields(FIELDS, RELATIONS, [
      { label: 'Nothing', fields: ['unknown'] },
      { label: 'History', fields: ['language'] },
      { label: 'Spec', fields: ['language', 'cluster'] },
      { label: 'Spec', fields: ['deploy'] },
    ])
    expect(split.groups.map((group) => [group.key, group.label, group.fields.map((f) => f.name)])).toEqual([
      ['history-group', 'History', ['language']],
      ['spec', 'Spec', ['cluster']],
      ['spec-2', 'Spec', ['deploy']],
    ])
  })
})

describe('when', () => {
  const split = splitFields(FIELDS, RELATIONS, GROUPS)

  it('a group without when always applies', () => {
    expect(groupApplies({}, null)).toBe(true)
    expect(groupApplies({}, { family: 'Database' })).toBe(true)
  })

  it('a group with when applies when the field holds one of the values', () => {
    const when = { when: { field: 'family', values: ['Database', 'Cache'] } }
    expect(groupApplies(when, { family: 'Database' })).toBe(true)
    expect(groupApplies(when, { family: 'Cache' })).toBe(true)
    expect(groupApplies(when, { family: 'Application' })).toBe(false)
    expect(groupApplies(when, { family: '' })).toBe(false)
    expect(groupApplies(when, {})).toBe(false)
    expect(groupApplies(when, null)).toBe(false)
    expect(groupApplies(when, { family: ['Web', 'Cache'] })).toBe(true)
  })

  it('visibleGroups and hiddenFields follow the record', () => {
    expect(visibleGroups(split.groups, { family: 'Database' }).map((group) => group.key)).toEqual([
      'spec',
      'database',
      'servers',
      'dependencies',
      'deploy',
    ])
    expect(visibleGroups(split.groups, { family: 'Loadbalance' }).map((group) => group.key)).toContain('targets')
    expect(hiddenFields(split.groups, { family: 'Application' }).map((field) => field.name)).toEqual(['database'])
    expect(hiddenFields(split.groups, { family: 'Database' })).toEqual([])
    expect(hiddenRelations(split.groups, { family: 'Database' }).map((field) => field.name)).toEqual(['targets'])
    expect(hiddenRelations(split.groups, { family: 'Loadbalance' })).toEqual([])
  })

  it('resolveTab accepts only history and visible groups', () => {
    expect(resolveTab(undefined, split.groups, {})).toBe('details')
    expect(resolveTab('history', split.groups, {})).toBe('history')
    expect(resolveTab('spec', split.groups, {})).toBe('spec')
    expect(resolveTab('database', split.groups, { family: 'Database' })).toBe('database')
    expect(resolveTab('database', split.groups, { family: 'Application' })).toBe('details')
    expect(resolveTab('nope', split.groups, {})).toBe('details')
    expect(resolveTab(['spec'], split.groups, {})).toBe('details')
  })
})

describe('withHiddenKept', () => {
  it('a new record sends hidden fields empty', () => {
    const model = toFormModel(FIELDS, { name: 'pg', family: 'Application', database: { engine: 'postgres' } })
    const kept = withHiddenKept(model, [DATABASE])
    expect(kept.database).toEqual({ engine: '', version: '' })
    expect(kept.name).toBe('pg')
    expect(model.database).toEqual({ engine: 'postgres', version: '' }) // not changed in place
  })

  it('an edit keeps what the hidden fields held', () => {
    const before = toFormModel(FIELDS, { name: 'pg', family: 'Database', database: { engine: 'postgres' } })
    const model = toFormModel(FIELDS, { name: 'pg', family: 'Application', database: { engine: 'mysql' } })
    expect(withHiddenKept(model, [DATABASE], before).database).toEqual({ engine: 'postgres', version: '' })
  })

  it('nothing hidden, the same model', () => {
    const model = toFormModel(FIELDS, { name: 'pg' })
    expect(withHiddenKept(model, [])).toBe(model)
  })
})

describe('relationLinks', () => {
  it('reads {id, name} items with the kind of a one-kind relation', () => {
    expect(relationLinks(SERVERS, [{ id: 'S1', name: 'web-1' }, { id: 'S2' }, 'junk', { name: 'no id' }])).toEqual([
      { id: 'S1', name: 'web-1', kind: 'servers', attrs: [] },
      { id: 'S2', name: 'S2', kind: 'servers', attrs: [] },
    ])
  })

  it('leaves the kind out when the relation has several and the item does not say', () => {
    expect(relationLinks(TARGETS, [{ id: 'S1', name: 'web-1' }, { id: 'A1', name: 'pg', kind: 'applications' }])).toEqual([
      { id: 'S1', name: 'web-1', attrs: [] },
      { id: 'A1', name: 'pg', kind: 'applications', attrs: [] },
    ])
  })

  it('reads edge items with their attributes', () => {
    expect(relationLinks(DEPS, [{ app: { id: 'A1', name: 'billing' }, via: 'rest', endpoint: '' }])).toEqual([
      { id: 'A1', name: 'billing', kind: 'applications', attrs: ['rest'] },
    ])
    expect(relationLinks(DEPS, null)).toEqual([])
  })
})
