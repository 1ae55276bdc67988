import { describe, expect, it } from 'vitest'
import type { Schedule } from '../api/schedules'
import { buildFields, emptyForm, mapProblems, toForm, type ScheduleForm } from './form'

const STORED: Schedule = {
  id: 's1',
  name: 'Ping the hook',
  task: 'webhook',
  args: {
    url: 'http://127.0.0.1:9000/hook',
    method: 'PUT',
    headers: { 'X-Token': 'abc', Accept: 'text/plain' },
    body: { hello: 'world', n: 1 },
  },
  every: '6h',
  cron: null,
  enabled: true,
  run_immediately: false,
  chain: [{ schedule: 's2', countdown_s: 30 }],
  total_run_count: 4,
  failures: 0,
  last_run_at: null,
  next_run_at: null,
  last_status: null,
  message: null,
  version: 3,
  created_at: '2026-05-01T10:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
}

function form(changes: Partial<ScheduleForm> = {}): ScheduleForm {
  return { ...emptyForm(), name: 'Ping', url: 'http://127.0.0.1:9000/hook', ...changes }
}

describe('toForm and buildFields', () => {
  it('round-trips a stored webhook schedule', () => {
    const model = toForm(STORED)
    expect(model).toMatchObject({
      name: 'Ping the hook',
      url: 'http://127.0.0.1:9000/hook',
      method: 'PUT',
      headers: [
        { name: 'X-Token', value: 'abc' },
        { name: 'Accept', value: 'text/plain' },
      ],
      bodyMode: 'json',
      timing: 'every',
      everyCount: '6',
      everyUnit: 'h',
      chain: [{ schedule: 's2', countdown: '30' }],
    })
    expect(buildFields(model)).toEqual({
      fields: {
        name: 'Ping the hook',
        task: 'webhook',
        args: STORED.args,
        every: '6h',
        cron: null,
        enabled: true,
        run_immediately: false,
        chain: [{ schedule: 's2', countdown_s: 30 }],
      },
      problems: {},
    })
  })

  it('runs a report or a graph by its id', () => {
    const report = { ...STORED, task: 'report' as const, args: { id: 'r1' }, chain: [] }
    const model = toForm(report)
    expect(model.target).toBe('r1')
    expect(buildFields(model).fields?.args).toEqual({ id: 'r1' })
    expect(buildFields({ ...model, task: 'graph', target: 'g1' }).fields).toMatchObject({ task: 'graph', args: { id: 'g1' } })
  })

  it('asks which report or graph before sending, and drops the webhook inputs', () => {
    expect(buildFields(form({ task: 'graph' }))).toEqual({ fields: null, problems: { 'args.id': 'is required: choose one of your graphs' } })
    expect(buildFields(form({ task: 'report', target: 'r2' })).fields?.args).toEqual({ id: 'r2' })
  })

  it('shows the server’s problem with the report or graph under its input', () => {
    const { byField, others } = mapProblems([{ field: 'args.id', problem: 'is not one of your reports' }], form({ task: 'report' }))
    expect(byField).toEqual({ 'args.id': 'is not one of your reports' })
    expect(others).toEqual([])
  })

  it("sends back the arguments of a task it has no inputs for (a connection's sync)", () => {
    const sync = { ...STORED, task: 'sync' as const, args: { connection: 'c1', resource: 'server-list' }, chain: [] }
    expect(buildFields(toForm(sync)).fields?.args).toEqual({ connection: 'c1', resource: 'server-list' })
  })

  it('reads a text body and a cron timing', () => {
    const model = toForm({ ...STORED, args: { url: 'https://x.test', body: 'plain words' }, every: null, cron: '0 9 * * 1-5' })
    expect(model).toMatchObject({ bodyMode: 'text', body: 'plain words', method: 'POST', timing: 'cron', cron: '0 9 * * 1-5' })
    expect(buildFields(model).fields).toMatchObject({ args: { body: 'plain words' }, every: null, cron: '0 9 * * 1-5' })
  })

  it('sends a JSON body parsed, and leaves out an empty body and empty header rows', () => {
    const built = buildFields(form({ bodyMode: 'json', body: '[1, "two"]', headers: [{ name: '', value: '' }] }))
    expect(built.fields?.args).toEqual({ url: 'http://127.0.0.1:9000/hook', method: 'POST', body: [1, 'two'] })
    expect(buildFields(form({ bodyMode: 'json', body: '  ' })).fields?.args).not.toHaveProperty('body')
    expect(buildFields(form({ bodyMode: 'none', body: '{"kept": false}' })).fields?.args).not.toHaveProperty('body')
  })

  it('refuses a body that is not JSON, unless sent as text', () => {
    const built = buildFields(form({ bodyMode: 'json', body: '{oops' }))
    expect(built.fields).toBeNull()
    expect(built.problems['args.body']).toMatch(/^is not valid JSON \(.+\); fix it, or send it as text$/)
    expect(buildFields(form({ bodyMode: 'text', body: '{oops' })).fields?.args.body).toBe('{oops')
  })

  it('checks the interval, header names and chain rows before sending', () => {
    const built = buildFields(
      form({
        everyCount: 'x',
        headers: [
          { name: '', value: 'orphan' },
          { name: 'X-A', value: '1' },
          { name: 'x-a', value: '2' },
        ],
        chain: [
          { schedule: '', countdown: '5' },
          { schedule: 's2', countdown: '-1' },
        ],
      }),
    )
    expect(built.fields).toBeNull()
    expect(built.problems).toEqual({
      every: 'must be a whole number',
      'args.headers.0': 'needs a name',
      'args.headers.2': 'x-a is given twice',
      'chain.0.schedule': 'choose a schedule, or remove the row',
      'chain.1.countdown_s': 'must be a whole number of seconds',
    })
    expect(buildFields(form({ everyCount: '0' })).problems.every).toBe('must be more than zero')
    expect(buildFields(form({ everyCount: '53', everyUnit: 'w' })).problems.every).toBe('must be at most 366 days (366d, 52w)')
    expect(buildFields(form({ everyCount: '' })).problems.every).toMatch(/^is required/)
  })

  it('leaves the cron to the server, and an empty countdown is 0', () => {
    const built = buildFields(form({ timing: 'cron', cron: ' 61 * * * * ', chain: [{ schedule: 's2', countdown: '' }] }))
    expect(built.fields).toMatchObject({ every: null, cron: '61 * * * *', chain: [{ schedule: 's2', countdown_s: 0 }] })
  })
})

describe('mapProblems', () => {
  it("puts the server's details next to their inputs and lists the others", () => {
    const model = form({
      timing: 'cron',
      headers: [{ name: 'X-Token', value: 'a\nb' }],
      chain: [{ schedule: 's9', countdown: '0' }],
    })
    const mapped = mapProblems(
      [
        { field: 'args.url', problem: 'must be an http:// or https:// address' },
        { field: 'cron', problem: 'cron minute field: 61 is out of range 0-59' },
        { field: 'args.headers.X-Token', problem: 'must be text on one line' },
        { field: 'args.headers.Gone', problem: 'is not a valid header name' },
        { field: 'chain.0.schedule', problem: 'no schedule s9 of yours' },
        { field: 'chain.3.schedule', problem: 'no schedule s7 of yours' },
        { field: 'args.extra', problem: 'is not a webhook argument (url, method, headers, body)' },
        { field: 'task', problem: "'sync' is not available in this version of Maestro" },
        { problem: 'something else' },
      ],
      model,
    )
    expect(mapped.byField).toEqual({
      'args.url': 'must be an http:// or https:// address',
      cron: 'cron minute field: 61 is out of range 0-59',
      'args.headers.0': 'must be text on one line',
      'args.headers': 'is not a valid header name',
      'chain.0.schedule': 'no schedule s9 of yours',
      task: "'sync' is not available in this version of Maestro",
    })
    expect(mapped.others).toEqual([
      'chain.3.schedule no schedule s7 of yours',
      'args.extra is not a webhook argument (url, method, headers, body)',
      'something else',
    ])
  })

  it('shows a timing problem under the timing the form has chosen', () => {
    expect(mapProblems([{ field: 'cron', problem: 'cannot be given with every: choose one' }], form()).byField).toEqual({
      every: 'cannot be given with every: choose one',
    })
    expect(mapProblems([{ field: 'every', problem: 'is required, or cron' }], form({ timing: 'cron' })).byField).toEqual({
      cron: 'is required, or cron',
    })
  })

  it('joins two problems of one field', () => {
    const mapped = mapProblems(
      [
        { field: 'name', problem: 'is required' },
        { field: 'name', problem: 'is too short' },
      ],
      form(),
    )
    expect(mapped.byField).toEqual({ name: 'is required; is too short' })
  })
})

describe('number inputs', () => {
  it('take what v-model hands over, text or number', () => {
    expect(buildFields(form({ everyCount: 30, everyUnit: 'm', chain: [{ schedule: 's2', countdown: 15 }] })).fields).toMatchObject({
      every: '30m',
      chain: [{ schedule: 's2', countdown_s: 15 }],
    })
  })
})
