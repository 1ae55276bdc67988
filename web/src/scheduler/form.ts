// The schedule form's model and its two ways: a schedule → what the inputs
// show, and the inputs → the fields to send (with the checks made before
// sending: a JSON body must parse, an interval must be a whole number, header
// rows need names, chain rows a schedule, a report or graph task the report or
// graph it runs, sent as `args.id`). The server's 422 details are put
// next to the input they name (`args.url`, `every`, `cron`, `chain.0.schedule`,
// `args.headers.X-Token` → that header's row); the rest are listed above.

import type { ErrorDetail } from '../api/client'
import type { ChainLink, Schedule, ScheduleFields, ScheduleTask, WebhookMethod } from '../api/schedules'
import { everyProblem, parseEvery, type EveryUnit } from './timing'

export type BodyMode = 'none' | 'json' | 'text'

export interface HeaderRow {
  name: string
  value: string
}

export interface ChainRow {
  schedule: string
  /** Seconds; a number once the number input holds one. */
  countdown: string | number
}

export interface ScheduleForm {
  name: string
  task: ScheduleTask
  url: string
  method: WebhookMethod
  headers: HeaderRow[]
  bodyMode: BodyMode
  body: string
  timing: 'every' | 'cron'
  /** A number once the number input holds one. */
  everyCount: string | number
  everyUnit: EveryUnit
  cron: string
  enabled: boolean
  runImmediately: boolean
  chain: ChainRow[]
  /** The report or graph a `report` or `graph` task regenerates (its id). */
  target: string
  /** The arguments of a task the form has no inputs for (a connection's sync), sent back as they were. */
  keptArgs: Record<string, unknown>
}

/** Tasks that run one of the user's records again (`args: {id}`), and what that record is called. */
export const TARGET_TASKS: Partial<Record<ScheduleTask, string>> = { report: 'report', graph: 'graph' }

/** Field → problem, for the inputs of the form (`chain.1.countdown_s`, `args.headers.0`). */
export type FormProblems = Record<string, string>

export function emptyForm(): ScheduleForm {
  return {
    name: '',
    task: 'webhook',
    url: '',
    method: 'POST',
    headers: [],
    bodyMode: 'none',
    body: '',
    timing: 'every',
    everyCount: '1',
    everyUnit: 'h',
    cron: '',
    enabled: true,
    runImmediately: false,
    chain: [],
    target: '',
    keptArgs: {},
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** A number input's model as text: Vue's v-model hands a number once the input holds one. */
export function inputText(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value).trim()
}

/** What the inputs show for a stored schedule. */
export function toForm(schedule: Schedule): ScheduleForm {
  const form = emptyForm()
  const args = schedule.args ?? {}
  form.name = schedule.name
  form.task = schedule.task
  if (TARGET_TASKS[schedule.task]) form.target = text(args.id)
  else if (schedule.task !== 'webhook') form.keptArgs = { ...args }
  form.url = text(args.url)
  form.method = (text(args.method) || 'POST') as WebhookMethod
  const headers = args.headers
  if (typeof headers === 'object' && headers !== null && !Array.isArray(headers)) {
    form.headers = Object.entries(headers as Record<string, unknown>).map(([name, value]) => ({
      name,
      value: text(value),
    }))
  }
  if (args.body === undefined || args.body === null) {
    form.bodyMode = 'none'
  } else if (typeof args.body === 'string') {
    form.bodyMode = 'text'
    form.body = args.body
  } else {
    form.bodyMode = 'json'
    form.body = JSON.stringify(args.body, null, 2)
  }
  const every = schedule.every ? parseEvery(schedule.every) : null
  if (schedule.cron) {
    form.timing = 'cron'
    form.cron = schedule.cron
  } else if (every) {
    form.timing = 'every'
    form.everyCount = String(every.count)
    form.everyUnit = every.unit
  }
  form.enabled = schedule.enabled
  form.runImmediately = schedule.run_immediately
  form.chain = (schedule.chain ?? []).map((link) => ({ schedule: link.schedule, countdown: String(link.countdown_s) }))
  return form
}

/** The problem with a JSON body, or null when it parses. */
export function jsonProblem(body: string): string | null {
  try {
    JSON.parse(body)
    return null
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return `is not valid JSON (${reason}); fix it, or send it as text`
  }
}

/**
 * The fields to send, or the problems that keep the form from being sent.
 * The cron is left to the server (the form previews it live).
 */
export function buildFields(form: ScheduleForm): { fields: ScheduleFields | null; problems: FormProblems } {
  const problems: FormProblems = {}
  const target = TARGET_TASKS[form.task]
  const args: Record<string, unknown> = form.task === 'webhook' || target ? {} : { ...form.keptArgs }
  if (target) {
    if (form.target === '') problems['args.id'] = `is required: choose one of your ${target}s`
    else args.id = form.target
  }
  if (form.task === 'webhook') {
    args.url = form.url.trim()
    args.method = form.method
    const headers: Record<string, string> = {}
    const seen = new Set<string>()
    form.headers.forEach((row, index) => {
      const name = row.name.trim()
      if (name === '' && row.value.trim() === '') return // an empty row is ignored
      if (name === '') {
        problems[`args.headers.${index}`] = 'needs a name'
      } else if (seen.has(name.toLowerCase())) {
        problems[`args.headers.${index}`] = `${name} is given twice`
      } else {
        seen.add(name.toLowerCase())
        headers[name] = row.value
      }
    })
    if (Object.keys(headers).length > 0) args.headers = headers
    if (form.bodyMode === 'json' && form.body.trim() !== '') {
      const problem = jsonProblem(form.body)
      if (problem) problems['args.body'] = problem
      else args.body = JSON.parse(form.body) as unknown
    } else if (form.bodyMode === 'text' && form.body !== '') {
      args.body = form.body
    }
  }
  let every: string | null = null
  let cron: string | null = null
  if (form.timing === 'every') {
    const problem = everyProblem(inputText(form.everyCount), form.everyUnit)
    if (problem) problems.every = problem
    else every = `${Number(inputText(form.everyCount))}${form.everyUnit}`
  } else {
    cron = form.cron.trim()
  }
  const chain: ChainLink[] = []
  form.chain.forEach((row, index) => {
    const countdown = inputText(row.countdown) === '' ? '0' : inputText(row.countdown)
    if (row.schedule === '') problems[`chain.${index}.schedule`] = 'choose a schedule, or remove the row'
    if (!/^[0-9]+$/.test(countdown)) problems[`chain.${index}.countdown_s`] = 'must be a whole number of seconds'
    chain.push({ schedule: row.schedule, countdown_s: Number(countdown) })
  })
  if (Object.keys(problems).length > 0) return { fields: null, problems }
  return {
    fields: {
      name: form.name.trim(),
      task: form.task,
      args,
      every,
      cron,
      enabled: form.enabled,
      run_immediately: form.runImmediately,
      chain,
    },
    problems,
  }
}

/** The fields of the form that always have an input. */
const SHOWN = new Set([
  'name',
  'task',
  'args',
  'args.id',
  'args.url',
  'args.method',
  'args.headers',
  'args.body',
  'every',
  'cron',
  'enabled',
  'run_immediately',
  'chain',
])

/** Where the form shows a detail the server sent: its field key, or null when it has no input for it. */
export function problemField(field: string, form: ScheduleForm): string | null {
  if (form.timing === 'every' && field === 'cron') return 'every' // "cannot be given with every"
  if (form.timing === 'cron' && field === 'every') return 'cron'
  if (SHOWN.has(field)) return field
  const header = /^args\.headers\.(.+)$/.exec(field)
  if (header) {
    const index = form.headers.findIndex((row) => row.name.trim() === header[1])
    return index >= 0 ? `args.headers.${index}` : 'args.headers'
  }
  const link = /^chain\.(\d+)(?:\.(schedule|countdown_s))?(?:\..*)?$/.exec(field)
  if (link && Number(link[1]) < form.chain.length) return `chain.${link[1]}.${link[2] ?? 'schedule'}`
  return null
}

/** The server's details: by the form's field keys, and lines for those it has no input for. */
export function mapProblems(details: readonly ErrorDetail[], form: ScheduleForm): { byField: FormProblems; others: string[] } {
  const byField: FormProblems = {}
  const others: string[] = []
  for (const detail of details) {
    const problem = detail.problem ?? 'is not valid'
    const field = detail.field === undefined ? null : problemField(detail.field, form)
    if (field === null) {
      others.push(detail.field ? `${detail.field} ${problem}` : problem)
    } else {
      byField[field] = byField[field] ? `${byField[field]}; ${problem}` : problem
    }
  }
  return { byField, others }
}
