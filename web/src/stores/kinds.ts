// The kinds registry (GET /api/kinds), loaded once per session and shared by
// the generic record pages. main.ts starts the load after sign-in; pages
// await `load()`, which returns the same answer until the session changes.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchKinds } from '../api/records'
import type { KindDef } from '../records/fields'

export const useKindsStore = defineStore('kinds', () => {
  const kinds = ref<KindDef[]>([])
  const commonFields = ref<string[]>([])
  const error = ref('')
  let loading: Promise<KindDef[]> | null = null

  const byName = computed(() => new Map(kinds.value.map((kind) => [kind.kind, kind])))

  function load(): Promise<KindDef[]> {
    loading ??= fetchKinds().then(
      (answer) => {
        // Relation fields are edges, not document fields: the forms leave them alone.
        kinds.value = answer.kinds.map((kind) => ({
          ...kind,
          fields: kind.fields.filter((field) => field.type !== 'relation'),
          relations: kind.fields.filter((field) => field.type === 'relation'),
        }))
        commonFields.value = answer.common_fields
        error.value = ''
        return answer.kinds
      },
      (caught: unknown) => {
        loading = null // let a later call try again
        error.value = caught instanceof Error ? caught.message : String(caught)
        throw caught
      },
    )
    return loading
  }

  /** The definition of `kind`, once loaded. */
  function get(kind: string): KindDef | undefined {
    return byName.value.get(kind)
  }

  /** Forgets the registry (a new session loads it again). */
  function reset(): void {
    loading = null
    kinds.value = []
    commonFields.value = []
  }

  return { kinds, commonFields, error, load, get, reset }
})
