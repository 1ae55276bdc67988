// The report builder's rules, as pure functions (unit-tested without a browser):
// which pivot chains link up (clients → systems → applications → servers, no
// step skipped), which columns and chart fields a kind offers, the body the
// server expects, and how a cell of a result row reads.

import type { ReportFields, ReportType } from '../api/reports'
import { labelOf, type FieldDef, type FilterCondition, type KindDef } from '../records/fields'

/** The kinds a pivot chains, in this order; each links to the next through a relation. */
export const PIVOT_ORDER: readonly string[] = ['clients', 'systems', 'applications', 'servers']

/** How each step of the chain is linked, in words (shown between the levels). */
export const PIVOT_LINKS: Record<string, string> = {
  'clients>systems': 'systems serving the client',
  'systems>applications': 'applications of the system',
  'applications>servers': 'servers running the application',
}

/**
 * Why a pivot chain cannot be generated (names the missing step), or null when
 * it is linked: at least two kinds, in PIVOT_ORDER, none skipped.
 */
export function chainProblem(kinds: readonly string[]): string | null {
  if (kinds.length < 2) return 'Pick at least two linked kinds (for one kind, make a single report).'
  for (let i = 1; i < kinds.length; ++i) {
    const from = kinds[i - 1] ?? ''
    const to = kinds[i] ?? ''
    const previous = PIVOT_ORDER.indexOf(from)
    const here = PIVOT_ORDER.indexOf(to)
    if (previous < 0 || here < 0) return `${previous < 0 ? from : to} cannot be in a pivot.`
    if (here < previous) return `${to} comes before ${from}: the chain goes ${PIVOT_ORDER.join(' → ')}.`
    if (here !== previous + 1) {
      const missing = PIVOT_ORDER.slice(previous + 1, here)
      return `No link from ${from} to ${to}: add ${missing.join(' and ')} between them.`
    }
  }
  return null
}

/** The chain that keeps the picked kinds in their pivot order. */
export function orderedChain(picked: Iterable<string>): string[] {
  const set = new Set(picked)
  return PIVOT_ORDER.filter((kind) => set.has(kind))
}

export interface ColumnChoice {
  path: string
  label: string
}

/** The columns a kind offers: its fields, relations (names of linked records), record times. */
export function columnChoices(kind: KindDef): ColumnChoice[] {
  const out: ColumnChoice[] = []
  for (const field of kind.fields) {
    out.push({ path: field.name, label: labelOf(field) })
    if (field.name === 'datacenter') {
      out.push({ path: 'datacenter.name', label: 'Datacenter › name' })
      out.push({ path: 'datacenter.provider', label: 'Datacenter › provider' })
    }
  }
  for (const relation of kind.relations ?? []) out.push({ path: relation.name, label: labelOf(relation) })
  out.push(
    { path: 'id', label: 'id' },
    { path: 'created_at', label: 'created' },
    { path: 'updated_at', label: 'updated' },
  )
  return out
}

/** What the builder holds. */
export interface BuilderForm {
  name: string
  type: ReportType
  /** single: the kind */
  kind: string
  /** pivot: the picked kinds (ordered on save) */
  chain: string[]
  filters: Record<string, FilterCondition[]>
  columns: Record<string, string[]>
}

export function emptyBuilder(): BuilderForm {
  return { name: '', type: 'pivot', kind: 'servers', chain: ['clients', 'systems', 'applications', 'servers'], filters: {}, columns: {} }
}

/** The kinds the form's report covers, in order. */
export function kindsOf(form: BuilderForm): string[] {
  return form.type === 'single' ? [form.kind] : orderedChain(form.chain)
}

/** The body for POST/PUT /api/reports: filters and columns of the report's kinds only (no columns = the defaults). */
export function buildReport(form: BuilderForm): ReportFields {
  const kinds = kindsOf(form)
  const filters: Record<string, FilterCondition[]> = {}
  const columns: Record<string, string[]> = {}
  for (const kind of kinds) {
    const kindFilters = form.filters[kind] ?? []
    const kindColumns = form.columns[kind] ?? []
    if (kindFilters.length > 0) filters[kind] = kindFilters
    if (kindColumns.length > 0) columns[kind] = kindColumns
  }
  return { name: form.name.trim(), type: form.type, kinds, filters, columns }
}

/** The form of a stored report (for editing). */
export function toBuilder(report: ReportFields): BuilderForm {
  return {
    name: report.name,
    type: report.type,
    kind: report.type === 'single' ? (report.kinds[0] ?? 'servers') : 'servers',
    chain: report.type === 'pivot' ? [...report.kinds] : ['clients', 'systems'],
    filters: structuredClone(report.filters ?? {}),
    columns: structuredClone(report.columns ?? {}),
  }
}

/**
 * The fields a chart can count for a report: each row column, and inside an
 * object column its scalar sub-fields (`os.base`, `datacenter.provider`), and
 * inside a list of objects its first sub-field (`tags.key`). Pivot columns are
 * `<kind>.<field>`; a single report names its kind in `singleKind`.
 */
export function chartFields(
  rowColumns: readonly string[],
  kinds: (kind: string) => KindDef | undefined,
  singleKind?: string,
): string[] {
  const out: string[] = []
  for (const column of rowColumns) {
    out.push(column)
    const dot = column.indexOf('.')
    const [kindName, path] = singleKind !== undefined ? [singleKind, column] : [column.slice(0, dot), column.slice(dot + 1)]
    const field: FieldDef | undefined = kinds(kindName)?.fields.find((f) => f.name === path)
    if (!field) continue
    if (field.type === 'obj') {
      for (const sub of field.fields ?? []) {
        if (sub.type !== 'obj' && sub.type !== 'list' && sub.type !== 'json') out.push(`${column}.${sub.name}`)
      }
      if (field.name === 'datacenter') out.push(`${column}.name`, `${column}.provider`)
    } else if (field.type === 'list' && field.fields?.[0]) {
      out.push(`${column}.${field.fields[0].name}`)
    }
  }
  return [...new Set(out)]
}

/** How one item of a list reads: text, its name, key=value (tags), or its values. */
export function itemText(item: unknown): string {
  if (item === null || item === undefined) return ''
  if (typeof item !== 'object') return String(item)
  const record = item as Record<string, unknown>
  if (typeof record.name === 'string') return record.name
  if (typeof record.key === 'string') {
    return record.value === undefined || record.value === null || record.value === '' ? record.key : `${record.key}=${String(record.value)}`
  }
  return Object.values(record)
    .filter((value) => value !== null && typeof value !== 'object' && value !== '')
    .map(String)
    .join(' ')
}

/** How a cell of a result row reads in the table. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(itemText).filter((text) => text !== '').join('; ')
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== null && inner !== undefined && inner !== '')
      .map(([key, inner]) => `${key}: ${cellText(inner)}`)
      .join(', ')
  }
  return String(value)
}

/**
 * "Analytics for this datacenter": the server and application reports of one
 * datacenter (the original's daily datacenter reports).
 */
export function datacenterReports(datacenter: { id: string; name: string }): ReportFields[] {
  const filter: FilterCondition[] = [{ field: 'datacenter.id', op: 'eq', value: datacenter.id }]
  return [
    {
      name: `Servers of ${datacenter.name}`,
      type: 'single',
      kinds: ['servers'],
      filters: { servers: filter },
      columns: {
        servers: ['hostname', 'ipv4_private', 'environment', 'role', 'os', 'cpu', 'memory', 'status', 'datacenter', 'applications', 'tags'],
      },
    },
    {
      name: `Applications of ${datacenter.name}`,
      type: 'single',
      kinds: ['applications'],
      filters: { applications: filter },
      columns: { applications: ['name', 'family', 'environment', 'provider', 'status', 'datacenter', 'systems', 'servers'] },
    },
  ]
}
