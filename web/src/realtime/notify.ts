// A server notification as a toast: its level and texts, and a link to what
// it is about when the UI has a page for it.

import type { RouteLocationRaw } from 'vue-router'
import type { Toast } from '../stores/toasts'
import type { NotifyLevel, NotifyMessage } from './messages'

const LEVELS: ReadonlySet<string> = new Set(['info', 'success', 'warning', 'danger'])

/** The page of the record a notification names, if the UI has one. */
export function refTarget(ref: NotifyMessage['ref']): RouteLocationRaw | undefined {
  if (!ref?.id) return undefined
  if (ref.kind === 'schedules') return { name: 'schedule', params: { id: ref.id } }
  if (ref.kind === 'jobs') return { name: 'jobs' }
  return undefined
}

export function notifyToast(message: NotifyMessage): Omit<Toast, 'id'> {
  return {
    title: message.title || 'Notification',
    message: message.message ?? '',
    level: (LEVELS.has(message.level) ? message.level : 'info') as NotifyLevel,
    to: refTarget(message.ref),
  }
}
