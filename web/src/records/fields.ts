// The field definitions of GET /api/kinds and what the generic record pages
// make of them: how a value reads in a table, the form model of a record (every
// input edits a string, a boolean or a list), the document built back from the
// form, the JSON merge patch of an edit, the filter builder's fields and ops,
// and where a server problem (`storage.0.size`) belongs in the form.
// Pure functions only, so they are unit-tested without a browser.

import type { GroupDef } from './groups'

export type FieldType =
  | 'str'
  | 'text'
  | 'int'
  | 'num'
  | 'bool'
  | 'time'
  | 'ip'
  | 'enum'
  | 'obj'
  | 'list'
  | 'ref'
  | 'json'
  | 'relation'

export interface FieldDef {
  name: string
  type: FieldType
  label: string
  required: boolean
  max?: number
  values?: string[]
  item?: FieldType
  fields?: FieldDef[]
  ref?: string
  open?: boolean
  /** relation fields: the kinds at the other end */
  refs?: string[]
  /** relation fields with attributes on the edge (deps: via, endpoint) */
  attrs?: FieldDef[]
  /** relation fields with attributes: the key of the linked record in an item (deps: "app") */
  id_key?: string
}

export interface KindDef {
  kind: string
  label: string
  name_field: string
  list_fields: string[]
  search_fields: string[]
  default_sort: string
  /** the kind's own fields, which the forms edit */
  fields: FieldDef[]
  /** relation fields (edges to other records), shown as {id, name} lists */
  relations?: FieldDef[]
  /** tabs of the record page and sections of the form (records/groups.ts); fields in none are "Details" */
  groups?: GroupDef[]
}

export interface KindsResponse {
  kinds: KindDef[]
  common_fields: string[]
}

/** A record as the server sends it: the kind's fields plus the common ones. */
export interface RecordDoc {
  id: string
  kind: string
  version: number
  active: boolean
  created_at: string
  updated_at: string
  owner?: { type: string; id: string; name: string }
  roles?: { type: string; id: string; name: string; role: string }[]
  source?: string
  [field: string]: unknown
}

const SCALARS: readonly FieldType[] = ['str', 'text', 'int', 'num', 'bool', 'time', 'ip', 'enum', 'ref']

export function isScalar(type: FieldType): boolean {
  return SCALARS.includes(type)
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const ACRONYMS: Record<string, string> = {
  api: 'API',
  cidr: 'CIDR',
  cpu: 'CPU',
  dns: 'DNS',
  id: 'ID',
  iops: 'IOPS',
  ip: 'IP',
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  os: 'OS',
  url: 'URL',
  vcpus: 'vCPUs',
}

/** A field's label for people: `ipv4_private` → `IPv4 private`, `os` → `OS`. */
export function labelOf(field: { label?: string; name: string }): string {
  const words = (field.label || field.name).split(/[_\s]+/).map((word) => ACRONYMS[word.toLowerCase()] ?? word)
  const text = words.join(' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** The definition at a dotted path (`os.base`; list-of-obj items are looked through). */
export function fieldAt(fields: readonly FieldDef[], path: string): FieldDef | undefined {
  const [head, ...rest] = path.split('.')
  const field = fields.find((candidate) => candidate.name === head)
  if (!field || rest.length === 0) return field
  const tail = /^\d+$/.test(rest[0] ?? '') ? rest.slice(1) : rest
  if (tail.length === 0) return field
  return field.fields ? fieldAt(field.fields, tail.join('.')) : undefined
}

/** The value at a dotted path of a document (`os.base`, `storage.0.size`). */
export function valueAt(doc: unknown, path: string): unknown {
  let current: unknown = doc
  for (const part of path.split('.')) {
    if (Array.isArray(current)) current = current[Number(part)]
    else if (isPlainObject(current)) current = current[part]
    else return undefined
  }
  return current
}

// ---------------------------------------------------------------- display

/**
 * What a list column sorts by: a scalar by itself, an object by its first
 * scalar field (`os` → `os.base`; the server cannot sort by a whole object),
 * a list not at all (null).
 */
export function sortKeyFor(field: FieldDef | undefined, name: string): string | null {
  if (!field) return name
  if (field.type === 'obj') {
    const first = (field.fields ?? []).find((sub) => isScalar(sub.type))
    return first ? `${name}.${first.name}` : null
  }
  if (field.type === 'list' || field.type === 'json') return null
  return name
}

function formatScalar(type: FieldType | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  if (type === 'bool' || typeof value === 'boolean') return value ? 'yes' : 'no'
  if (type === 'time' && typeof value === 'string') {
    const date = new Date(value)
    return Number.isNaN(date.getTime()) ? value : date.toISOString().replace('T', ' ').slice(0, 16)
  }
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/**
 * How a value reads in a table cell: an object as its values in order
 * (`Linux Debian 12`), a list as comma text, a list of objects as its items
 * joined by "; ", JSON as compact JSON. Empty values read as ''.
 */
export function formatValue(field: FieldDef | undefined, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (field?.type === 'json') return JSON.stringify(value)
  if (Array.isArray(value)) {
    const itemField: FieldDef | undefined = field
      ? { ...field, type: field.item ?? (field.fields ? 'obj' : 'str') }
      : undefined
    return value
      .map((item) => formatValue(itemField, item))
      .filter((text) => text !== '')
      .join(isPlainObject(value[0]) ? '; ' : ', ')
  }
  if (isPlainObject(value)) {
    const subs = field?.fields ?? []
    const names = subs.length > 0 ? subs.map((sub) => sub.name) : Object.keys(value)
    return names
      .map((name) => formatValue(subs.find((sub) => sub.name === name), value[name]))
      .filter((text) => text !== '')
      .join(' ')
  }
  return formatScalar(field?.type, value)
}

// ---------------------------------------------------------------- the form model

/** What one input edits: text for most scalars, a boolean (or null: unset) for bool. */
export type FormScalar = string | boolean | null
export type FormValue = FormScalar | FormObject | FormValue[]
export interface FormObject {
  [name: string]: FormValue
}

/** The form value of a never-filled field. */
export function emptyValue(field: FieldDef): FormValue {
  if (field.type === 'obj') return emptyObject(field.fields ?? [])
  if (field.type === 'list') return []
  if (field.type === 'bool') return null
  return ''
}

export function emptyObject(fields: readonly FieldDef[]): FormObject {
  return Object.fromEntries(fields.map((field) => [field.name, emptyValue(field)]))
}

/** The item form value a list field adds. */
export function emptyItem(field: FieldDef): FormValue {
  return field.item === 'obj' || field.fields ? emptyObject(field.fields ?? []) : field.item === 'bool' ? null : ''
}

function scalarToForm(type: FieldType | undefined, value: unknown): FormScalar {
  if (value === null || value === undefined) return type === 'bool' ? null : ''
  if (type === 'bool') return typeof value === 'boolean' ? value : null
  if (type === 'time' && typeof value === 'string') {
    // <input type=datetime-local> wants `YYYY-MM-DDTHH:MM[:SS]` in UTC here.
    const date = new Date(value)
    return Number.isNaN(date.getTime()) ? value : date.toISOString().slice(0, 19)
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** The form value of `value` for `field` (a stored record's, or absent). */
export function toFormValue(field: FieldDef, value: unknown): FormValue {
  if (field.type === 'obj') return toFormModel(field.fields ?? [], isPlainObject(value) ? value : {})
  if (field.type === 'json') return value === undefined || value === null ? '' : JSON.stringify(value, null, 2)
  if (field.type === 'list') {
    if (!Array.isArray(value)) return []
    if (field.item === 'obj' || field.fields) {
      return value.map((item) => toFormModel(field.fields ?? [], isPlainObject(item) ? item : {}))
    }
    return value.map((item) => scalarToForm(field.item, item))
  }
  return scalarToForm(field.type, value)
}

/** The form model of a record (or of a new one, with `record` undefined). */
export function toFormModel(fields: readonly FieldDef[], record: Record<string, unknown> = {}): FormObject {
  return Object.fromEntries(fields.map((field) => [field.name, toFormValue(field, record[field.name])]))
}

// ---------------------------------------------------------------- the document

/** Problems found before sending, by dotted path. */
export type FieldProblems = Record<string, string>

interface Built {
  /** False when the value is empty and is left out of the document. */
  present: boolean
  value?: unknown
}

function buildScalar(type: FieldType | undefined, raw: FormValue, path: string, problems: FieldProblems): Built {
  if (type === 'bool') return raw === null || raw === '' ? { present: false } : { present: true, value: raw === true }
  const text = typeof raw === 'string' ? raw.trim() : ''
  if (text === '') return { present: false }
  if (type === 'int' || type === 'num') {
    const number = Number(text)
    if (!Number.isFinite(number)) problems[path] = 'must be a number'
    else if (type === 'int' && !Number.isInteger(number)) problems[path] = 'must be a whole number'
    else return { present: true, value: number }
    return { present: false }
  }
  if (type === 'time') {
    // A datetime-local value has no zone: it is read as UTC, as it was shown.
    const date = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`)
    if (Number.isNaN(date.getTime())) {
      problems[path] = 'must be a date and time'
      return { present: false }
    }
    return { present: true, value: date.toISOString() }
  }
  // Text keeps its inner white space; only a one-line value is trimmed.
  return { present: true, value: type === 'text' && typeof raw === 'string' ? raw : text }
}

function buildValue(field: FieldDef, raw: FormValue, path: string, problems: FieldProblems): Built {
  if (field.type === 'obj') {
    const doc = buildObject(field.fields ?? [], isPlainObject(raw) ? (raw as FormObject) : {}, path, problems)
    return Object.keys(doc).length === 0 ? { present: false } : { present: true, value: doc }
  }
  if (field.type === 'json') {
    const text = typeof raw === 'string' ? raw.trim() : ''
    if (text === '') return { present: false }
    try {
      return { present: true, value: JSON.parse(text) as unknown }
    } catch {
      problems[path] = 'is not valid JSON'
      return { present: false }
    }
  }
  if (field.type === 'list') {
    const items = Array.isArray(raw) ? raw : []
    const values: unknown[] = []
    items.forEach((item, index) => {
      const itemPath = `${path}.${index}`
      const built =
        field.item === 'obj' || field.fields
          ? buildValue({ ...field, type: 'obj' }, item, itemPath, problems)
          : buildScalar(field.item, item, itemPath, problems)
      if (built.present) values.push(built.value)
    })
    return values.length === 0 ? { present: false } : { present: true, value: values }
  }
  return buildScalar(field.type, raw, path, problems)
}

function buildObject(
  fields: readonly FieldDef[],
  model: FormObject,
  prefix: string,
  problems: FieldProblems,
): Record<string, unknown> {
  const doc: Record<string, unknown> = {}
  for (const field of fields) {
    const path = prefix === '' ? field.name : `${prefix}.${field.name}`
    const built = buildValue(field, model[field.name] ?? emptyValue(field), path, problems)
    if (built.present) doc[field.name] = built.value
  }
  return doc
}

/**
 * The record document of a form model: empty inputs are left out, numbers and
 * JSON parsed, times made RFC 3339. `problems` names what could not be read
 * (by dotted path, as the server would).
 */
export function buildDoc(
  fields: readonly FieldDef[],
  model: FormObject,
): { doc: Record<string, unknown>; problems: FieldProblems } {
  const problems: FieldProblems = {}
  const doc = buildObject(fields, model, '', problems)
  return { doc, problems }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]))
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    return [...keys].every((key) => deepEqual(a[key], b[key]))
  }
  return false
}

/**
 * The JSON merge patch (RFC 7386) that turns `before` into `after`: changed
 * keys with their new value, removed keys as null, objects patched key by key,
 * lists replaced whole. Empty when nothing changed.
 */
export function mergePatch(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[key]
    const next = after[key]
    if (!(key in after)) {
      patch[key] = null
    } else if (isPlainObject(old) && isPlainObject(next)) {
      const inner = mergePatch(old, next)
      if (Object.keys(inner).length > 0) patch[key] = inner
    } else if (!deepEqual(old, next)) {
      patch[key] = next
    }
  }
  return patch
}

// ---------------------------------------------------------------- server problems

/**
 * Splits the server's `details` into problems shown next to an input of the
 * form (`paths`: the dotted paths it renders) and the rest, as
 * "field problem" lines for the summary. A problem about a path inside a
 * shown field (`tags.0` when only `tags.0.key` is an input) stays with the
 * nearest shown ancestor.
 */
export function mapProblems(
  details: readonly { field?: string; problem?: string }[],
  paths: ReadonlySet<string>,
): { byPath: FieldProblems; others: string[] } {
  const byPath: FieldProblems = {}
  const others: string[] = []
  for (const detail of details) {
    const problem = detail.problem ?? 'is not valid'
    let path = detail.field ?? ''
    while (path !== '' && !paths.has(path)) path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : ''
    if (path === '') {
      others.push(detail.field ? `${detail.field} ${problem}` : problem)
      continue
    }
    const shown = path === detail.field ? problem : `${detail.field?.slice(path.length + 1)} ${problem}`
    byPath[path] = byPath[path] ? `${byPath[path]}; ${shown}` : shown
  }
  return { byPath, others }
}

/** Every dotted path the form has an input (or a list block) for, given its model. */
export function formPaths(fields: readonly FieldDef[], model: FormObject, prefix = ''): Set<string> {
  const paths = new Set<string>()
  for (const field of fields) {
    const path = prefix === '' ? field.name : `${prefix}.${field.name}`
    paths.add(path)
    const value = model[field.name]
    if (field.type === 'obj' && isPlainObject(value)) {
      formPaths(field.fields ?? [], value as FormObject, path).forEach((sub) => paths.add(sub))
    } else if (field.type === 'list' && Array.isArray(value)) {
      value.forEach((item, index) => {
        paths.add(`${path}.${index}`)
        if (isPlainObject(item)) {
          formPaths(field.fields ?? [], item as FormObject, `${path}.${index}`).forEach((sub) => paths.add(sub))
        }
      })
    }
  }
  return paths
}

// ---------------------------------------------------------------- filters

export type FilterOp =
  | 'eq'
  | 'ne'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'in'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'before'
  | 'after'
  | 'exists'
  | 'empty'

export const OP_LABELS: Record<FilterOp, string> = {
  eq: 'is',
  ne: 'is not',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  in: 'is one of',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  before: 'before',
  after: 'after',
  exists: 'is set',
  empty: 'is empty',
}

/** A field the filter builder offers: a dotted path and its scalar type. */
export interface FilterField {
  path: string
  label: string
  type: FieldType
  values?: string[]
}

/** The scalar fields of a kind, obj fields by dotted path, plus the record times. */
export function filterFields(kind: KindDef): FilterField[] {
  const out: FilterField[] = []
  const walk = (fields: readonly FieldDef[], prefix: string, labelPrefix: string) => {
    for (const field of fields) {
      const path = prefix + field.name
      const label = labelPrefix + labelOf(field)
      if (field.type === 'obj') walk(field.fields ?? [], `${path}.`, `${label} › `)
      else if (field.type === 'list' && field.fields) walk(field.fields, `${path}.`, `${label} › `)
      else if (field.type === 'list' && field.item && isScalar(field.item)) out.push({ path, label, type: field.item })
      else if (isScalar(field.type)) out.push({ path, label, type: field.type, values: field.values })
    }
  }
  walk(kind.fields, '', '')
  out.push({ path: 'created_at', label: 'created', type: 'time' }, { path: 'updated_at', label: 'updated', type: 'time' })
  return out
}

/** The ops that make sense for a field type. */
export function opsFor(type: FieldType): FilterOp[] {
  switch (type) {
    case 'int':
    case 'num':
      return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'exists']
    case 'time':
      return ['after', 'before', 'exists']
    case 'bool':
      return ['eq', 'exists']
    case 'enum':
      return ['eq', 'ne', 'in', 'exists']
    default:
      return ['contains', 'eq', 'ne', 'starts_with', 'not_contains', 'in', 'exists', 'empty']
  }
}

/** Whether the op's value is a yes/no (exists, empty, or any op on a bool). */
export function takesBoolean(type: FieldType, op: FilterOp): boolean {
  return op === 'exists' || op === 'empty' || type === 'bool'
}

export interface FilterCondition {
  field: string
  op: FilterOp
  value: unknown
}

/**
 * The `{field, op, value}` the server expects from what the builder's inputs
 * hold; null (with a reason) when the text does not fit the type.
 */
export function filterCondition(
  field: FilterField,
  op: FilterOp,
  text: string,
): { condition: FilterCondition | null; problem?: string } {
  const trimmed = text.trim()
  let value: unknown = trimmed
  if (takesBoolean(field.type, op)) {
    if (trimmed !== 'true' && trimmed !== 'false') return { condition: null, problem: 'choose yes or no' }
    value = trimmed === 'true'
  } else if (trimmed === '') {
    return { condition: null, problem: 'enter a value' }
  } else if (op === 'in') {
    const items = trimmed.split(',').map((item) => item.trim()).filter((item) => item !== '')
    value = field.type === 'int' || field.type === 'num' ? items.map(Number) : items
  } else if (field.type === 'int' || field.type === 'num') {
    value = Number(trimmed)
    if (!Number.isFinite(value)) return { condition: null, problem: 'enter a number' }
  } else if (field.type === 'time') {
    const date = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(trimmed) ? trimmed : `${trimmed}Z`)
    if (Number.isNaN(date.getTime())) return { condition: null, problem: 'enter a date' }
    value = date.toISOString()
  }
  return { condition: { field: field.path, op, value } }
}

// ---------------------------------------------------------------- history

/** One RFC 6902 operation as the history lists it. */
export interface PatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'
  path: string
  value?: unknown
  from?: string
}

/** `/storage/0/size` → `storage.0.size` (with `~1` and `~0` unescaped). */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.')
}

/** The leaves of an object as `[path, value]` (lists and scalars are leaves). */
function leaves(value: unknown, prefix: string, out: [string, unknown][] = []): [string, unknown][] {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) leaves(inner, `${prefix}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, out)
  } else {
    out.push([prefix, value])
  }
  return out
}

/**
 * An object added or replaced whole (`os` on create) reads better field by
 * field: it becomes one add/replace/remove per leaf that differs.
 */
function expandObjects(changes: readonly PatchOp[], previous: unknown): PatchOp[] {
  return changes.flatMap((change): PatchOp[] => {
    if ((change.op !== 'add' && change.op !== 'replace') || !isPlainObject(change.value)) return [change]
    const old = previous === undefined ? undefined : valueAt(previous, pointerToPath(change.path))
    if (old !== undefined && !isPlainObject(old)) return [change]
    const before = new Map(old === undefined ? [] : leaves(old, change.path))
    const after = new Map(leaves(change.value, change.path))
    const out: PatchOp[] = []
    for (const [pointer, value] of after) {
      if (!before.has(pointer)) out.push({ op: 'add', path: pointer, value })
      else if (!deepEqual(before.get(pointer), value)) out.push({ op: 'replace', path: pointer, value })
    }
    for (const pointer of before.keys()) if (!after.has(pointer)) out.push({ op: 'remove', path: pointer })
    return out.length > 0 ? out : [change]
  })
}

/** A change as the history tab shows it. */
export interface ChangeLine {
  path: string
  kind: 'added' | 'removed' | 'changed'
  from: string
  to: string
  /** The whole line: `hostname: web-1 → web-2`, `cpu: 2`, `cpu: 2 → removed`. */
  text: string
}

function shortValue(value: unknown): string {
  if (value === undefined) return '—'
  if (value === null) return 'null'
  if (typeof value === 'string') return value === '' ? '""' : value
  return JSON.stringify(value)
}

/**
 * The readable lines of one history entry. `previous` is the record as it was
 * before the entry (the snapshot of the version before), when known: it gives
 * the old side of each change.
 */
export function describeChanges(changes: readonly PatchOp[], previous?: unknown): ChangeLine[] {
  return expandObjects(changes, previous).map((change) => {
    const path = pointerToPath(change.path)
    const old = previous === undefined ? undefined : valueAt(previous, path)
    const from = shortValue(old)
    if (change.op === 'remove') {
      const text = old === undefined ? `${path}: removed` : `${path}: ${from} → removed`
      return { path, kind: 'removed', from, to: '', text }
    }
    const to = shortValue(change.value)
    if (change.op === 'add' && old === undefined) {
      return { path, kind: 'added', from: '', to, text: `${path}: ${to}` }
    }
    return { path, kind: 'changed', from, to, text: `${path}: ${from} → ${to}` }
  })
}
