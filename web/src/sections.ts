// The sections of the Maestro UI, in navigation order. The side navigation and
// router.ts both read this list, so a section is added in exactly one place.
// A section marked `built` has its own page in router.ts; every other one
// routes to an honest placeholder.

import type { IconName } from './components/icons'

export interface Section {
  /** Route path; also the route name's suffix. */
  path: string
  title: string
  group: SectionGroup
  icon: IconName
  /** What the section holds (or, while planned, will hold) — one sentence. */
  purpose: string
  /** True once the section has its own page (routed in router.ts). */
  built?: boolean
  /** The record kind its generic list shows (GET /api/kinds), for inventory sections. */
  kind?: string
  /** Fixed `field=value` conditions of the list (Databases: family=Database). */
  fixed?: Record<string, string>
  /** Only a list: records open, and are created, under the kind's own section. */
  listOnly?: boolean
}

export type SectionGroup = 'Inventory' | 'Discovery' | 'Analysis' | 'Administration'

export const SECTION_GROUPS: readonly SectionGroup[] = [
  'Inventory',
  'Discovery',
  'Analysis',
  'Administration',
]

export const SECTIONS: readonly Section[] = [
  {
    path: '/inventory/datacenters',
    title: 'Datacenters',
    group: 'Inventory',
    icon: 'building',
    purpose: 'Cloud providers, regions and on-premises sites where your resources run.',
    built: true,
    kind: 'datacenters',
  },
  {
    path: '/inventory/servers',
    title: 'Servers',
    group: 'Inventory',
    icon: 'hdd-rack',
    purpose: 'Virtual and physical hosts, entered by hand or discovered from your clouds.',
    built: true,
    kind: 'servers',
  },
  {
    path: '/inventory/applications',
    title: 'Applications',
    group: 'Inventory',
    icon: 'window-stack',
    purpose: 'Deployed applications and managed services, with their dependencies.',
    built: true,
    kind: 'applications',
  },
  {
    path: '/inventory/databases',
    title: 'Databases',
    group: 'Inventory',
    icon: 'database',
    purpose: 'Database instances and clusters, their roles and the servers behind them.',
    built: true,
    kind: 'applications',
    fixed: { family: 'Database' },
    listOnly: true,
  },
  {
    path: '/inventory/load-balancers',
    title: 'Load balancers',
    group: 'Inventory',
    icon: 'signpost-split',
    purpose: 'Load balancers and the applications they route traffic to.',
    built: true,
    kind: 'applications',
    fixed: { family: 'Loadbalance' },
    listOnly: true,
  },
  {
    path: '/inventory/resources',
    title: 'Resources',
    group: 'Inventory',
    icon: 'boxes',
    purpose: 'Volumes, snapshots, images, flavours and networks found by discovery.',
    built: true,
  },
  {
    path: '/inventory/systems',
    title: 'Systems',
    group: 'Inventory',
    icon: 'diagram-2',
    purpose: 'Business systems: groups of applications that serve one purpose.',
    built: true,
    kind: 'systems',
  },
  {
    path: '/inventory/clients',
    title: 'Clients',
    group: 'Inventory',
    icon: 'people',
    purpose: 'The customers or teams that own systems, and how to contact them.',
    built: true,
    kind: 'clients',
  },
  {
    path: '/inventory/services',
    title: 'Services',
    group: 'Inventory',
    icon: 'puzzle',
    purpose: 'The catalogue of products and technologies your applications are built on.',
    built: true,
    kind: 'services',
  },
  {
    path: '/discovery/connections',
    title: 'Connections',
    group: 'Discovery',
    icon: 'plug',
    purpose:
      'Credentials for AWS, Azure, OpenStack, DigitalOcean and file imports ' +
      'that keep the inventory in sync.',
    built: true,
  },
  {
    path: '/reports',
    title: 'Reports',
    group: 'Analysis',
    icon: 'file-earmark-bar-graph',
    purpose:
      'Filtered and pivoted views of the inventory, with charts, exported as CSV, JSON, Excel, PDF ' +
      'or Ansible inventory.',
    built: true,
  },
  {
    path: '/graphs',
    title: 'Graphs',
    group: 'Analysis',
    icon: 'bezier2',
    purpose: 'Dependency graphs drawn from the entry points of your systems.',
    built: true,
  },
  {
    path: '/scheduler',
    title: 'Scheduler',
    group: 'Administration',
    icon: 'clock-history',
    purpose: 'Interval and cron jobs that run discovery, reports and webhooks.',
    built: true,
  },
  {
    path: '/teams',
    title: 'Teams',
    group: 'Administration',
    icon: 'people-fill',
    purpose: 'Groups of users that share access to records, with their members and roles.',
    built: true,
  },
  {
    path: '/settings',
    title: 'Settings',
    group: 'Administration',
    icon: 'gear',
    purpose: 'Option lists and the defaults of this installation.',
    built: true,
  },
]
