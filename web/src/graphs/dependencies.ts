// The dependency-tree wizard's model: the applications as the server stores
// them (their `deps`), the systems the tree starts from (their `entries`), and
// the changes not yet committed — dependencies added, stored ones removed, entry
// points marked or unmarked. From it come the tree to draw (cycle-safe: an
// application already drawn is shown again without its dependencies), the
// applications still to be read, the body of the one PUT /api/dependencies
// that commits everything, and where each problem of the server's 422 belongs.
// Pure functions over plain data: each change returns a new draft.

import type { ErrorDetail } from '../api/client'
import type { DependenciesAnswer, DependenciesBody, DependencyItem } from '../api/graphs'
import { isPlainObject, type RecordDoc } from '../records/fields'

/** The backend walks at most this deep; so does the tree. */
export const MAX_DEPTH = 40

export interface Dependency {
  app: string
  via: string
  endpoint: string
}

export interface StoredApp {
  id: string
  name: string
  family: string
  deps: Dependency[]
}

export interface StoredSystem {
  id: string
  name: string
  /** The system's applications: the candidates for entry points. */
  applications: string[]
  /** Entry points as stored. */
  stored: string[]
  /** Entry points as they will be committed. */
  entries: string[]
}

export interface DependencyDraft {
  apps: Record<string, StoredApp>
  /** Names of records known only from a link (`{id, name}` of a dep or an entry). */
  names: Record<string, string>
  /** Applications that could not be read (not readable, gone): not asked for again. */
  unreadable: Record<string, string>
  systems: StoredSystem[]
  /** The system whose entry points the wizard edits (started from a system), or null. */
  editableSystem: string | null
  /** From application → dependencies added. */
  added: Record<string, Dependency[]>
  /** From application → the apps of stored dependencies removed. */
  removed: Record<string, string[]>
}

export type DependencyState = 'stored' | 'added' | 'removed'

export interface DependencyView extends Dependency {
  state: DependencyState
}

export interface TreeNode {
  /** Unique in the tree: the path of application ids from the root. */
  key: string
  app: string
  name: string
  family: string
  /** The dependency that leads here (null for a root). */
  edge: DependencyView | null
  children: TreeNode[]
  /** Drawn already elsewhere in the tree: its dependencies are shown there. */
  repeat: boolean
  /** Not read yet (or not readable): its dependencies are unknown. */
  pending: boolean
}

export function emptyDraft(): DependencyDraft {
  return { apps: {}, names: {}, unreadable: {}, systems: [], editableSystem: null, added: {}, removed: {} }
}

// ---------------------------------------------------------------- what the server said

function linkId(value: unknown): { id: string; name: string } | null {
  if (typeof value === 'string') return { id: value, name: value }
  if (isPlainObject(value) && typeof value.id === 'string') {
    return { id: value.id, name: typeof value.name === 'string' ? value.name : value.id }
  }
  return null
}

/** The `{id, name}` links of a relation field as the server reads it (ids alone too). */
export function links(value: unknown): { id: string; name: string }[] {
  return Array.isArray(value) ? value.map(linkId).filter((link) => link !== null) : []
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** An application record as the draft keeps it, with the names of what it links to. */
function storedApp(record: RecordDoc): { app: StoredApp; names: Record<string, string> } {
  const names: Record<string, string> = {}
  const deps: Dependency[] = []
  for (const raw of Array.isArray(record.deps) ? record.deps : []) {
    if (!isPlainObject(raw)) continue
    const target = linkId(raw.app)
    if (!target) continue
    names[target.id] = target.name
    deps.push({ app: target.id, via: text(raw.via), endpoint: text(raw.endpoint) })
  }
  return { app: { id: record.id, name: text(record.name) || record.id, family: text(record.family), deps }, names }
}

/** The draft with these application records as stored (pending changes kept). */
export function withApps(draft: DependencyDraft, records: readonly RecordDoc[]): DependencyDraft {
  const apps = { ...draft.apps }
  const names = { ...draft.names }
  const unreadable = { ...draft.unreadable }
  for (const record of records) {
    const { app, names: linked } = storedApp(record)
    Object.assign(names, linked)
    apps[app.id] = app
    names[app.id] = app.name
    delete unreadable[app.id]
  }
  return { ...draft, apps, names, unreadable }
}

/** The draft with an application that could not be read (why, for the tree). */
export function withUnreadable(draft: DependencyDraft, id: string, reason: string): DependencyDraft {
  return { ...draft, unreadable: { ...draft.unreadable, [id]: reason } }
}

/** The draft with a system record as stored: its applications and entry points (pending marks kept). */
export function withSystem(draft: DependencyDraft, record: RecordDoc): DependencyDraft {
  const applications = links(record.applications)
  const entries = links(record.entries)
  const names = { ...draft.names, [record.id]: text(record.name) || record.id }
  for (const link of [...applications, ...entries]) names[link.id] = link.name
  const known = draft.systems.find((system) => system.id === record.id)
  const stored = entries.map((link) => link.id)
  const system: StoredSystem = {
    id: record.id,
    name: names[record.id]!,
    applications: applications.map((link) => link.id),
    stored,
    entries: known && record.id === draft.editableSystem ? known.entries : stored,
  }
  const systems = known
    ? draft.systems.map((item) => (item.id === record.id ? system : item))
    : [...draft.systems, system]
  return { ...draft, names, systems }
}

/**
 * The draft after a commit: what was sent is what is stored now, the records
 * the server answered replace those read before, and nothing is pending.
 */
export function committed(draft: DependencyDraft, answer: DependenciesAnswer): DependencyDraft {
  const systems = draft.systems.map((system) => (system.id === draft.editableSystem ? { ...system, stored: system.entries } : system))
  const apps = { ...draft.apps }
  for (const id of new Set([...Object.keys(draft.added), ...Object.keys(draft.removed)])) {
    const stored = apps[id]
    if (stored) apps[id] = { ...stored, deps: dependenciesOf(draft, id).filter((dep) => dep.state !== 'removed').map(({ state: _state, ...dep }) => dep) }
  }
  let next = withApps({ ...draft, apps, systems, added: {}, removed: {} }, answer.applications ?? [])
  if (answer.system) {
    const fresh = withSystem(next, answer.system)
    next = { ...fresh, systems: fresh.systems.map((system) => (system.id === answer.system!.id ? { ...system, entries: system.stored } : system)) }
  }
  return next
}

/** The draft with every pending change dropped. */
export function discardChanges(draft: DependencyDraft): DependencyDraft {
  return { ...draft, added: {}, removed: {}, systems: draft.systems.map((system) => ({ ...system, entries: system.stored })) }
}

export function nameOf(draft: DependencyDraft, id: string): string {
  return draft.apps[id]?.name ?? draft.names[id] ?? id
}

// ---------------------------------------------------------------- changes

/** An application's dependencies as they will be committed, removed ones included and marked. */
export function dependenciesOf(draft: DependencyDraft, id: string): DependencyView[] {
  const removed = new Set(draft.removed[id] ?? [])
  const stored = (draft.apps[id]?.deps ?? []).map(
    (dep): DependencyView => ({ ...dep, state: removed.has(dep.app) ? 'removed' : 'stored' }),
  )
  return [...stored, ...(draft.added[id] ?? []).map((dep): DependencyView => ({ ...dep, state: 'added' }))]
}

/**
 * Adds a dependency of `from` (`name`: the application's, when it is not read
 * yet); answers the problem instead when it cannot be added.
 */
export function addDependency(
  draft: DependencyDraft,
  from: string,
  dep: Dependency & { name?: string },
): { draft: DependencyDraft; problem: string | null } {
  const fail = (problem: string) => ({ draft, problem })
  if (dep.app === '') return fail('Choose an application, or create one.')
  if (dep.app === from) return fail(`${nameOf(draft, from)} cannot depend on itself.`)
  if (dep.via.trim() === '') return fail('Choose the protocol of the dependency.')
  const existing = dependenciesOf(draft, from).find((item) => item.app === dep.app)
  if (existing?.state === 'removed') {
    return fail(`${nameOf(draft, from)} depended on ${nameOf(draft, dep.app)}: undo its removal instead.`)
  }
  if (existing) return fail(`${nameOf(draft, from)} already depends on ${nameOf(draft, dep.app)}.`)
  const item = { app: dep.app, via: dep.via.trim(), endpoint: dep.endpoint.trim() }
  const names = dep.name ? { ...draft.names, [dep.app]: dep.name } : draft.names
  return { draft: { ...draft, names, added: { ...draft.added, [from]: [...(draft.added[from] ?? []), item] } }, problem: null }
}

/** Forgets a dependency added (not committed yet). */
export function removeAdded(draft: DependencyDraft, from: string, app: string): DependencyDraft {
  const left = (draft.added[from] ?? []).filter((dep) => dep.app !== app)
  const added = { ...draft.added }
  if (left.length > 0) added[from] = left
  else delete added[from]
  return { ...draft, added }
}

/** Marks a stored dependency to be removed at the commit, or takes the mark back. */
export function toggleRemoved(draft: DependencyDraft, from: string, app: string): DependencyDraft {
  const current = draft.removed[from] ?? []
  const next = current.includes(app) ? current.filter((id) => id !== app) : [...current, app]
  const removed = { ...draft.removed }
  if (next.length > 0) removed[from] = next
  else delete removed[from]
  return { ...draft, removed }
}

/** Makes `app` an entry point of the editable system, or not. */
export function setEntry(draft: DependencyDraft, app: string, on: boolean): DependencyDraft {
  return {
    ...draft,
    systems: draft.systems.map((system) => {
      if (system.id !== draft.editableSystem) return system
      const entries = system.entries.filter((id) => id !== app)
      return { ...system, entries: on ? [...entries, app] : entries }
    }),
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item))
}

/** The editable system when its entry points changed. */
function changedSystem(draft: DependencyDraft): StoredSystem | null {
  const system = draft.systems.find((item) => item.id === draft.editableSystem)
  return system && !sameSet(system.stored, system.entries) ? system : null
}

/** How many changes wait for the commit: dependencies added or removed, and the entry points if changed. */
export function changeCount(draft: DependencyDraft): number {
  const count = (lists: Record<string, unknown[]>) => Object.values(lists).reduce((sum, list) => sum + list.length, 0)
  return count(draft.added) + count(draft.removed) + (changedSystem(draft) ? 1 : 0)
}

function item(dep: Dependency): DependencyItem {
  return dep.endpoint === '' ? { app: dep.app, via: dep.via } : { app: dep.app, via: dep.via, endpoint: dep.endpoint }
}

/** The one request that commits every change, or null when there is none. */
export function commitBody(draft: DependencyDraft): DependenciesBody | null {
  const ids = [...new Set([...Object.keys(draft.removed), ...Object.keys(draft.added)])]
  const applications = ids.map((id) => ({
    id,
    deps: dependenciesOf(draft, id)
      .filter((dep) => dep.state !== 'removed')
      .map(item),
  }))
  const system = changedSystem(draft)
  if (applications.length === 0 && !system) return null
  return system ? { applications, system: { id: system.id, entries: system.entries } } : { applications }
}

// ---------------------------------------------------------------- the server's problems

export interface CommitProblems {
  /** `<from>><app>` → the problem with that dependency. */
  deps: Record<string, string>
  /** Application id → a problem with its list as a whole. */
  apps: Record<string, string>
  /** Entry point (application id) → its problem. */
  entries: Record<string, string>
  /** What names nothing the tree shows. */
  others: string[]
}

export function depKey(from: string, app: string): string {
  return `${from}>${app}`
}

function append(map: Record<string, string>, key: string, problem: string): void {
  map[key] = map[key] ? `${map[key]}; ${problem}` : problem
}

/**
 * Where each detail of a 422 belongs, for the body that was sent: the server
 * names `applications[i].deps[j].app` (or `applications.i.deps.j.via`),
 * `applications[i]…`, `system.entries[j]`.
 */
export function commitProblems(body: DependenciesBody, details: readonly ErrorDetail[]): CommitProblems {
  const problems: CommitProblems = { deps: {}, apps: {}, entries: {}, others: [] }
  for (const detail of details) {
    const problem = detail.problem ?? 'is not valid'
    const field = (detail.field ?? '').replace(/\[(\d+)\]/g, '.$1')
    const dep = /^applications\.(\d+)\.deps\.(\d+)(?:\.(\w+))?/.exec(field)
    const app = /^applications\.(\d+)(?:\.|$)/.exec(field)
    const entry = /^system\.entries\.(\d+)/.exec(field)
    const appMatch = dep ?? app
    const sent = appMatch ? body.applications[Number(appMatch[1])] : undefined
    const target = dep && sent ? sent.deps[Number(dep[2])] : undefined
    const entryId = entry ? body.system?.entries[Number(entry[1])] : undefined
    if (dep && sent && target) {
      append(problems.deps, depKey(sent.id, target.app), dep[3] && dep[3] !== 'app' ? `${dep[3]} ${problem}` : problem)
    } else if (app && sent) {
      append(problems.apps, sent.id, problem)
    } else if (entryId !== undefined) {
      append(problems.entries, entryId, problem)
    } else {
      problems.others.push(detail.field ? `${detail.field} ${problem}` : problem)
    }
  }
  return problems
}

// ---------------------------------------------------------------- the tree

/**
 * The tree under `roots` (application ids): each application with its
 * dependencies as they will be committed. An application drawn already is a
 * leaf marked `repeat` (cycles and shared dependencies end there), a removed
 * dependency is a leaf, and the tree stops at MAX_DEPTH.
 */
export function buildTree(draft: DependencyDraft, roots: readonly string[], parentKey = ''): TreeNode[] {
  const drawn = new Set<string>()
  const node = (app: string, edge: DependencyView | null, key: string, depth: number): TreeNode => {
    const stored = draft.apps[app]
    const base = {
      key,
      app,
      name: nameOf(draft, app),
      family: stored?.family ?? '',
      edge,
      children: [] as TreeNode[],
      repeat: drawn.has(app),
      pending: !stored,
    }
    if (base.repeat || !stored || edge?.state === 'removed' || depth >= MAX_DEPTH) return base
    drawn.add(app)
    base.children = dependenciesOf(draft, app).map((dep) => node(dep.app, dep, `${key}/${dep.app}`, depth + 1))
    return base
  }
  return roots.map((root) => node(root, null, `${parentKey}/${root}`, 0))
}

/** Applications the tree reaches that are not read yet (and not known to be unreadable). */
export function missingApps(draft: DependencyDraft, trees: readonly TreeNode[]): string[] {
  const missing = new Set<string>()
  const visit = (node: TreeNode): void => {
    if (node.pending && !node.repeat && !(node.app in draft.unreadable) && node.edge?.state !== 'removed') missing.add(node.app)
    node.children.forEach(visit)
  }
  trees.forEach(visit)
  return [...missing]
}

// ---------------------------------------------------------------- protocols

/**
 * The protocols offered for `via` (the `deps_options` option: its `protocols`
 * and `broker_protocols`) and the one chosen first (`default`, else the first).
 */
export function viaChoices(option: unknown): { protocols: string[]; preferred: string } {
  const lists = isPlainObject(option) ? [option.protocols, option.broker_protocols] : []
  const protocols = [...new Set(lists.flatMap((list) => (Array.isArray(list) ? list.filter((item) => typeof item === 'string') : [])))]
  const fallback = protocols.length > 0 ? protocols : ['rest']
  const wanted = isPlainObject(option) && typeof option.default === 'string' ? option.default : ''
  return { protocols: fallback, preferred: fallback.includes(wanted) ? wanted : fallback[0]! }
}
