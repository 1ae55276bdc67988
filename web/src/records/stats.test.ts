import { describe, expect, it } from 'vitest'
import { toBars, totalOf } from './stats'

describe('toBars', () => {
  it('sorts by count, then name, and scales to the largest bar', () => {
    const bars = toBars([
      { key: 'GCP', count: 1 },
      { key: 'AWS', count: 4 },
      { key: 'Azure', count: 1 },
    ])
    expect(bars.map((bar) => [bar.label, bar.count, bar.percent])).toEqual([
      ['AWS', 4, 100],
      ['Azure', 1, 25],
      ['GCP', 1, 25],
    ])
  })

  it('puts records without the field last, as "Not set"', () => {
    const bars = toBars([
      { key: '(none)', count: 9 },
      { key: 'Production', count: 3 },
    ])
    expect(bars.map((bar) => [bar.key, bar.label, bar.percent])).toEqual([
      ['Production', 'Production', 33.3],
      ['(none)', 'Not set', 100],
    ])
  })

  it('folds what does not fit into "Other" and keeps the total', () => {
    const buckets = Array.from({ length: 6 }, (_, index) => ({ key: `k${index}`, count: 10 - index }))
    const bars = toBars([...buckets, { key: '(none)', count: 2 }], 4)
    expect(bars.map((bar) => [bar.label, bar.count])).toEqual([
      ['k0', 10],
      ['k1', 9],
      ['Other', 8 + 7 + 6 + 5],
      ['Not set', 2],
    ])
    expect(totalOf(bars)).toBe(10 + 9 + 8 + 7 + 6 + 5 + 2)
  })

  it('drops empty buckets and handles no data', () => {
    expect(toBars(undefined)).toEqual([])
    expect(toBars([{ key: 'a', count: 0 }])).toEqual([])
  })
})
