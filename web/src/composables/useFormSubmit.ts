// The state every form shares: busy while the request runs, the error to show
// above the form, and the server's field-level `details` mapped onto the
// fields the form shows. Details naming a field the form does not have are
// shown with the form's error instead, so nothing the server says is lost.

import { computed, ref } from 'vue'
import { ApiError } from '../api/client'

/** The sentence to show for a failed request. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfter
      return wait !== null && wait > 0
        ? `Too many attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`
        : 'Too many attempts. Wait a moment and try again.'
    }
    return error.message
  }
  return error instanceof Error ? error.message : String(error)
}

/**
 * A field's problem as a sentence: "is required" reads after the label, one
 * that already names it ("cron minute field: …", "every must be …") only gets
 * a capital, and one in upper case stands alone.
 */
export function problemSentence(label: string, problem: string | undefined): string {
  if (!problem) return ''
  if (problem.toLowerCase().startsWith(`${label.toLowerCase()} `)) return problem.charAt(0).toUpperCase() + problem.slice(1)
  return /^[a-z]/.test(problem) ? `${label} ${problem}` : problem
}

export function useFormSubmit(fields: readonly string[] = []) {
  const busy = ref(false)
  const error = ref('')
  /** Field name → the server's problem with it ("is required"). */
  const fieldErrors = ref<Record<string, string>>({})
  /** Problems with fields this form does not show, as "field problem" lines. */
  const otherProblems = ref<string[]>([])

  const hasError = computed(() => error.value !== '' || otherProblems.value.length > 0)

  function reset(): void {
    error.value = ''
    fieldErrors.value = {}
    otherProblems.value = []
  }

  /** Records `caught` for display; the form calls it for its own checks too. */
  function fail(caught: unknown): void {
    reset()
    const details = caught instanceof ApiError ? caught.details : []
    const mapped: Record<string, string> = {}
    const others: string[] = []
    for (const detail of details) {
      const problem = detail.problem ?? 'is not valid'
      if (detail.field !== undefined && fields.includes(detail.field)) {
        mapped[detail.field] = mapped[detail.field] ? `${mapped[detail.field]}; ${problem}` : problem
      } else {
        others.push(detail.field ? `${detail.field} ${problem}` : problem)
      }
    }
    fieldErrors.value = mapped
    otherProblems.value = others
    // When every detail sits next to its field, the summary only says so.
    const allShown = details.length > 0 && others.length === 0
    error.value = allShown ? 'Check the highlighted fields.' : errorMessage(caught)
  }

  /**
   * Runs `action` with busy set, clearing the previous errors first.
   * Returns true when it succeeded; on failure the errors are set and false is returned.
   */
  async function submit(action: () => Promise<unknown>): Promise<boolean> {
    if (busy.value) return false
    reset()
    busy.value = true
    try {
      await action()
      return true
    } catch (caught) {
      fail(caught)
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, error, fieldErrors, otherProblems, hasError, submit, fail, reset }
}
