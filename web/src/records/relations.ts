// Relation fields in the forms: what a record links to (`[{id, name}]`, or for
// fields with edge attributes such as deps `[{app: {id, name}, via, endpoint}]`),
// the editable model of those links, and what an edit sends — each relation
// only when its links changed, as a list of ids or of `{app: id, via, endpoint}`.

import { isPlainObject, type FieldDef } from './fields'

/** One link of a relation as the form edits it. */
export interface RelationItem {
  id: string
  name: string
  /** The kind of the linked record, when known (a search hit's). */
  kind?: string
  /** Edge attributes (deps: via, endpoint), as text. */
  attrs: Record<string, string>
}

export type RelationModel = Record<string, RelationItem[]>

/** The links of one relation field of a record, as the server reads them. */
export function toRelationItems(field: FieldDef, value: unknown): RelationItem[] {
  if (!Array.isArray(value)) return []
  const attrs = field.attrs ?? []
  const items: RelationItem[] = []
  for (const raw of value) {
    if (!isPlainObject(raw)) continue
    const target = field.id_key ? raw[field.id_key] : raw
    const id = isPlainObject(target) ? target.id : target
    if (typeof id !== 'string') continue
    const name = isPlainObject(target) && typeof target.name === 'string' ? target.name : id
    items.push({
      id,
      name,
      attrs: Object.fromEntries(
        attrs.map((attr) => [attr.name, typeof raw[attr.name] === 'string' ? (raw[attr.name] as string) : '']),
      ),
    })
  }
  return items
}

/** The form model of every relation of a kind for a record (or a new one). */
export function toRelationModel(relations: readonly FieldDef[], record: Record<string, unknown> = {}): RelationModel {
  return Object.fromEntries(relations.map((field) => [field.name, toRelationItems(field, record[field.name])]))
}

/** What the server is sent for one relation: ids, or `{<id_key>: id, attr: value}` (empty attrs left out). */
export function relationValue(field: FieldDef, items: readonly RelationItem[]): unknown[] {
  if (!field.id_key) return items.map((item) => item.id)
  const key = field.id_key
  return items.map((item) => {
    const out: Record<string, unknown> = { [key]: item.id }
    for (const attr of field.attrs ?? []) {
      const text = (item.attrs[attr.name] ?? '').trim()
      if (text !== '') out[attr.name] = text
    }
    return out
  })
}

/**
 * The relation fields to send: those whose links (or, with attributes, the
 * attribute values) differ between `before` and `after`. Order does not matter.
 */
export function relationChanges(
  relations: readonly FieldDef[],
  before: RelationModel,
  after: RelationModel,
): Record<string, unknown[]> {
  const changes: Record<string, unknown[]> = {}
  for (const field of relations) {
    const old = relationValue(field, before[field.name] ?? [])
    const next = relationValue(field, after[field.name] ?? [])
    const canon = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort()
    const a = canon(old)
    const b = canon(next)
    if (a.length !== b.length || a.some((text, index) => text !== b[index])) changes[field.name] = next
  }
  return changes
}

/** The relation a server problem path (`servers.1`, `deps.0.via`) is about, and the item index. */
export function relationProblem(
  relations: readonly FieldDef[],
  path: string,
): { field: string; index: number | null } | null {
  const [head, index] = path.split('.')
  if (!relations.some((field) => field.name === head) || head === undefined) return null
  return { field: head, index: index !== undefined && /^\d+$/.test(index) ? Number(index) : null }
}
