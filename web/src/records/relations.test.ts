import { describe, expect, it } from 'vitest'
import type { FieldDef } from './fields'
import { relationChanges, relationProblem, relationValue, toRelationModel } from './relations'

const servers: FieldDef = { name: 'servers', type: 'relation', label: 'servers', required: false, refs: ['servers'] }
const deps: FieldDef = {
  name: 'deps',
  type: 'relation',
  label: 'deps',
  required: false,
  refs: ['applications'],
  id_key: 'app',
  attrs: [
    { name: 'via', type: 'str', label: 'via', required: false },
    { name: 'endpoint', type: 'str', label: 'endpoint', required: false },
  ],
}
const relations = [servers, deps]

const record = {
  servers: [
    { id: 'S1', name: 'web-1' },
    { id: 'S2', name: 'web-2' },
  ],
  deps: [{ app: { id: 'A1', name: 'db' }, via: 'jdbc' }],
}

describe('relation model', () => {
  it('reads {id, name} lists and deps items', () => {
    const model = toRelationModel(relations, record)
    expect(model.servers?.map((item) => [item.id, item.name])).toEqual([
      ['S1', 'web-1'],
      ['S2', 'web-2'],
    ])
    expect(model.deps).toEqual([{ id: 'A1', name: 'db', attrs: { via: 'jdbc', endpoint: '' } }])
  })

  it('sends ids, or {app, via, endpoint} without empty attributes', () => {
    const model = toRelationModel(relations, record)
    expect(relationValue(servers, model.servers ?? [])).toEqual(['S1', 'S2'])
    expect(relationValue(deps, model.deps ?? [])).toEqual([{ app: 'A1', via: 'jdbc' }])
  })

  it('a new record has empty relations', () => {
    expect(toRelationModel(relations)).toEqual({ servers: [], deps: [] })
  })
})

describe('relationChanges', () => {
  it('is empty when nothing changed, whatever the order', () => {
    const before = toRelationModel(relations, record)
    const after = toRelationModel(relations, record)
    after.servers?.reverse()
    expect(relationChanges(relations, before, after)).toEqual({})
  })

  it('names only the relations whose links changed', () => {
    const before = toRelationModel(relations, record)
    const after = toRelationModel(relations, record)
    after.servers = after.servers?.filter((item) => item.id !== 'S1') ?? []
    expect(relationChanges(relations, before, after)).toEqual({ servers: ['S2'] })
  })

  it('sees a changed edge attribute and sends the whole list', () => {
    const before = toRelationModel(relations, record)
    const after = toRelationModel(relations, record)
    after.deps![0]!.attrs.endpoint = ' /health '
    after.deps!.push({ id: 'A2', name: 'cache', attrs: { via: '', endpoint: '' } })
    expect(relationChanges(relations, before, after)).toEqual({
      deps: [{ app: 'A1', via: 'jdbc', endpoint: '/health' }, { app: 'A2' }],
    })
  })

  it('an attribute changed only in white space is no change', () => {
    const before = toRelationModel(relations, record)
    const after = toRelationModel(relations, record)
    after.deps![0]!.attrs.via = 'jdbc '
    expect(relationChanges(relations, before, after)).toEqual({})
  })

  it('clearing a relation sends an empty list', () => {
    const before = toRelationModel(relations, record)
    const after = { ...toRelationModel(relations, record), servers: [] }
    expect(relationChanges(relations, before, after)).toEqual({ servers: [] })
  })
})

describe('relationProblem', () => {
  it('maps server paths to a relation and item', () => {
    expect(relationProblem(relations, 'servers.1')).toEqual({ field: 'servers', index: 1 })
    expect(relationProblem(relations, 'deps.0.via')).toEqual({ field: 'deps', index: 0 })
    expect(relationProblem(relations, 'deps')).toEqual({ field: 'deps', index: null })
    expect(relationProblem(relations, 'name')).toBeNull()
  })
})
