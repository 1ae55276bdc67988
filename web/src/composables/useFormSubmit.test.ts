import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import { errorMessage, problemSentence, useFormSubmit } from './useFormSubmit'

describe('useFormSubmit', () => {
  it('puts each detail next to the field it names', async () => {
    const form = useFormSubmit(['name', 'email'])
    const ok = await form.submit(async () => {
      throw new ApiError('validation failed', 422, 'validation_failed', [
        { field: 'name', problem: 'is required' },
        { field: 'email', problem: 'is already registered' },
      ])
    })
    expect(ok).toBe(false)
    expect(form.fieldErrors.value).toEqual({ name: 'is required', email: 'is already registered' })
    expect(form.otherProblems.value).toEqual([])
    expect(form.error.value).toBe('Check the highlighted fields.')
  })

  it('lists the details about fields the form does not show', async () => {
    const form = useFormSubmit(['name'])
    await form.submit(async () => {
      throw new ApiError('validation failed', 422, 'validation_failed', [
        { field: 'name', problem: 'is too short' },
        { field: 'colour', problem: 'is not a field of users' },
      ])
    })
    expect(form.fieldErrors.value).toEqual({ name: 'is too short' })
    expect(form.otherProblems.value).toEqual(['colour is not a field of users'])
    expect(form.error.value).toBe('validation failed')
  })

  it('clears the previous errors and reports success', async () => {
    const form = useFormSubmit(['name'])
    await form.submit(async () => {
      throw new ApiError('nope', 409, 'conflict')
    })
    expect(form.error.value).toBe('nope')
    expect(await form.submit(async () => undefined)).toBe(true)
    expect(form.error.value).toBe('')
    expect(form.busy.value).toBe(false)
  })
})

describe('errorMessage', () => {
  it('says how long to wait after too many attempts', () => {
    const limited = new ApiError('rate limited', 429, 'rate_limited', [], 30)
    expect(errorMessage(limited)).toBe('Too many attempts. Try again in 30 seconds.')
    expect(errorMessage(new ApiError('rate limited', 429, 'rate_limited'))).toBe(
      'Too many attempts. Wait a moment and try again.',
    )
  })

  it("uses the server's sentence otherwise", () => {
    expect(errorMessage(new ApiError('Wrong e-mail or password.', 401, 'unauthorized'))).toBe(
      'Wrong e-mail or password.',
    )
  })
})

describe('problemSentence', () => {
  it('reads a problem after its label, unless it names the field itself or stands alone', () => {
    expect(problemSentence('Name', 'is required')).toBe('Name is required')
    expect(problemSentence('Every', "every must be at most 366 days, got '400d'")).toBe("Every must be at most 366 days, got '400d'")
    expect(problemSentence('Cron', 'Cron minute field: 61 is out of range')).toBe('Cron minute field: 61 is out of range')
    expect(problemSentence('Name', '')).toBe('')
  })
})

