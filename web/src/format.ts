// How times read in the UI: a short date, or "never"; cron times in UTC.

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

function parse(value: string | null | undefined): Date | null {
  if (!value) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

export function formatDate(value: string | null | undefined, empty = '—'): string {
  const date = parse(value)
  return date ? DATE.format(date) : empty
}

export function formatDateTime(value: string | null | undefined, empty = '—'): string {
  const date = parse(value)
  return date ? DATE_TIME.format(date) : empty
}

const UTC_DATE_TIME = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
})

/** A time in UTC with its weekday, as cron reads it: "Mon, May 4, 2026, 09:00 UTC". */
export function formatUtc(date: Date): string {
  return `${UTC_DATE_TIME.format(date)} UTC`
}
