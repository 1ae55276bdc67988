// A page of a list the server pages (`{items, total, page, limit}`), loaded
// when the component mounts: the items shown, loading and its error, the
// number of pages, and `load(page)` — whose answers may arrive in any order,
// but only the last one asked for is shown. With `reloadOn`, the list is
// loaded again after that realtime event (a burst of them: once) and after the
// socket was down. `useConfirmedDelete` is the "Delete …?" dialog's state;
// `useRowActions` runs the actions of a list's rows with the notice above it.

import { computed, onMounted, reactive, ref, type Ref } from 'vue'
import type { Page } from '../api/teams'
import type { ListNotice } from '../components/ListPanel.vue'
import { errorMessage } from './useFormSubmit'
import { debounced, useRealtime } from './useRealtime'

export interface PagedListOptions {
  pageSize?: number
  /** The event that says the list changed (`graphs-update`). */
  reloadOn?: string
}

export function usePagedList<T>(
  fetchPage: (params: { page: number; limit: number }) => Promise<Page<T>>,
  { pageSize = 20, reloadOn }: PagedListOptions = {},
) {
  const items = ref<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const loading = ref(true)
  const loadError = ref('')
  const pages = computed(() => Math.max(1, Math.ceil(total.value / pageSize)))

  let sequence = 0
  async function load(to = page.value): Promise<void> {
    const mine = ++sequence
    loading.value = true
    try {
      const answer = await fetchPage({ page: to, limit: pageSize })
      if (mine !== sequence) return
      items.value = answer.items
      total.value = answer.total
      page.value = answer.page
      loadError.value = ''
    } catch (caught) {
      if (mine === sequence) loadError.value = errorMessage(caught)
    } finally {
      if (mine === sequence) loading.value = false
    }
  }

  /** Loads the page again after an item was removed: the one before when it was the last of its page. */
  function reloadAfterRemoval(): Promise<void> {
    return load(items.value.length === 1 && page.value > 1 ? page.value - 1 : page.value)
  }

  onMounted(() => void load(1))
  if (reloadOn) {
    const { onEvent, on } = useRealtime()
    const reload = debounced(() => void load())
    onEvent(reloadOn, reload)
    on('connected', (message) => {
      if (message.reconnected) reload()
    })
  }

  return reactive({ items, total, page, pages, loading, loadError, load, reloadAfterRemoval })
}

/** What a list panel shows of a paged list. */
export type PagedList = Pick<ReturnType<typeof usePagedList<unknown>>, 'total' | 'page' | 'pages' | 'loading' | 'loadError' | 'load'> & {
  items: readonly unknown[]
}

/**
 * The state of a delete confirmation, as one reactive object for the dialog:
 * the item asked about (`target`, null: closed), `busy` while `remove` runs,
 * its `error`. `confirm` resolves to the item once it is deleted (the dialog
 * closes), or null when it failed (the error shows).
 */
export function useConfirmedDelete<T>(remove: (item: T) => Promise<void>) {
  const target = ref<T | null>(null) as Ref<T | null>
  const busy = ref(false)
  const error = ref('')

  function ask(item: T): void {
    error.value = ''
    target.value = item
  }

  async function confirm(): Promise<T | null> {
    const item = target.value
    if (item === null) return null
    busy.value = true
    error.value = ''
    try {
      await remove(item)
      target.value = null
      return item
    } catch (caught) {
      error.value = errorMessage(caught)
      return null
    } finally {
      busy.value = false
    }
  }

  return reactive({ target, busy, error, ask, confirm })
}

/**
 * The actions on the rows of a paged list (`{id, name}` items): the notice
 * above the list, the row whose action runs, `act` to run one, and the delete
 * dialog (`deletion`, whose `confirmDelete` says "Deleted “…”." and loads the
 * page again).
 */
export function useRowActions<T extends { id: string; name: string }>(
  list: { load: () => Promise<void>; reloadAfterRemoval: () => Promise<void> },
  remove: (item: T) => Promise<void>,
) {
  const notice = ref<ListNotice | null>(null)
  const busyRow = ref<string | null>(null)

  /**
   * Runs `action` on `item` (its row busy meanwhile), then shows `success` of
   * its answer and loads the list again (unless `reload` is false), or shows
   * "<failure>: <the server's reason>".
   */
  async function act<R>(
    item: T,
    action: () => Promise<R>,
    messages: { success: (answer: R) => string; failure: string },
    reload = true,
  ): Promise<void> {
    busyRow.value = item.id
    notice.value = null
    try {
      const answer = await action()
      notice.value = { kind: 'success', text: messages.success(answer) }
      if (reload) await list.load()
    } catch (caught) {
      notice.value = { kind: 'danger', text: `${messages.failure}: ${errorMessage(caught)}` }
    } finally {
      busyRow.value = null
    }
  }

  const deletion = useConfirmedDelete(remove)
  async function confirmDelete(): Promise<void> {
    const deleted = await deletion.confirm()
    if (!deleted) return
    notice.value = { kind: 'success', text: `Deleted “${deleted.name}”.` }
    await list.reloadAfterRemoval()
  }

  return { notice, busyRow, act, deletion, confirmDelete }
}
