// What the dashboard draws from GET /api/stats: bars (largest first, `(none)`
// last, the rest folded into "Other") with their share of the largest bar,
// and the count cards of the kinds.

import type { StatBucket } from '../api/inventory'

export interface Bar {
  key: string
  label: string
  count: number
  /** Width relative to the largest bar, 0–100. */
  percent: number
}

export const NONE_KEY = '(none)'

/**
 * The bars of one breakdown: sorted by count (then by name), records without
 * the field ("not set") last, at most `max` bars — the smallest ones beyond
 * that summed into "Other". Empty buckets are dropped.
 */
export function toBars(buckets: readonly StatBucket[] | undefined, max = 8): Bar[] {
  const kept = (buckets ?? []).filter((bucket) => bucket.count > 0)
  const named = kept
    .filter((bucket) => bucket.key !== NONE_KEY)
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
  const none = kept.filter((bucket) => bucket.key === NONE_KEY).reduce((sum, bucket) => sum + bucket.count, 0)
  const slots = Math.max(1, max - (none > 0 ? 1 : 0))
  const rows: { key: string; label: string; count: number }[] = named
    .slice(0, slots)
    .map((bucket) => ({ key: bucket.key, label: bucket.key, count: bucket.count }))
  if (named.length > slots) {
    // Keep room for "Other": the last named bar joins it.
    const rest = named.slice(slots - 1).reduce((sum, bucket) => sum + bucket.count, 0)
    rows.splice(slots - 1, rows.length, { key: '(other)', label: 'Other', count: rest })
  }
  if (none > 0) rows.push({ key: NONE_KEY, label: 'Not set', count: none })
  const top = Math.max(0, ...rows.map((row) => row.count))
  return rows.map((row) => ({ ...row, percent: top === 0 ? 0 : Math.round((row.count / top) * 1000) / 10 }))
}

/** The total of a breakdown's counts. */
export function totalOf(bars: readonly Bar[]): number {
  return bars.reduce((sum, bar) => sum + bar.count, 0)
}
