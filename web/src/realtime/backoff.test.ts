import { describe, expect, it } from 'vitest'
import { Backoff } from './backoff'

describe('Backoff', () => {
  it('doubles from 1 s up to the 30 s cap', () => {
    const backoff = new Backoff()
    const delays = Array.from({ length: 8 }, () => backoff.next())
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000])
    expect(backoff.attempts).toBe(8)
  })

  it('starts again from the base after a reset', () => {
    const backoff = new Backoff()
    backoff.next()
    backoff.next()
    backoff.next()
    backoff.reset()
    expect(backoff.next()).toBe(1_000)
    expect(backoff.next()).toBe(2_000)
  })

  it('takes another base and cap, and never overflows', () => {
    const backoff = new Backoff(250, 1_000)
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 500, 1_000, 1_000])
    for (let i = 0; i < 2_000; i++) backoff.next()
    expect(backoff.next()).toBe(1_000)
  })
})
