// Bulk actions of the generic list: which rows of the page are selected, the
// header's "select all on this page" box, one request per record run a few at
// a time (the API has no bulk endpoint), and the summary of what was done and
// what was not, with the server's reason for each record left over.
// Pure functions and one small pool, so they are unit-tested without a browser.

/** How the header box shows the page: nothing, some or every selectable row selected. */
export type PageSelection = 'none' | 'some' | 'all'

export function selectionState(selectable: readonly string[], selected: ReadonlySet<string>): PageSelection {
  const count = selectable.filter((id) => selected.has(id)).length
  if (count === 0) return 'none'
  return count === selectable.length ? 'all' : 'some'
}

/** The selection after a click on the header box: the whole page unless it all was, then none of it. */
export function toggleAll(selectable: readonly string[], selected: ReadonlySet<string>): Set<string> {
  const next = new Set(selected)
  const all = selectionState(selectable, selected) === 'all'
  for (const id of selectable) {
    if (all) next.delete(id)
    else next.add(id)
  }
  return next
}

/** The selection after a click on one row's box. */
export function toggleOne(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected)
  if (next.has(id)) next.delete(id)
  else next.add(id)
  return next
}

/** Only the selected ids still shown (after a reload, another page or another filter). */
export function keepShown(selected: ReadonlySet<string>, shown: readonly string[]): Set<string> {
  return new Set(shown.filter((id) => selected.has(id)))
}

/** How one item of a bulk action went: done, or refused with what the action threw. */
export type Outcome<T> = { item: T; ok: true } | { item: T; ok: false; error: unknown }

/**
 * Runs `action` on every item, at most `limit` at once, and resolves (never
 * rejects) when all have ended, with the outcomes in the order of `items`.
 */
export async function runAll<T>(
  items: readonly T[],
  limit: number,
  action: (item: T) => Promise<unknown>,
): Promise<Outcome<T>[]> {
  const outcomes: Outcome<T>[] = new Array(items.length)
  let next = 0
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++
      const item = items[index] as T
      try {
        await action(item)
        outcomes[index] = { item, ok: true }
      } catch (error) {
        outcomes[index] = { item, ok: false, error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return outcomes
}

/** A record as a bulk action names it. */
export interface NamedRecord {
  id: string
  name: string
}

export interface BulkSummary {
  done: number
  /** The records left as they were, each with the reason. */
  failed: (NamedRecord & { reason: string })[]
  /** One sentence for the whole run ("Deleted 2 of 3 records; 1 could not be deleted."). */
  message: string
}

function records(count: number): string {
  return `${count} record${count === 1 ? '' : 's'}`
}

/** What a bulk delete did; `reasonOf` words an error (the server's message, say). */
export function deleteSummary(
  outcomes: readonly Outcome<NamedRecord>[],
  reasonOf: (error: unknown) => string,
): BulkSummary {
  const failed = outcomes.flatMap((outcome) =>
    outcome.ok ? [] : [{ id: outcome.item.id, name: outcome.item.name, reason: reasonOf(outcome.error) }],
  )
  const done = outcomes.length - failed.length
  let message: string
  if (failed.length === 0) message = `Deleted ${records(done)}.`
  else if (done > 0) message = `Deleted ${done} of ${records(outcomes.length)}; ${failed.length} could not be deleted.`
  else if (failed.length === 1) message = 'The record could not be deleted.'
  else message = `None of the ${records(failed.length)} could be deleted.`
  return { done, failed, message }
}
