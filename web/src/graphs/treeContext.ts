// What the dependency wizard's page hands down to every node of its tree
// (DependencyTreeNode, recursive) and to the add forms: the choices for new
// dependencies and applications, the problems of the last commit, which node
// has its add form open, and the changes a node may ask for.

import type { InjectionKey, Ref } from 'vue'
import type { RecordDoc } from '../records/fields'
import type { CommitProblems, Dependency } from './dependencies'

export interface TreeContext {
  /** The protocols offered for `via`, and the one chosen first. */
  choices: Ref<{ protocols: string[]; preferred: string }>
  /** Application families, for an application created on the spot. */
  families: Ref<string[]>
  /** A new application joins this system (the wizard started from it), if any. */
  systemId: Ref<string | null>
  problems: Ref<CommitProblems>
  /** Why an application could not be read, if it could not. */
  unreadable: (app: string) => string | undefined
  /** The key of the node (or `entry:<system>`) whose add form is open. */
  adding: Ref<string | null>
  /** Adds a dependency of `from`; answers the problem when it cannot. */
  add: (from: string, dep: Dependency & { name: string }) => string | null
  /** An application was created on the spot: the tree knows it from now on. */
  created: (record: RecordDoc) => void
  removeAdded: (from: string, app: string) => void
  toggleRemoved: (from: string, app: string) => void
}

export const TREE_CONTEXT: InjectionKey<TreeContext> = Symbol('dependency tree')
