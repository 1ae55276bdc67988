// The graph create wizard's model: what the graph starts from (one kind, the
// records picked), the name (suggested from the picks until one is typed), the
// body sent, and where the server's 422 details go: `name` under the name,
// `from.<kind>.<n>` on the n-th picked record, `from…` under the picker.

import type { ErrorDetail } from '../api/client'
import { GRAPH_SOURCES, type GraphFrom, type GraphSource } from '../api/graphs'
import type { FieldDef } from '../records/fields'
import { SOURCE_LABELS } from './summary'

/** The picker's field: a relation to the records of `kind`, as RelationPicker edits one. */
export function sourceField(kind: GraphSource): FieldDef {
  const label = SOURCE_LABELS[kind].many
  return { name: kind, type: 'relation', label: label.charAt(0).toUpperCase() + label.slice(1), required: true, refs: [kind] }
}

export function isSource(value: unknown): value is GraphSource {
  return typeof value === 'string' && (GRAPH_SOURCES as readonly string[]).includes(value)
}

/** "Graph of shop", "Graph of shop and cart", "Graph of shop, cart and 2 more". */
export function suggestName(names: readonly string[]): string {
  if (names.length === 0) return ''
  if (names.length <= 2) return `Graph of ${names.join(' and ')}`
  return `Graph of ${names.slice(0, 2).join(', ')} and ${names.length - 2} more`
}

/** The create body: the name (or the suggestion) and the ids picked. */
export function graphBody(kind: GraphSource, ids: readonly string[], name: string, suggested: string): { name: string; from: GraphFrom } {
  return { name: name.trim() || suggested, from: { [kind]: [...ids] } }
}

export interface GraphFormProblems {
  name: string
  /** Picked item index → problem; null: the whole choice. */
  picks: Map<number | null, string>
  others: string[]
}

export function graphFormProblems(details: readonly ErrorDetail[]): GraphFormProblems {
  const problems: GraphFormProblems = { name: '', picks: new Map(), others: [] }
  for (const detail of details) {
    const problem = detail.problem ?? 'is not valid'
    const field = (detail.field ?? '').replace(/\[(\d+)\]/g, '.$1')
    const pick = /^from(?:\.(\w+)(?:\.(\d+))?)?/.exec(field)
    if (field === 'name') {
      problems.name = problems.name ? `${problems.name}; ${problem}` : problem
    } else if (pick) {
      const index = pick[2] === undefined ? null : Number(pick[2])
      const known = problems.picks.get(index)
      problems.picks.set(index, known ? `${known}; ${problem}` : problem)
    } else {
      problems.others.push(detail.field ? `${detail.field} ${problem}` : problem)
    }
  }
  return problems
}
