import { describe, expect, it } from 'vitest'
import { deleteSummary, keepShown, runAll, selectionState, toggleAll, toggleOne, type Outcome } from './bulk'

describe('the page selection', () => {
  const page = ['a', 'b', 'c']

  it('shows none, some or all of the page as selected', () => {
    expect(selectionState(page, new Set())).toBe('none')
    expect(selectionState(page, new Set(['b']))).toBe('some')
    expect(selectionState(page, new Set(['a', 'b', 'c']))).toBe('all')
    // Ids of other pages do not count.
    expect(selectionState(page, new Set(['x', 'y', 'z']))).toBe('none')
    expect(selectionState([], new Set())).toBe('none')
  })

  it('selects the whole page from none or some, and clears it from all', () => {
    expect([...toggleAll(page, new Set())]).toEqual(['a', 'b', 'c'])
    expect([...toggleAll(page, new Set(['b']))].sort()).toEqual(['a', 'b', 'c'])
    expect([...toggleAll(page, new Set(['a', 'b', 'c']))]).toEqual([])
  })

  it('toggles one row without touching the set it was given', () => {
    const before = new Set(['a'])
    expect([...toggleOne(before, 'b')]).toEqual(['a', 'b'])
    expect([...toggleOne(before, 'a')]).toEqual([])
    expect([...before]).toEqual(['a'])
  })

  it('keeps only the rows still shown', () => {
    expect([...keepShown(new Set(['a', 'b', 'gone']), ['b', 'c'])]).toEqual(['b'])
  })
})

describe('runAll', () => {
  it('runs at most `limit` at once and keeps the order of the items', async () => {
    let running = 0
    let most = 0
    const outcomes = await runAll([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, (7 - n) * 2))
      running--
      if (n % 3 === 0) throw new Error(`no ${n}`)
    })
    expect(most).toBe(3)
    expect(outcomes.map((outcome) => [outcome.item, outcome.ok])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [4, true],
      [5, true],
      [6, false],
      [7, true],
    ])
    const refused = outcomes[2]
    expect(refused?.ok === false && (refused.error as Error).message).toBe('no 3')
  })

  it('resolves at once with nothing to do', async () => {
    expect(await runAll([], 4, () => Promise.reject(new Error('never')))).toEqual([])
  })
})

describe('deleteSummary', () => {
  const web = { id: 'r1', name: 'web-1' }
  const db = { id: 'r2', name: 'db-1' }
  const cache = { id: 'r3', name: 'cache-1' }
  const reason = (error: unknown) => (error as Error).message
  const ok = (item: typeof web): Outcome<typeof web> => ({ item, ok: true })
  const refused = (item: typeof web, message: string): Outcome<typeof web> => ({
    item,
    ok: false,
    error: new Error(message),
  })

  it('says how many were deleted when all were', () => {
    expect(deleteSummary([ok(web), ok(db)], reason)).toEqual({ done: 2, failed: [], message: 'Deleted 2 records.' })
    expect(deleteSummary([ok(web)], reason).message).toBe('Deleted 1 record.')
  })

  it('names each record left over with the reason', () => {
    const summary = deleteSummary(
      [ok(web), refused(db, 'you need admin access to this record; you have read'), ok(cache)],
      reason,
    )
    expect(summary.done).toBe(2)
    expect(summary.failed).toEqual([
      { id: 'r2', name: 'db-1', reason: 'you need admin access to this record; you have read' },
    ])
    expect(summary.message).toBe('Deleted 2 of 3 records; 1 could not be deleted.')
  })

  it('says so when nothing could be deleted', () => {
    expect(deleteSummary([refused(web, 'no')], reason).message).toBe('The record could not be deleted.')
    expect(deleteSummary([refused(web, 'no'), refused(db, 'no')], reason).message).toBe(
      'None of the 2 records could be deleted.',
    )
  })
})
