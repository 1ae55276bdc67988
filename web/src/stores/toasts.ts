// The toasts at the top right of every page (TheToasts.vue): notifications of
// the server and the end of jobs started in this tab. Each hides itself after
// six seconds, unless the pointer or the focus is on it; at most five show.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { RouteLocationRaw } from 'vue-router'
import type { NotifyLevel } from '../realtime/messages'

export const TOAST_TIMEOUT_MS = 6_000
export const MAX_TOASTS = 5

export interface Toast {
  id: number
  title: string
  message: string
  level: NotifyLevel
  /** Where "Open" goes (the schedule the notification is about, say). */
  to?: RouteLocationRaw
}

export const useToastsStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  let nextId = 1

  function arm(id: number): void {
    clearTimeout(timers.get(id))
    timers.set(
      id,
      setTimeout(() => dismiss(id), TOAST_TIMEOUT_MS),
    )
  }

  function push(toast: Omit<Toast, 'id'>): number {
    const id = nextId++
    toasts.value = [...toasts.value, { ...toast, id }]
    while (toasts.value.length > MAX_TOASTS) dismiss(toasts.value[0]!.id)
    arm(id)
    return id
  }

  function dismiss(id: number): void {
    clearTimeout(timers.get(id))
    timers.delete(id)
    toasts.value = toasts.value.filter((toast) => toast.id !== id)
  }

  /** Keeps a toast while it is hovered or focused. */
  function hold(id: number): void {
    clearTimeout(timers.get(id))
  }

  /** Lets it hide again, a full timeout later. */
  function release(id: number): void {
    if (toasts.value.some((toast) => toast.id === id)) arm(id)
  }

  function clear(): void {
    for (const toast of toasts.value) clearTimeout(timers.get(toast.id))
    timers.clear()
    toasts.value = []
  }

  return { toasts, push, dismiss, hold, release, clear }
})
