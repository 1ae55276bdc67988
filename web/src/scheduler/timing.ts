// The `every` of a schedule ("30s", "5m", "6h", "14d", "2w") as the form edits
// it — a whole number and a unit — and both timings in words.

import type { Schedule } from '../api/schedules'
import { cronProblem, describeCron, parseCron } from './cron'

export type EveryUnit = 's' | 'm' | 'h' | 'd' | 'w'

export const EVERY_UNITS: readonly { unit: EveryUnit; seconds: number; one: string; many: string }[] = [
  { unit: 's', seconds: 1, one: 'second', many: 'seconds' },
  { unit: 'm', seconds: 60, one: 'minute', many: 'minutes' },
  { unit: 'h', seconds: 3_600, one: 'hour', many: 'hours' },
  { unit: 'd', seconds: 86_400, one: 'day', many: 'days' },
  { unit: 'w', seconds: 604_800, one: 'week', many: 'weeks' },
]

/** The longest interval the server takes: 366 days. */
export const MAX_EVERY_SECONDS = 366 * 86_400

/** "6h" → {count: 6, unit: 'h'}; null when it is not a whole number and a unit. */
export function parseEvery(text: string): { count: number; unit: EveryUnit } | null {
  const match = /^([0-9]+)([smhdw])$/.exec(text.trim())
  if (!match) return null
  return { count: Number(match[1]), unit: match[2] as EveryUnit }
}

/** What is wrong with `count` of `unit` as an interval, or null. */
export function everyProblem(count: string, unit: EveryUnit): string | null {
  const text = count.trim()
  if (text === '') return 'is required: how many seconds, minutes, hours, days or weeks'
  if (!/^[0-9]+$/.test(text)) return 'must be a whole number'
  const seconds = Number(text) * (EVERY_UNITS.find((entry) => entry.unit === unit)?.seconds ?? 1)
  if (seconds <= 0) return 'must be more than zero'
  if (seconds > MAX_EVERY_SECONDS) return 'must be at most 366 days (366d, 52w)'
  return null
}

/** "every hour", "every 30 seconds", "every 2 weeks". */
export function describeEvery(text: string): string {
  const every = parseEvery(text)
  if (!every) return `every ${text}`
  const unit = EVERY_UNITS.find((entry) => entry.unit === every.unit)!
  return every.count === 1 ? `every ${unit.one}` : `every ${every.count} ${unit.many}`
}

/** A schedule's timing in words: "Every hour" or the cron in words (the expression when it is not valid). */
export function describeTiming(schedule: Pick<Schedule, 'every' | 'cron'>): string {
  if (schedule.every) {
    const words = describeEvery(schedule.every)
    return words.charAt(0).toUpperCase() + words.slice(1)
  }
  if (schedule.cron) return cronProblem(schedule.cron) === null ? describeCron(parseCron(schedule.cron)) : schedule.cron
  return '—'
}
