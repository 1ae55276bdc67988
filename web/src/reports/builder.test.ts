import { describe, expect, test } from 'vitest'
import type { KindDef } from '../records/fields'
import {
  buildReport,
  cellText,
  chainProblem,
  chartFields,
  columnChoices,
  datacenterReports,
  emptyBuilder,
  orderedChain,
  toBuilder,
} from './builder'

const servers: KindDef = {
  kind: 'servers',
  label: 'Servers',
  name_field: 'hostname',
  list_fields: ['hostname'],
  search_fields: ['hostname'],
  default_sort: '-updated_at',
  fields: [
    { name: 'hostname', type: 'str', label: 'hostname', required: true },
    {
      name: 'os',
      type: 'obj',
      label: 'os',
      required: false,
      fields: [
        { name: 'base', type: 'enum', label: 'base', required: false },
        { name: 'dist', type: 'str', label: 'dist', required: false },
      ],
    },
    {
      name: 'datacenter',
      type: 'obj',
      label: 'datacenter',
      required: false,
      fields: [{ name: 'region', type: 'str', label: 'region', required: false }],
    },
    {
      name: 'tags',
      type: 'list',
      label: 'tags',
      required: false,
      fields: [
        { name: 'key', type: 'str', label: 'key', required: true },
        { name: 'value', type: 'str', label: 'value', required: false },
      ],
    },
  ],
  relations: [{ name: 'applications', type: 'relation', label: 'applications', required: false }],
}

describe('pivot chains', () => {
  test.each([
    [['clients', 'systems'], null],
    [['systems', 'applications', 'servers'], null],
    [['clients', 'servers'], 'No link from clients to servers: add systems and applications between them.'],
    [['clients', 'applications'], 'No link from clients to applications: add systems between them.'],
    [['servers', 'clients'], 'clients comes before servers: the chain goes clients → systems → applications → servers.'],
    [['clients'], 'Pick at least two linked kinds (for one kind, make a single report).'],
    [['volumes', 'servers'], 'volumes cannot be in a pivot.'],
  ])('%j → %s', (kinds, problem) => {
    expect(chainProblem(kinds)).toBe(problem)
  })

  test('picked kinds are put in chain order', () => {
    expect(orderedChain(['servers', 'clients', 'applications', 'systems'])).toEqual([
      'clients',
      'systems',
      'applications',
      'servers',
    ])
  })
})

describe('the report body', () => {
  test('keeps the filters and columns of the chosen kinds only', () => {
    const form = emptyBuilder()
    form.name = '  ACME  '
    form.chain = ['systems', 'clients']
    form.filters = {
      clients: [{ field: 'name', op: 'eq', value: 'ACME' }],
      servers: [{ field: 'hostname', op: 'contains', value: 'web' }],
    }
    form.columns = { systems: ['name'], clients: [] }
    expect(buildReport(form)).toEqual({
      name: 'ACME',
      type: 'pivot',
      kinds: ['clients', 'systems'],
      filters: { clients: [{ field: 'name', op: 'eq', value: 'ACME' }] },
      columns: { systems: ['name'] },
    })
  })

  test('a single report has its one kind, and reads back into the form', () => {
    const body = buildReport({ ...emptyBuilder(), name: 'x', type: 'single', kind: 'servers' })
    expect(body.kinds).toEqual(['servers'])
    expect(toBuilder(body).kind).toBe('servers')
    expect(toBuilder(body).type).toBe('single')
  })
})

describe('columns and charts', () => {
  test('columns are the fields, datacenter names, relations and record times', () => {
    const paths = columnChoices(servers).map((choice) => choice.path)
    expect(paths).toEqual([
      'hostname',
      'os',
      'datacenter',
      'datacenter.name',
      'datacenter.provider',
      'tags',
      'applications',
      'id',
      'created_at',
      'updated_at',
    ])
  })

  test('charts count columns and the fields inside them', () => {
    const kinds = (name: string) => (name === 'servers' ? servers : undefined)
    expect(chartFields(['servers.hostname', 'servers.os', 'servers.tags', 'servers.datacenter'], kinds)).toEqual([
      'servers.hostname',
      'servers.os',
      'servers.os.base',
      'servers.os.dist',
      'servers.tags',
      'servers.tags.key',
      'servers.datacenter',
      'servers.datacenter.region',
      'servers.datacenter.name',
      'servers.datacenter.provider',
    ])
    expect(chartFields(['os', 'applications'], kinds, 'servers')).toEqual(['os', 'os.base', 'os.dist', 'applications'])
  })

  test.each([
    [null, ''],
    ['web', 'web'],
    [4, '4'],
    [true, 'true'],
    [[{ key: 'team', value: 'core' }, { key: 'pci' }], 'team=core; pci'],
    [['web', 'api'], 'web; api'],
    [[{ type: 'PKI', username: 'deploy' }], 'PKI deploy'],
    [{ base: 'Linux', dist: 'Debian', version: null }, 'base: Linux, dist: Debian'],
  ])('the cell %j reads %j', (value, text) => {
    expect(cellText(value)).toBe(text)
  })
})

test('a datacenter has a server report and an application report, both filtered by it', () => {
  const reports = datacenterReports({ id: 'DC1', name: 'eu-west' })
  expect(reports.map((report) => [report.name, report.kinds, report.filters])).toEqual([
    ['Servers of eu-west', ['servers'], { servers: [{ field: 'datacenter.id', op: 'eq', value: 'DC1' }] }],
    ['Applications of eu-west', ['applications'], { applications: [{ field: 'datacenter.id', op: 'eq', value: 'DC1' }] }],
  ])
})
