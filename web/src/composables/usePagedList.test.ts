// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { ApiError } from '../api/client'
import type { Page } from '../api/teams'
import { useRealtimeStore } from '../stores/realtime'
import { useConfirmedDelete, usePagedList, useRowActions } from './usePagedList'

type Fetch = (params: { page: number; limit: number }) => Promise<Page<string>>

/** Mounts a component using the list; answers the list and the component. */
function mountList(fetchPage: Fetch, reloadOn?: string) {
  let list!: ReturnType<typeof usePagedList<string>>
  const wrapper = mount(
    defineComponent({
      setup() {
        list = usePagedList(fetchPage, { pageSize: 2, reloadOn })
        return () => h('ul', list.items.map((item) => h('li', item)))
      },
    }),
  )
  return { list, wrapper }
}

function page(items: string[], at: number, total: number): Page<string> {
  return { items, total, page: at, limit: 2 }
}

describe('usePagedList', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('loads the first page on mount and counts the pages', async () => {
    const fetchPage = vi.fn<Fetch>(async () => page(['a', 'b'], 1, 5))
    const { list, wrapper } = mountList(fetchPage)
    expect(list.loading).toBe(true)
    await flushPromises()
    expect(fetchPage).toHaveBeenCalledWith({ page: 1, limit: 2 })
    expect(list).toMatchObject({ items: ['a', 'b'], total: 5, page: 1, pages: 3, loading: false, loadError: '' })
    expect(wrapper.text()).toBe('ab')
  })

  it('shows only the answer to the last request, whatever order they come in', async () => {
    const resolvers: ((value: Page<string>) => void)[] = []
    const fetchPage = vi.fn<Fetch>(() => new Promise((resolve) => resolvers.push(resolve)))
    const { list } = mountList(fetchPage)
    await flushPromises()
    void list.load(2)
    resolvers[1]!(page(['c', 'd'], 2, 4))
    resolvers[0]!(page(['a', 'b'], 1, 4))
    await flushPromises()
    expect(list.items).toEqual(['c', 'd'])
    expect(list.page).toBe(2)
    expect(list.loading).toBe(false)
  })

  it('keeps what it showed and says why when a load fails', async () => {
    const fetchPage = vi
      .fn<Fetch>()
      .mockResolvedValueOnce(page(['a'], 1, 1))
      .mockRejectedValueOnce(new ApiError('Graphs are disabled on this server.', 503, 'unavailable'))
    const { list } = mountList(fetchPage)
    await flushPromises()
    await list.load()
    expect(list.items).toEqual(['a'])
    expect(list.loadError).toBe('Graphs are disabled on this server.')
  })

  it('after removing the last item of a page, loads the page before', async () => {
    const fetchPage = vi.fn<Fetch>(async ({ page: at }) => (at === 3 ? page(['e'], 3, 5) : page(['c', 'd'], at, 4)))
    const { list } = mountList(fetchPage)
    await flushPromises()
    await list.load(3)
    await list.reloadAfterRemoval()
    expect(fetchPage).toHaveBeenLastCalledWith({ page: 2, limit: 2 })
    expect(list.page).toBe(2)
  })

  it('reloads after its event and after the socket came back, not after others', async () => {
    vi.useFakeTimers()
    try {
      const fetchPage = vi.fn<Fetch>(async () => page([], 1, 0))
      mountList(fetchPage, 'graphs-update')
      await flushPromises()
      const realtime = useRealtimeStore()
      realtime.dispatch({ type: 'event', name: 'reports-update', id: 'r', at: '' })
      realtime.dispatch({ type: 'connected', reconnected: false })
      await vi.advanceTimersByTimeAsync(500)
      expect(fetchPage).toHaveBeenCalledTimes(1)
      realtime.dispatch({ type: 'event', name: 'graphs-update', id: 'g', at: '' })
      realtime.dispatch({ type: 'event', name: 'graphs-update', id: 'g', at: '' })
      await vi.advanceTimersByTimeAsync(500)
      expect(fetchPage).toHaveBeenCalledTimes(2)
      realtime.dispatch({ type: 'connected', reconnected: true })
      await vi.advanceTimersByTimeAsync(500)
      expect(fetchPage).toHaveBeenCalledTimes(3)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('useConfirmedDelete', () => {
  it('deletes the item asked about and closes', async () => {
    const remove = vi.fn(async () => undefined)
    const deletion = useConfirmedDelete(remove)
    deletion.ask('g1')
    expect(deletion.target).toBe('g1')
    expect(await deletion.confirm()).toBe('g1')
    expect(remove).toHaveBeenCalledWith('g1')
    expect(deletion.target).toBeNull()
    expect(deletion.busy).toBe(false)
  })

  it('stays open with the error when the delete fails', async () => {
    const deletion = useConfirmedDelete(async () => {
      throw new ApiError('You need admin rights.', 403, 'forbidden')
    })
    deletion.ask('g1')
    expect(await deletion.confirm()).toBeNull()
    expect(deletion.target).toBe('g1')
    expect(deletion.error).toBe('You need admin rights.')
    deletion.ask('g2')
    expect(deletion.error).toBe('')
  })

  it('does nothing when nothing was asked', async () => {
    const remove = vi.fn(async () => undefined)
    expect(await useConfirmedDelete(remove).confirm()).toBeNull()
    expect(remove).not.toHaveBeenCalled()
  })
})

describe('useRowActions', () => {
  function actions() {
    const list = { load: vi.fn(async () => undefined), reloadAfterRemoval: vi.fn(async () => undefined) }
    const remove = vi.fn(async () => undefined)
    return { list, remove, ...useRowActions(list, remove) }
  }
  const ITEM = { id: 'g1', name: 'Shop map' }

  it('runs an action with its row busy, then says how it went and reloads the list', async () => {
    const { list, notice, busyRow, act } = actions()
    let busyDuring: string | null = null
    await act(ITEM, async () => ((busyDuring = busyRow.value), 3), { success: (n) => `${n} queued`, failure: 'Could not' })
    expect(busyDuring).toBe('g1')
    expect(busyRow.value).toBeNull()
    expect(notice.value).toEqual({ kind: 'success', text: '3 queued' })
    expect(list.load).toHaveBeenCalledOnce()
  })

  it('says why an action failed, and leaves the list alone when asked', async () => {
    const { list, notice, act } = actions()
    await act(
      ITEM,
      async () => {
        throw new ApiError('Graphs are disabled on this server.', 503, 'unavailable')
      },
      { success: () => 'done', failure: 'Could not rebuild “Shop map”' },
      false,
    )
    expect(notice.value).toEqual({ kind: 'danger', text: 'Could not rebuild “Shop map”: Graphs are disabled on this server.' })
    expect(list.load).not.toHaveBeenCalled()
  })

  it('a confirmed delete says so and loads the page again', async () => {
    const { list, remove, notice, deletion, confirmDelete } = actions()
    deletion.ask(ITEM)
    await confirmDelete()
    expect(remove).toHaveBeenCalledWith(ITEM)
    expect(notice.value).toEqual({ kind: 'success', text: 'Deleted “Shop map”.' })
    expect(list.reloadAfterRemoval).toHaveBeenCalledOnce()
  })
})
