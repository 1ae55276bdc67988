import { describe, expect, it } from 'vitest'
import { graphBody, graphFormProblems, isSource, sourceField, suggestName } from './form'

describe('the graph create wizard', () => {
  it('picks records of the chosen kind', () => {
    expect(sourceField('clients')).toMatchObject({ name: 'clients', label: 'Clients', type: 'relation', refs: ['clients'] })
    expect(isSource('systems')).toBe(true)
    expect(isSource('servers')).toBe(false)
    expect(isSource(undefined)).toBe(false)
  })

  it('suggests a name from the picks', () => {
    expect(suggestName([])).toBe('')
    expect(suggestName(['shop'])).toBe('Graph of shop')
    expect(suggestName(['shop', 'cart'])).toBe('Graph of shop and cart')
    expect(suggestName(['shop', 'cart', 'blog', 'wiki'])).toBe('Graph of shop, cart and 2 more')
  })

  it('sends the name typed, else the suggestion, and the ids under the kind', () => {
    expect(graphBody('systems', ['s1', 's2'], '  Shop map ', 'Graph of shop')).toEqual({ name: 'Shop map', from: { systems: ['s1', 's2'] } })
    expect(graphBody('applications', ['a'], ' ', 'Graph of A')).toEqual({ name: 'Graph of A', from: { applications: ['a'] } })
  })

  it('puts the server’s problems under the name, on a picked record, or under the picker', () => {
    const problems = graphFormProblems([
      { field: 'name', problem: 'is required' },
      { field: 'from.systems.1', problem: 'is not a readable system' },
      { field: 'from.systems[2]', problem: 'is not a readable system' },
      { field: 'from', problem: 'must name exactly one of systems, clients, applications' },
      { field: 'owner', problem: 'is read-only' },
    ])
    expect(problems.name).toBe('is required')
    expect([...problems.picks]).toEqual([
      [1, 'is not a readable system'],
      [2, 'is not a readable system'],
      [null, 'must name exactly one of systems, clients, applications'],
    ])
    expect(problems.others).toEqual(['owner is read-only'])
  })
})
