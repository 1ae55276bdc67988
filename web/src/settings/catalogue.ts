// The two catalogues among the global options (API.md, "Options"):
// `service_catalogue`, well-known software as `services` documents
// {name, family?, tags?}, and `flavor_catalogue`, public instance sizes as
// `flavors` documents {name, provider?, vcpus?, memory?, disk?, api_name?, public?}.
// Each is a list of a few hundred items, replaced whole by a PATCH that the
// server refuses (422) when an item is invalid or a name is repeated, its
// details naming `<key>.<index>.<field>`.
//
// The fields themselves (name, label, type) come from the kinds registry
// (GET /api/kinds, `services` and `flavors`); CATALOGUES holds only what the
// registry does not know: which kind each catalogue holds, its title, which
// fields are columns and in which order, and which ones the filter looks in.
//
// Pure functions for the settings page: the columns of a catalogue from its
// kind, which items a filter keeps, the page of them shown, the text of a
// cell, the edit form of an item and back, and the server's details mapped
// onto the rows they name.

import type { ErrorDetail } from '../api/client'
import { labelOf, type FieldDef, type FieldType } from '../records/fields'

export type CatalogueKey = 'service_catalogue' | 'flavor_catalogue'

export const CATALOGUE_KEYS: readonly CatalogueKey[] = ['service_catalogue', 'flavor_catalogue']

export function isCatalogueKey(key: string): key is CatalogueKey {
  return (CATALOGUE_KEYS as readonly string[]).includes(key)
}

/** One item of a catalogue: a document of the catalogue's kind, always with a name. */
export type CatalogueItem = Record<string, unknown>

/** How a field is shown and edited: text, a list of words, a whole number, a number or yes/no. */
export type CatalogueFieldType = 'text' | 'list' | 'integer' | 'number' | 'boolean'

export interface CatalogueField {
  name: string
  label: string
  type: CatalogueFieldType
}

/** What the settings page knows of a catalogue beyond its kind's fields. */
export interface CatalogueLayout {
  key: CatalogueKey
  /** The record kind of its items in the registry (GET /api/kinds). */
  kind: string
  title: string
  /** One item, in a sentence ("service"). */
  noun: string
  /** The fields shown as columns, in order; they are also the fields of the edit form. */
  columns: readonly string[]
  /** The fields the filter box looks in. */
  searchFields: readonly string[]
}

/** A catalogue with its columns described: a layout completed by the registry. */
export interface CatalogueSpec extends Omit<CatalogueLayout, 'columns'> {
  /** The columns of the table, which are also the fields of the edit form. */
  fields: readonly CatalogueField[]
}

export const CATALOGUES: Record<CatalogueKey, CatalogueLayout> = {
  service_catalogue: {
    key: 'service_catalogue',
    kind: 'services',
    title: 'Services catalogue',
    noun: 'service',
    columns: ['name', 'family', 'tags'],
    searchFields: ['name', 'family'],
  },
  flavor_catalogue: {
    key: 'flavor_catalogue',
    kind: 'flavors',
    title: 'Flavor catalogue',
    noun: 'flavor',
    columns: ['name', 'provider', 'vcpus', 'memory', 'disk', 'api_name', 'public'],
    searchFields: ['name', 'provider', 'api_name'],
  },
}

/** How the editor shows a field of the registry's type; anything not listed is text. */
const COLUMN_TYPES: Partial<Record<FieldType, CatalogueFieldType>> = {
  list: 'list',
  int: 'integer',
  num: 'number',
  bool: 'boolean',
}

/**
 * The catalogue `key` with its columns taken from the fields of its kind (the
 * registry's `services` or `flavors`): the registry's label when it has one of
 * its own ("vCPUs"), else the field's name for people ("Name"). A column the
 * kind does not have is left out.
 */
export function catalogueSpec(key: CatalogueKey, kind: { fields: readonly FieldDef[] }): CatalogueSpec {
  const { columns, ...layout } = CATALOGUES[key]
  const fields = columns.flatMap((name): CatalogueField[] => {
    const field = kind.fields.find((each) => each.name === name)
    if (!field) return []
    const label = field.label && field.label !== field.name ? field.label : labelOf(field)
    return [{ name, label, type: COLUMN_TYPES[field.type] ?? 'text' }]
  })
  return { ...layout, fields }
}

function isItem(value: unknown): value is CatalogueItem {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The items of a catalogue's value; anything but a list of objects gives none. */
export function itemsOf(value: unknown): CatalogueItem[] {
  return Array.isArray(value) ? value.filter(isItem) : []
}

// ---------------------------------------------------------------- filter and pages

function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(words)
  if (typeof value === 'string' || typeof value === 'number') return [String(value).toLowerCase()]
  return []
}

/**
 * Whether `item` matches the filter text: every word of it (case-insensitive)
 * appears within one of the catalogue's search fields. An empty filter keeps all.
 */
export function matches(spec: CatalogueSpec, item: CatalogueItem, filter: string): boolean {
  const terms = filter.toLowerCase().split(/\s+/).filter((term) => term !== '')
  if (terms.length === 0) return true
  const values = spec.searchFields.flatMap((field) => words(item[field]))
  return terms.every((term) => values.some((value) => value.includes(term)))
}

/** One page of a list, with where it lies in it (`first` and `last` count from 1; 0 when empty). */
export interface Page<T> {
  items: T[]
  page: number
  pages: number
  first: number
  last: number
  total: number
}

/** Page `page` (from 1, clamped to the pages there are) of `size` items of `list`. */
export function pageOf<T>(list: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(list.length / size))
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages)
  const start = (current - 1) * size
  const items = list.slice(start, start + size)
  return {
    items,
    page: current,
    pages,
    first: items.length > 0 ? start + 1 : 0,
    last: start + items.length,
    total: list.length,
  }
}

/** The page (from 1) on which `position` appears among `positions`, or null when it is not there. */
export function pageContaining(positions: readonly number[], position: number, size: number): number | null {
  const at = positions.indexOf(position)
  return at < 0 ? null : Math.floor(at / size) + 1
}

/** "Showing 1–25 of 520", or with a filter "Showing 1–3 of 3 matching “pg” (520 in all)". */
export function rangeNote(page: Page<unknown>, all: number, filter: string): string {
  const shown = page.total === 0 ? 'Showing 0' : `Showing ${page.first}–${page.last}`
  const text = filter.trim()
  if (text === '') return `${shown} of ${page.total}`
  return `${shown} of ${page.total} matching “${text}” (${all} in all)`
}

// ---------------------------------------------------------------- cells and the edit form

/** A cell of the table as text: lists joined with commas, yes/no, '' when unset. */
export function cellText(field: CatalogueField, item: CatalogueItem): string {
  const value = item[field.name]
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map(String).join(', ')
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The edit form of one item: text per field (lists as "a, b"), a box per yes/no field. */
export type CatalogueDraft = Record<string, string | boolean>

export function toDraft(spec: CatalogueSpec, item: CatalogueItem): CatalogueDraft {
  const draft: CatalogueDraft = {}
  for (const field of spec.fields) {
    draft[field.name] = field.type === 'boolean' ? item[field.name] === true : cellText(field, item)
  }
  return draft
}

export type DraftResult = { ok: true; item: CatalogueItem } | { ok: false; problems: Record<string, string> }

/** The value of one field of the form, or the problem with it (`undefined` leaves the field unset). */
function parseField(field: CatalogueField, input: string | boolean): { value: unknown } | { problem: string } {
  if (field.type === 'boolean') return { value: input === true }
  const text = String(input).trim()
  if (text === '') return field.name === 'name' ? { problem: 'is required' } : { value: undefined }
  switch (field.type) {
    case 'list':
      return { value: text.split(',').map((part) => part.trim()).filter((part) => part !== '') }
    case 'integer':
    case 'number': {
      const number = Number(text)
      if (!Number.isFinite(number)) return { problem: 'must be a number' }
      if (field.type === 'integer' && !Number.isInteger(number)) return { problem: 'must be a whole number' }
      if (number < 0) return { problem: 'must not be negative' }
      return { value: number }
    }
    default:
      return { value: text }
  }
}

/**
 * The item the form describes, built on `original` so that fields the form
 * does not show (a flavor's datacenter, say) are kept, and a field the form
 * left as it was keeps its stored value exactly. Or the problems, by field.
 */
export function fromDraft(spec: CatalogueSpec, draft: CatalogueDraft, original: CatalogueItem = {}): DraftResult {
  const before = toDraft(spec, original)
  const item: CatalogueItem = { ...original }
  const problems: Record<string, string> = {}
  for (const field of spec.fields) {
    const input = draft[field.name] ?? (field.type === 'boolean' ? false : '')
    if (field.name in original && input === before[field.name]) continue
    const parsed = parseField(field, input)
    if ('problem' in parsed) {
      problems[field.name] = parsed.problem
      continue
    }
    // An unset yes/no field stays unset until someone ticks it.
    const unset =
      parsed.value === undefined ||
      (field.type === 'boolean' && parsed.value === false && !(field.name in original))
    if (unset) delete item[field.name]
    else item[field.name] = parsed.value
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, item }
}

// ---------------------------------------------------------------- the server's problems

/** One problem the server found with an item; `field` is the item's field it is about, if any. */
export interface RowProblem {
  field: string | null
  /** The sentence to show, naming the field (or the part of it) when there is one: "name is already in the catalogue". */
  text: string
}

export interface CatalogueProblems {
  /** Position of the item in the list that was sent → its problems, in the server's order. */
  rows: Map<number, RowProblem[]>
  /** Problems with no item named (the list as a whole), as sentences. */
  other: string[]
}

/**
 * Maps the details of a refused PATCH of catalogue `key` onto the items they
 * name: `<key>.<index>.<field>` (the field may go deeper, `family.2`) or
 * `<key>.<index>` for the item as a whole. Any other detail is kept in `other`.
 */
export function problemsOf(key: string, details: readonly ErrorDetail[]): CatalogueProblems {
  const rows = new Map<number, RowProblem[]>()
  const other: string[] = []
  const prefix = `${key}.`
  for (const detail of details) {
    const problem = detail.problem ?? 'is not valid'
    const where = typeof detail.field === 'string' ? detail.field : ''
    const match = where.startsWith(prefix) ? /^(\d+)(?:\.(.+))?$/.exec(where.slice(prefix.length)) : null
    if (!match) {
      other.push(where ? `${where} ${problem}` : problem)
      continue
    }
    const index = Number(match[1])
    const path = match[2] ?? null
    const found: RowProblem = {
      field: path === null ? null : (path.split('.')[0] ?? null),
      text: path === null ? problem : `${path} ${problem}`,
    }
    const list = rows.get(index)
    if (list) list.push(found)
    else rows.set(index, [found])
  }
  return { rows, other }
}
