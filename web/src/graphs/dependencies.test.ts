import { describe, expect, it } from 'vitest'
import type { RecordDoc } from '../records/fields'
import {
  addDependency,
  buildTree,
  changeCount,
  commitBody,
  commitProblems,
  committed,
  dependenciesOf,
  discardChanges,
  depKey,
  emptyDraft,
  MAX_DEPTH,
  missingApps,
  removeAdded,
  setEntry,
  toggleRemoved,
  viaChoices,
  withApps,
  withSystem,
  withUnreadable,
  type DependencyDraft,
  type TreeNode,
} from './dependencies'

function record(id: string, fields: Record<string, unknown>): RecordDoc {
  return { id, kind: 'applications', version: 1, active: true, created_at: '', updated_at: '', ...fields }
}

function app(id: string, deps: { app: string; via: string; endpoint?: string }[] = [], family = 'Application'): RecordDoc {
  return record(id, {
    name: id.toUpperCase(),
    family,
    deps: deps.map((dep) => ({ app: { id: dep.app, name: dep.app.toUpperCase() }, via: dep.via, endpoint: dep.endpoint ?? null })),
  })
}

function system(id: string, applications: string[], entries: string[]): RecordDoc {
  return record(id, {
    kind: 'systems',
    name: `system ${id}`,
    applications: applications.map((item) => ({ id: item, name: item.toUpperCase() })),
    entries: entries.map((item) => ({ id: item, name: item.toUpperCase() })),
  })
}

function add(draft: DependencyDraft, from: string, to: string, via = 'rest', endpoint = ''): DependencyDraft {
  const result = addDependency(draft, from, { app: to, via, endpoint })
  expect(result.problem).toBeNull()
  return result.draft
}

/** The tree as indented lines: `name [state] (repeat|pending)`. */
function lines(nodes: TreeNode[], indent = ''): string[] {
  return nodes.flatMap((node) => [
    `${indent}${node.name}${node.edge ? ` [${node.edge.state} ${node.edge.via}]` : ''}${node.repeat ? ' (repeat)' : ''}${node.pending ? ' (pending)' : ''}`,
    ...lines(node.children, `${indent}  `),
  ])
}

describe('reading what the server stores', () => {
  it('keeps each application’s dependencies and the names of what they link to', () => {
    const draft = withApps(emptyDraft(), [app('a', [{ app: 'b', via: 'grpc', endpoint: 'orders:443' }])])
    expect(draft.apps.a).toEqual({ id: 'a', name: 'A', family: 'Application', deps: [{ app: 'b', via: 'grpc', endpoint: 'orders:443' }] })
    expect(draft.names.b).toBe('B')
    expect(dependenciesOf(draft, 'a')).toEqual([{ app: 'b', via: 'grpc', endpoint: 'orders:443', state: 'stored' }])
  })

  it('keeps a system’s applications and entry points', () => {
    const draft = withSystem(emptyDraft(), system('s', ['a', 'b'], ['a']))
    expect(draft.systems).toEqual([{ id: 's', name: 'system s', applications: ['a', 'b'], stored: ['a'], entries: ['a'] }])
  })

  it('a re-read of the editable system keeps the entry points being marked', () => {
    let draft: DependencyDraft = { ...withSystem(emptyDraft(), system('s', ['a', 'b'], ['a'])), editableSystem: 's' }
    draft = setEntry(draft, 'b', true)
    draft = withSystem(draft, system('s', ['a', 'b', 'c'], ['a']))
    expect(draft.systems[0]).toMatchObject({ applications: ['a', 'b', 'c'], stored: ['a'], entries: ['a', 'b'] })
  })
})

describe('changes', () => {
  const base = withApps(emptyDraft(), [app('a', [{ app: 'b', via: 'rest' }]), app('b'), app('c')])

  it('adds a dependency, and refuses one to itself, a second to the same application, or one without protocol', () => {
    const draft = add(base, 'a', 'c', 'amqp', ' queue ')
    expect(dependenciesOf(draft, 'a').map((dep) => [dep.app, dep.via, dep.endpoint, dep.state])).toEqual([
      ['b', 'rest', '', 'stored'],
      ['c', 'amqp', 'queue', 'added'],
    ])
    expect(addDependency(draft, 'a', { app: 'a', via: 'rest', endpoint: '' }).problem).toBe('A cannot depend on itself.')
    expect(addDependency(draft, 'a', { app: 'c', via: 'rest', endpoint: '' }).problem).toBe('A already depends on C.')
    expect(addDependency(draft, 'a', { app: 'b', via: 'rest', endpoint: '' }).problem).toBe('A already depends on B.')
    expect(addDependency(draft, 'b', { app: 'c', via: ' ', endpoint: '' }).problem).toBe('Choose the protocol of the dependency.')
    expect(addDependency(draft, 'b', { app: '', via: 'rest', endpoint: '' }).problem).toBe('Choose an application, or create one.')
  })

  it('removes a pending dependency, leaving nothing to commit', () => {
    const draft = removeAdded(add(base, 'b', 'c'), 'b', 'c')
    expect(draft.added).toEqual({})
    expect(changeCount(draft)).toBe(0)
    expect(commitBody(draft)).toBeNull()
  })

  it('marks a stored dependency removed, and takes the mark back', () => {
    const removed = toggleRemoved(base, 'a', 'b')
    expect(dependenciesOf(removed, 'a')[0]?.state).toBe('removed')
    expect(addDependency(removed, 'a', { app: 'b', via: 'rest', endpoint: '' }).problem).toBe(
      'A depended on B: undo its removal instead.',
    )
    expect(changeCount(removed)).toBe(1)
    expect(toggleRemoved(removed, 'a', 'b').removed).toEqual({})
  })

  it('commits each changed application’s whole list and the changed entry points, in one body', () => {
    let draft: DependencyDraft = { ...withSystem(base, system('s', ['a', 'b'], ['b'])), editableSystem: 's' }
    draft = add(draft, 'a', 'c', 'grpc', 'c:50051')
    draft = add(draft, 'c', 'b', 'tcp')
    draft = toggleRemoved(draft, 'a', 'b')
    draft = setEntry(setEntry(draft, 'a', true), 'b', false)
    expect(changeCount(draft)).toBe(4)
    expect(commitBody(draft)).toEqual({
      applications: [
        { id: 'a', deps: [{ app: 'c', via: 'grpc', endpoint: 'c:50051' }] },
        { id: 'c', deps: [{ app: 'b', via: 'tcp' }] },
      ],
      system: { id: 's', entries: ['a'] },
    })
  })

  it('leaves the system out while its entry points are as stored, whatever their order', () => {
    let draft: DependencyDraft = { ...withSystem(base, system('s', ['a', 'b'], ['a', 'b'])), editableSystem: 's' }
    draft = setEntry(setEntry(draft, 'a', false), 'a', true)
    expect(draft.systems[0]?.entries).toEqual(['b', 'a'])
    expect(commitBody(draft)).toBeNull()
  })

  it('entry points change only on the editable system', () => {
    const draft = setEntry(withSystem(base, system('s', ['a'], [])), 'a', true)
    expect(draft.systems[0]?.entries).toEqual([])
  })

  it('discarding drops every pending change', () => {
    let draft: DependencyDraft = { ...withSystem(base, system('s', ['a', 'b'], ['b'])), editableSystem: 's' }
    draft = setEntry(toggleRemoved(add(draft, 'b', 'c'), 'a', 'b'), 'a', true)
    expect(changeCount(draft)).toBe(3)
    const discarded = discardChanges(draft)
    expect(changeCount(discarded)).toBe(0)
    expect(discarded.systems[0]?.entries).toEqual(['b'])
  })

  it('after a commit whose answer leaves records out, what was sent counts as stored', () => {
    let draft: DependencyDraft = { ...withSystem(base, system('s', ['a', 'b'], [])), editableSystem: 's' }
    draft = setEntry(toggleRemoved(add(draft, 'b', 'c', 'amqp'), 'a', 'b'), 'a', true)
    const after = committed(draft, { applications: [] })
    expect(changeCount(after)).toBe(0)
    expect(dependenciesOf(after, 'a')).toEqual([])
    expect(dependenciesOf(after, 'b')).toEqual([{ app: 'c', via: 'amqp', endpoint: '', state: 'stored' }])
    expect(after.systems[0]).toMatchObject({ stored: ['a'], entries: ['a'] })
  })

  it('after a commit, the answer is stored and nothing is pending', () => {
    let draft: DependencyDraft = { ...withSystem(base, system('s', ['a', 'b'], [])), editableSystem: 's' }
    draft = setEntry(add(draft, 'b', 'c'), 'a', true)
    const after = committed(draft, { applications: [app('b', [{ app: 'c', via: 'rest' }])], system: system('s', ['a', 'b'], ['a']) })
    expect(after.added).toEqual({})
    expect(after.removed).toEqual({})
    expect(dependenciesOf(after, 'b')).toEqual([{ app: 'c', via: 'rest', endpoint: '', state: 'stored' }])
    expect(after.systems[0]).toMatchObject({ stored: ['a'], entries: ['a'] })
    expect(changeCount(after)).toBe(0)
  })
})

describe('commitProblems', () => {
  const body = {
    applications: [
      { id: 'a', deps: [{ app: 'b', via: 'rest' }, { app: 'x', via: 'rest' }] },
      { id: 'c', deps: [{ app: 'd', via: 'pigeon' }] },
    ],
    system: { id: 's', entries: ['a', 'zz'] },
  }

  it('puts each problem on the dependency, application or entry point it names, in either path style', () => {
    const problems = commitProblems(body, [
      { field: 'applications[0].deps[1].app', problem: 'is not a readable application' },
      { field: 'applications.1.deps.0.via', problem: 'must be a known protocol' },
      { field: 'applications[1].id', problem: 'is not writable' },
      { field: 'system.entries[1]', problem: 'is not a readable application' },
      { field: 'system.id', problem: 'is unknown' },
      { problem: 'nothing was written' },
    ])
    expect(problems.deps).toEqual({
      [depKey('a', 'x')]: 'is not a readable application',
      [depKey('c', 'd')]: 'via must be a known protocol',
    })
    expect(problems.apps).toEqual({ c: 'is not writable' })
    expect(problems.entries).toEqual({ zz: 'is not a readable application' })
    expect(problems.others).toEqual(['system.id is unknown', 'nothing was written'])
  })

  it('lists a detail about an item it did not send with the others', () => {
    expect(commitProblems(body, [{ field: 'applications[5].deps[0].app', problem: 'is odd' }]).others).toEqual([
      'applications[5].deps[0].app is odd',
    ])
  })

  it('joins two problems of one dependency', () => {
    const problems = commitProblems(body, [
      { field: 'applications[0].deps[0].app', problem: 'is odd' },
      { field: 'applications[0].deps[0].endpoint', problem: 'is too long' },
    ])
    expect(problems.deps[depKey('a', 'b')]).toBe('is odd; endpoint is too long')
  })
})

describe('the tree', () => {
  it('draws a chain with pending changes and stops at applications not read yet', () => {
    let draft = withApps(emptyDraft(), [app('a', [{ app: 'b', via: 'rest' }]), app('b')])
    draft = addDependency(draft, 'b', { app: 'c', name: 'C', via: 'grpc', endpoint: '' }).draft
    const tree = buildTree(draft, ['a'])
    expect(lines(tree)).toEqual(['A', '  B [stored rest]', '    C [added grpc] (pending)'])
    expect(tree[0]?.children[0]?.key).toBe('/a/b')
    expect(missingApps(draft, tree)).toEqual(['c'])
  })

  it('survives cycles and draws a shared dependency once', () => {
    const draft = withApps(emptyDraft(), [
      app('a', [{ app: 'b', via: 'rest' }, { app: 'c', via: 'rest' }]),
      app('b', [{ app: 'c', via: 'tcp' }]),
      app('c', [{ app: 'a', via: 'amqp' }]),
    ])
    expect(lines(buildTree(draft, ['a']))).toEqual([
      'A',
      '  B [stored rest]',
      '    C [stored tcp]',
      '      A [stored amqp] (repeat)',
      '  C [stored rest] (repeat)',
    ])
  })

  it('does not follow removed dependencies, nor ask for what cannot be read', () => {
    let draft = withApps(emptyDraft(), [app('a', [{ app: 'b', via: 'rest' }, { app: 'c', via: 'rest' }])])
    draft = withUnreadable(toggleRemoved(draft, 'a', 'b'), 'c', 'not found')
    const tree = buildTree(draft, ['a'])
    expect(lines(tree)).toEqual(['A', '  B [removed rest] (pending)', '  C [stored rest] (pending)'])
    expect(missingApps(draft, tree)).toEqual([])
  })

  it(`stops at depth ${MAX_DEPTH}`, () => {
    const chain = Array.from({ length: MAX_DEPTH + 5 }, (_, index) => `n${index}`)
    const draft = withApps(
      emptyDraft(),
      chain.map((id, index) => app(id, index + 1 < chain.length ? [{ app: chain[index + 1]!, via: 'rest' }] : [])),
    )
    let depth = 0
    let node = buildTree(draft, ['n0'])[0]
    while (node && node.children.length > 0) {
      node = node.children[0]
      depth++
    }
    expect(depth).toBe(MAX_DEPTH)
  })
})

describe('viaChoices', () => {
  it('offers the protocols and broker protocols once each, the default first chosen', () => {
    expect(viaChoices({ protocols: ['rest', 'grpc', 'tcp'], broker_protocols: ['amqp', 'tcp'], default: 'grpc' })).toEqual({
      protocols: ['rest', 'grpc', 'tcp', 'amqp'],
      preferred: 'grpc',
    })
  })

  it('falls back to rest, or the first protocol, when the option says nothing usable', () => {
    expect(viaChoices(undefined)).toEqual({ protocols: ['rest'], preferred: 'rest' })
    expect(viaChoices({ protocols: ['http', 3], default: 'pigeon' })).toEqual({ protocols: ['http'], preferred: 'http' })
  })
})
