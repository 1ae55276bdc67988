// 5-field cron expressions in UTC, as the server reads them
// (src/scheduler/timing.cpp): minute hour day-of-month month day-of-week, each
// `*`, a number, a range `a-b`, any of those with a step `/n`, or a
// comma-separated list of them; months and weekdays also by their English
// three-letter names (any case). Sunday is 0 or 7, and a range of names that
// ends on `sun` (`fri-sun`) closes the week. The macros @yearly, @annually,
// @monthly, @weekly, @daily, @midnight and @hourly stand for their fields.
//
// Days follow Vixie cron: when both day fields are restricted (neither starts
// with `*`), a day matches if EITHER matches (`0 0 13 * 5`: every 13th and
// every Friday); otherwise both must. The problems read as the server's do, so
// the live preview of the form says what the server will answer.

export class CronError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CronError'
  }
}

interface FieldSpec {
  name: string
  min: number
  max: number
  names: readonly string[]
  minName: number
  nameHint: string
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, names: [], minName: 0, nameHint: '' },
  { name: 'hour', min: 0, max: 23, names: [], minName: 0, nameHint: '' },
  { name: 'day-of-month', min: 1, max: 31, names: [], minName: 0, nameHint: '' },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, minName: 1, nameHint: 'jan-dec' },
  { name: 'day-of-week', min: 0, max: 7, names: WEEKDAY_NAMES, minName: 0, nameHint: 'sun-sat' },
]
const DAY_OF_WEEK = 4

export const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

const LONGEST_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** A parsed expression: which values of each field match. */
export interface Cron {
  /** The expression as written (trimmed). */
  text: string
  /** The five fields as written (a macro's fields for a macro). */
  fields: readonly [string, string, string, string, string]
  minutes: readonly boolean[]
  hours: readonly boolean[]
  /** Index 1–31. */
  days: readonly boolean[]
  /** Index 1–12. */
  months: readonly boolean[]
  /** Index 0–6, Sunday 0 (a 7 is folded onto 0). */
  weekdays: readonly boolean[]
  /** The day-of-month field starts with `*`. */
  anyDay: boolean
  /** The day-of-week field starts with `*`. */
  anyWeekday: boolean
}

function fieldProblem(field: FieldSpec, problem: string): CronError {
  return new CronError(`cron ${field.name} field: ${problem}`)
}

const isDigits = (text: string): boolean => /^[0-9]+$/.test(text)

function parseValue(token: string, item: string, field: FieldSpec): { number: number; named: boolean } {
  if (token === '') throw fieldProblem(field, `'${item}' is missing a number`)
  if (isDigits(token)) {
    const number = Number(token)
    if (number < field.min || number > field.max) {
      throw fieldProblem(field, `${token} is out of range ${field.min}-${field.max}`)
    }
    return { number, named: false }
  }
  if (field.names.length === 0) throw fieldProblem(field, `'${token}' is not a number`)
  const index = field.names.indexOf(token.toLowerCase())
  if (index < 0) {
    throw fieldProblem(
      field,
      `'${token}' is neither a number ${field.min}-${field.max} nor a name ${field.nameHint}`,
    )
  }
  return { number: field.minName + index, named: true }
}

function parseItem(item: string, field: FieldSpec, index: number, into: boolean[]): void {
  if (item === '') throw fieldProblem(field, 'has an empty list item (two commas, or a comma at an end)')
  const slash = item.indexOf('/')
  const range = slash < 0 ? item : item.slice(0, slash)
  let step: number | null = null
  if (slash >= 0) {
    const stepText = item.slice(slash + 1)
    const largest = field.max - field.min + 1
    const number = isDigits(stepText) ? Number(stepText) : NaN
    if (!(number >= 1 && number <= largest)) {
      throw fieldProblem(field, `step '${stepText}' in '${item}' must be a whole number from 1 to ${largest}`)
    }
    step = number
  }
  let low: number
  let high: number
  const dash = range.indexOf('-')
  if (range === '*') {
    low = field.min
    high = field.max
  } else if (dash >= 0) {
    const first = parseValue(range.slice(0, dash), item, field)
    const last = parseValue(range.slice(dash + 1), item, field)
    low = first.number
    high = last.number
    // "mon-sun", "fri-sun": a Sunday written by name closes the week.
    if (index === DAY_OF_WEEK && last.named && high === 0 && low > 0) high = 7
    if (low > high) throw fieldProblem(field, `range '${range}' is reversed; write the smaller value first`)
  } else {
    low = parseValue(range, item, field).number
    high = step !== null ? field.max : low // `a/n`: from a to the end of the field
  }
  for (let n = low; n <= high; n += step ?? 1) into[index === DAY_OF_WEEK && n === 7 ? 0 : n] = true
}

function parseField(text: string, index: number): boolean[] {
  const field = FIELDS[index]!
  const bits: boolean[] = new Array<boolean>(field.max + 1).fill(false)
  for (const item of text.split(',')) parseItem(item, field, index, bits)
  return bits
}

/** Parses `text`; throws a CronError that says what is wrong (as the server would). */
export function parseCron(text: string): Cron {
  const trimmed = text.trim()
  if (trimmed === '') {
    throw new CronError(
      "cron expression is empty; it needs 5 fields (minute hour day month weekday), e.g. '*/15 * * * *', " +
        'or a macro such as @daily',
    )
  }
  let fieldsText = trimmed
  if (trimmed.startsWith('@')) {
    const macro = MACROS[trimmed.toLowerCase()]
    if (macro === undefined) {
      throw new CronError(
        `cron macro '${trimmed}' is unknown; expected @yearly, @annually, @monthly, @weekly, @daily, ` +
          '@midnight or @hourly',
      )
    }
    fieldsText = macro
  }
  const parts = fieldsText.split(/\s+/).filter((part) => part !== '')
  if (parts.length !== 5) {
    throw new CronError(`cron needs 5 fields (minute hour day month weekday), got ${parts.length}`)
  }
  const fields = parts as unknown as [string, string, string, string, string]
  const [minutes, hours, days, months, weekdays] = fields.map((part, index) => parseField(part, index)) as [
    boolean[],
    boolean[],
    boolean[],
    boolean[],
    boolean[],
  ]
  const cron: Cron = {
    text: trimmed,
    fields,
    minutes,
    hours,
    days,
    months,
    weekdays: weekdays.slice(0, 7),
    anyDay: fields[2].startsWith('*'),
    anyWeekday: fields[4].startsWith('*'),
  }
  // Unless both day fields are restricted, a chosen day must exist in some chosen month.
  if (cron.anyDay || cron.anyWeekday) {
    let possible = false
    for (let month = 1; month <= 12 && !possible; month++) {
      if (!months[month]) continue
      for (let day = 1; day <= LONGEST_MONTH[month]! && !possible; day++) possible = days[day] === true
    }
    if (!possible) {
      throw new CronError(
        `cron day-of-month field: day '${fields[2]}' never occurs in month '${fields[3]}', ` +
          'so the expression would never run',
      )
    }
  }
  return cron
}

/** The problem with `text`, or null when it is a valid expression. */
export function cronProblem(text: string): string | null {
  try {
    parseCron(text)
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

function dayMatches(cron: Cron, date: Date): boolean {
  const day = cron.days[date.getUTCDate()] === true
  const week = cron.weekdays[date.getUTCDay()] === true
  return cron.anyDay || cron.anyWeekday ? day && week : day || week
}

function firstFrom(bits: readonly boolean[], from: number): number {
  for (let n = from; n < bits.length; n++) if (bits[n]) return n
  return -1
}

const MINUTE = 60_000
const DAY = 86_400_000

/** The first time strictly after `after` (to the minute, UTC) that matches, or null within 400 years. */
export function nextRun(cron: Cron, after: Date): Date | null {
  const start = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE
  let day = Math.floor(start / DAY) * DAY
  let hour = new Date(start).getUTCHours()
  let minute = new Date(start).getUTCMinutes()
  const lastYear = new Date(day).getUTCFullYear() + 400 // the calendar repeats every 400 years
  for (;;) {
    const date = new Date(day)
    if (date.getUTCFullYear() > lastYear) return null
    if (!cron.months[date.getUTCMonth() + 1]) {
      day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)
      hour = minute = 0
      continue
    }
    if (!dayMatches(cron, date)) {
      day += DAY
      hour = minute = 0
      continue
    }
    const nextHour = firstFrom(cron.hours, hour)
    if (nextHour < 0) {
      day += DAY
      hour = minute = 0
      continue
    }
    if (nextHour !== hour) {
      hour = nextHour
      minute = 0
    }
    const nextMinute = firstFrom(cron.minutes, minute)
    if (nextMinute < 0) {
      minute = 0
      if (++hour === 24) {
        day += DAY
        hour = 0
      }
      continue
    }
    return new Date(day + hour * 3_600_000 + nextMinute * MINUTE)
  }
}

/** The next `count` run times after `after`. */
export function nextRuns(cron: Cron, after: Date, count: number): Date[] {
  const runs: Date[] = []
  let from = after
  while (runs.length < count) {
    const next = nextRun(cron, from)
    if (next === null) break
    runs.push(next)
    from = next
  }
  return runs
}

// ---------------------------------------------------------------- in words

const MONTH_WORDS = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const WEEKDAY_WORDS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

/** "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? ''
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
}

function valueWord(token: string, index: number): string {
  const field = FIELDS[index]!
  const number = isDigits(token) ? Number(token) : field.minName + field.names.indexOf(token.toLowerCase())
  if (index === 3) return MONTH_WORDS[number] ?? token
  if (index === DAY_OF_WEEK) return WEEKDAY_WORDS[number] ?? token
  return String(number)
}

/** One field in words: "5", "1 to 5", "every 15", "every 2 from 1 to 11", "1, 15 and 20". */
function fieldWords(text: string, index: number): string {
  const items = text.split(',').map((item) => {
    const [range = '', step] = item.split('/')
    const span =
      range === '*'
        ? ''
        : range.includes('-')
          ? `${valueWord(range.split('-')[0]!, index)} to ${valueWord(range.split('-')[1]!, index)}`
          : valueWord(range, index)
    if (step === undefined) return span
    if (span === '') return `every ${step}`
    return range.includes('-') ? `every ${step} from ${span}` : `every ${step} from ${span} on`
  })
  return joinWords(items)
}

const single = (text: string): boolean => isDigits(text)
const pad = (n: number): string => String(n).padStart(2, '0')

function timeWords(minute: string, hour: string): string {
  if (single(minute) && hour.split(',').every(single)) {
    const times = hour.split(',').map((h) => `${pad(Number(h))}:${pad(Number(minute))}`)
    return `At ${joinWords(times)} UTC`
  }
  if (minute === '*' && hour === '*') return 'Every minute'
  const everyMinutes = /^\*\/(\d+)$/.exec(minute)
  if (everyMinutes && hour === '*') return `Every ${everyMinutes[1]} minutes`
  const minutePart =
    minute === '*' ? 'Every minute' : single(minute) ? `At minute ${minute}` : `At minutes ${fieldWords(minute, 0)}`
  if (hour === '*') return `${minutePart} of every hour`
  const everyHours = /^\*\/(\d+)$/.exec(hour)
  if (everyHours) return `${minutePart} of every ${everyHours[1]} hours`
  return `${minutePart} of hours ${fieldWords(hour, 1)} (UTC)`
}

function dayWords(cron: Cron): string {
  const [, , day, , weekday] = cron.fields
  const dayText = day === '*' ? '' : `on day ${fieldWords(day, 2)} of the month`
  const weekText = weekday === '*' ? '' : `on ${fieldWords(weekday, 4)}`
  if (dayText && weekText) {
    return cron.anyDay || cron.anyWeekday ? `${dayText}, if it is ${weekText.slice(3)}` : `${dayText} or ${weekText}`
  }
  return dayText || weekText || 'every day'
}

/** The expression in words, e.g. "At 09:00 UTC, on Monday to Friday". */
export function describeCron(cron: Cron): string {
  const [minute, hour, , month] = cron.fields
  const parts = [timeWords(minute, hour), dayWords(cron)]
  if (month !== '*') parts.push(`in ${fieldWords(month, 3)}`)
  return parts.join(', ')
}
