// The groups of a kind (GET /api/kinds, `groups`): named sets of fields, own
// and relation fields alike, that the record page shows as tabs after
// "Details" and the form as sections. A group with `when` applies only to
// records whose `when.field` holds one of `when.values` (an application's
// Database group, for family Database). Fields in no group stay on "Details".
// Pure functions only, so they are unit-tested without a browser.

import { emptyValue, isPlainObject, type FieldDef, type FormObject } from './fields'

/** A group as the server describes it. */
export interface GroupWhen {
  field: string
  values: string[]
}

export interface GroupDef {
  label: string
  /** Field names: the kind's own fields and relation fields. */
  fields: string[]
  when?: GroupWhen
}

/** A group resolved against the kind's field definitions. */
export interface FieldGroup {
  /** The tab name in URLs (`?tab=entry-points`) and test ids. */
  key: string
  label: string
  /** Its own fields (edited by the inputs), in the group's order. */
  fields: FieldDef[]
  /** Its relation fields (edited by the pickers), in the group's order. */
  relations: FieldDef[]
  when?: GroupWhen
}

/** The fields in no group: the "Details" tab, the form's first section. */
export interface FieldSplit {
  details: { fields: FieldDef[]; relations: FieldDef[] }
  groups: FieldGroup[]
}

/** Tab names the record page uses for itself; a group never takes one. */
export const RESERVED_TABS: readonly string[] = ['details', 'history', 'access']

/** The URL name of a group: `Entry points` → `entry-points`. */
export function groupKey(label: string): string {
  const key = label
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return key === '' ? 'group' : key
}

/**
 * Splits a kind's own and relation fields into its groups and the rest.
 * Names the kind does not know are skipped, a field named by two groups
 * belongs to the first, a group left with no field is dropped, and keys are
 * made unique (and never one of RESERVED_TABS).
 */
export function splitFields(
  fields: readonly FieldDef[],
  relations: readonly FieldDef[] = [],
  groups: readonly GroupDef[] = [],
): FieldSplit {
  const own = new Map(fields.map((field) => [field.name, field]))
  const linked = new Map(relations.map((field) => [field.name, field]))
  const taken = new Set<string>()
  const keys = new Set<string>(RESERVED_TABS)
  const resolved: FieldGroup[] = []
  for (const group of groups) {
    const groupFields: FieldDef[] = []
    const groupRelations: FieldDef[] = []
    for (const name of group.fields ?? []) {
      if (taken.has(name)) continue
      const field = own.get(name)
      const relation = linked.get(name)
      if (field) groupFields.push(field)
      else if (relation) groupRelations.push(relation)
      else continue
      taken.add(name)
    }
    if (groupFields.length === 0 && groupRelations.length === 0) continue
    const base = groupKey(group.label)
    let key = RESERVED_TABS.includes(base) ? `${base}-group` : base
    for (let n = 2; keys.has(key); n += 1) key = `${base}-${n}`
    keys.add(key)
    resolved.push({
      key,
      label: group.label,
      fields: groupFields,
      relations: groupRelations,
      ...(group.when ? { when: group.when } : {}),
    })
  }
  return {
    details: {
      fields: fields.filter((field) => !taken.has(field.name)),
      relations: relations.filter((field) => !taken.has(field.name)),
    },
    groups: resolved,
  }
}

/**
 * Whether a group applies to a record (or a form model): always without
 * `when`; otherwise when the record's `when.field` is one of `when.values`
 * (for a list value, when any item is).
 */
export function groupApplies(group: { when?: GroupWhen }, record: Record<string, unknown> | null | undefined): boolean {
  const when = group.when
  if (!when) return true
  const value = record?.[when.field]
  const values = Array.isArray(value) ? value : [value]
  return values.some((item) => typeof item === 'string' && when.values.includes(item))
}

/** The groups that apply to `record`, in order. */
export function visibleGroups(groups: readonly FieldGroup[], record: Record<string, unknown> | null | undefined): FieldGroup[] {
  return groups.filter((group) => groupApplies(group, record))
}

/** The own fields of the groups that do not apply to `record`: the form does not show them. */
export function hiddenFields(groups: readonly FieldGroup[], record: Record<string, unknown> | null | undefined): FieldDef[] {
  return groups.filter((group) => !groupApplies(group, record)).flatMap((group) => group.fields)
}

/** The relation fields of the groups that do not apply to `record`. */
export function hiddenRelations(groups: readonly FieldGroup[], record: Record<string, unknown> | null | undefined): FieldDef[] {
  return groups.filter((group) => !groupApplies(group, record)).flatMap((group) => group.relations)
}

/**
 * The form model to save: the fields of hidden groups are not edited, so they
 * keep what was read (`before`, the form model of the stored record) — or,
 * for a new record, stay empty. A Database section filled and then hidden by
 * another family is thus not sent, and an edit never clears what it hides.
 */
export function withHiddenKept(model: FormObject, hidden: readonly FieldDef[], before?: FormObject): FormObject {
  if (hidden.length === 0) return model
  const out: FormObject = { ...model }
  for (const field of hidden) {
    const kept = before?.[field.name]
    out[field.name] = kept !== undefined ? kept : emptyValue(field)
  }
  return out
}

/**
 * The tab a `?tab=` value names: a visible group's key or "history";
 * anything else (absent, unknown, a group hidden for this record) is "details".
 */
export function resolveTab(wanted: unknown, groups: readonly FieldGroup[], record: Record<string, unknown> | null | undefined): string {
  if (typeof wanted !== 'string') return 'details'
  if (wanted === 'history') return 'history'
  return visibleGroups(groups, record).some((group) => group.key === wanted) ? wanted : 'details'
}

/** The links of a relation value: `{id, name}` items, or `{<id_key>: {id, name}, …attrs}` ones. */
export function relationLinks(field: FieldDef, value: unknown): { id: string; name: string; kind?: string; attrs: string[] }[] {
  if (!Array.isArray(value)) return []
  const links: { id: string; name: string; kind?: string; attrs: string[] }[] = []
  for (const item of value) {
    if (!isPlainObject(item)) continue
    const target = field.id_key ? item[field.id_key] : (item.app ?? item)
    const id = isPlainObject(target) ? target.id : target
    if (typeof id !== 'string' || id === '') continue
    const name = isPlainObject(target) && typeof target.name === 'string' && target.name !== '' ? target.name : id
    // The kind at the other end: the item's own, else the field's only one.
    const own = isPlainObject(target) && typeof target.kind === 'string' ? target.kind : undefined
    const kind = own ?? (field.refs?.length === 1 ? field.refs[0] : undefined)
    const attrs = (field.attrs ?? [])
      .map((attr) => item[attr.name])
      .filter((text): text is string => typeof text === 'string' && text !== '')
    links.push({ id, name, ...(kind ? { kind } : {}), attrs })
  }
  return links
}
