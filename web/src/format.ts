// How times read in the UI: a short date, or "never".

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
