// Where each record kind lives in the UI. Inventory sections of sections.ts
// name their kind; the Resources section holds five kinds under
// /inventory/resources/<kind>. Every kind has exactly one home (its list,
// `new`, `:id`, `:id/edit`); filtered lists such as Databases link there.

import type { IconName } from '../components/icons'
import { SECTIONS } from '../sections'

/** One generic record list: a kind at a path, maybe with fixed conditions. */
export interface EntityView {
  path: string
  kind: string
  title: string
  icon: IconName
  group: string
  fixed?: Record<string, string>
  listOnly?: boolean
}

export const RESOURCES_PATH = '/inventory/resources'
/** The import page (JSON files of the original Maestro), linked from Resources and the dashboard. */
export const IMPORT_PATH = '/inventory/import'

export const RESOURCE_KINDS: readonly { kind: string; title: string; purpose: string }[] = [
  { kind: 'volumes', title: 'Volumes', purpose: 'Block storage volumes and what they are attached to.' },
  { kind: 'snapshots', title: 'Snapshots', purpose: 'Point-in-time copies of volumes.' },
  { kind: 'images', title: 'Images', purpose: 'Machine images servers are started from.' },
  { kind: 'flavors', title: 'Flavors', purpose: 'Instance types: CPUs, memory and disk.' },
  { kind: 'networks', title: 'Networks', purpose: 'VPCs, subnets, security groups and the like.' },
]

export const ENTITY_VIEWS: readonly EntityView[] = [
  ...SECTIONS.filter((section) => section.kind !== undefined).map(
    (section): EntityView => ({
      path: section.path,
      kind: section.kind as string,
      title: section.title,
      icon: section.icon,
      group: section.group,
      fixed: section.fixed,
      listOnly: section.listOnly,
    }),
  ),
  ...RESOURCE_KINDS.map(
    ({ kind, title }): EntityView => ({
      path: `${RESOURCES_PATH}/${kind}`,
      kind,
      title,
      icon: 'boxes',
      group: 'Resources',
    }),
  ),
]

/** The home of a kind: where its records open, are edited and created. */
export function homeOf(kind: string): EntityView | undefined {
  return ENTITY_VIEWS.find((view) => view.kind === kind && !view.listOnly)
}

export function recordPath(kind: string, id?: string, suffix = ''): string {
  const base = homeOf(kind)?.path ?? `/inventory/${kind}`
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}${suffix}`
}
