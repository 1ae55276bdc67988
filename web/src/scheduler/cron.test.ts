import { describe, expect, it } from 'vitest'
import { CronError, cronProblem, describeCron, nextRun, nextRuns, parseCron } from './cron'

const iso = (date: Date): string => date.toISOString().replace(':00.000Z', 'Z')
function runs(expression: string, after: string, count: number): string[] {
  return nextRuns(parseCron(expression), new Date(after), count).map(iso)
}

describe('nextRuns', () => {
  it.each([
    // [expression, after, the next runs]
    ['*/15 * * * *', '2026-05-01T10:07:30Z', ['2026-05-01T10:15Z', '2026-05-01T10:30Z', '2026-05-01T10:45Z', '2026-05-01T11:00Z']],
    ['* * * * *', '2026-05-01T10:07:00Z', ['2026-05-01T10:08Z', '2026-05-01T10:09Z']],
    ['0 * * * *', '2026-05-01T23:30:00Z', ['2026-05-02T00:00Z', '2026-05-02T01:00Z']],
    ['30 6 * * *', '2026-05-01T06:30:00Z', ['2026-05-02T06:30Z', '2026-05-03T06:30Z']],
    ['0-30/10 8 * * *', '2026-05-01T00:00:00Z', ['2026-05-01T08:00Z', '2026-05-01T08:10Z', '2026-05-01T08:20Z', '2026-05-01T08:30Z', '2026-05-02T08:00Z']],
    ['5/20 0 * * *', '2026-05-01T00:00:00Z', ['2026-05-01T00:05Z', '2026-05-01T00:25Z', '2026-05-01T00:45Z', '2026-05-02T00:05Z']],
    ['0 9,17 * * *', '2026-05-01T12:00:00Z', ['2026-05-01T17:00Z', '2026-05-02T09:00Z', '2026-05-02T17:00Z']],
    // The year rolls over.
    ['0 0 1 1 *', '2026-12-31T23:59:00Z', ['2027-01-01T00:00Z', '2028-01-01T00:00Z']],
    // Month ends: the 31st only in months that have one.
    ['0 0 31 * *', '2026-01-31T00:00:00Z', ['2026-03-31T00:00Z', '2026-05-31T00:00Z', '2026-07-31T00:00Z', '2026-08-31T00:00Z']],
    ['0 0 30 * *', '2026-01-31T00:00:00Z', ['2026-03-30T00:00Z', '2026-04-30T00:00Z']],
    // Leap years: every 4 years, not in 2100, yes in 2000-style centuries.
    ['0 12 29 2 *', '2026-03-01T00:00:00Z', ['2028-02-29T12:00Z', '2032-02-29T12:00Z']],
    ['0 12 29 2 *', '2097-01-01T00:00:00Z', ['2104-02-29T12:00Z']],
    ['0 0 29 feb *', '2399-06-01T00:00:00Z', ['2400-02-29T00:00Z']],
    // Sunday is 0, 7 and sun; 2026-05-03 is a Sunday.
    ['0 0 * * 0', '2026-05-01T00:00:00Z', ['2026-05-03T00:00Z', '2026-05-10T00:00Z']],
    ['0 0 * * 7', '2026-05-01T00:00:00Z', ['2026-05-03T00:00Z', '2026-05-10T00:00Z']],
    ['0 0 * * SUN', '2026-05-01T00:00:00Z', ['2026-05-03T00:00Z']],
    ['0 0 * * 5-7', '2026-05-01T00:00:00Z', ['2026-05-02T00:00Z', '2026-05-03T00:00Z', '2026-05-08T00:00Z']],
    ['0 0 * * fri-sun', '2026-05-01T00:00:00Z', ['2026-05-02T00:00Z', '2026-05-03T00:00Z', '2026-05-08T00:00Z']],
    ['0 9 * * mon-fri', '2026-05-01T09:00:00Z', ['2026-05-04T09:00Z', '2026-05-05T09:00Z']],
    // Month names and lists.
    ['0 0 1 jan,Jul *', '2026-02-01T00:00:00Z', ['2026-07-01T00:00Z', '2027-01-01T00:00Z']],
    ['0 0 1 */3 *', '2026-02-01T00:00:00Z', ['2026-04-01T00:00Z', '2026-07-01T00:00Z', '2026-10-01T00:00Z', '2027-01-01T00:00Z']],
    // Both day fields restricted: either matches (every 13th and every Friday).
    ['0 0 13 * 5', '2026-02-01T00:00:00Z', ['2026-02-06T00:00Z', '2026-02-13T00:00Z', '2026-02-20T00:00Z', '2026-02-27T00:00Z', '2026-03-06T00:00Z', '2026-03-13T00:00Z']],
    ['0 0 31 2 mon', '2026-02-01T00:00:00Z', ['2026-02-02T00:00Z', '2026-02-09T00:00Z']],
    // A day field starting with * counts as unrestricted: both must match.
    ['0 0 13 * */1', '2026-02-01T00:00:00Z', ['2026-02-13T00:00Z', '2026-03-13T00:00Z']],
    ['0 0 */10 * 1', '2026-05-01T00:00:00Z', ['2026-05-11T00:00Z', '2026-06-01T00:00Z', '2026-08-31T00:00Z']],
    ['0 0 13 * *', '2026-02-01T00:00:00Z', ['2026-02-13T00:00Z', '2026-03-13T00:00Z']],
    // Macros.
    ['@daily', '2026-05-01T10:00:00Z', ['2026-05-02T00:00Z']],
    ['@weekly', '2026-05-01T10:00:00Z', ['2026-05-03T00:00Z']],
    ['@HOURLY', '2026-05-01T10:00:00Z', ['2026-05-01T11:00Z']],
  ])('%s after %s', (expression, after, expected) => {
    expect(runs(expression, after, expected.length)).toEqual(expected)
  })

  it('counts from the next whole minute', () => {
    const cron = parseCron('* * * * *')
    expect(iso(nextRun(cron, new Date('2026-05-01T10:07:59.999Z'))!)).toBe('2026-05-01T10:08Z')
  })
})

describe('parseCron', () => {
  it.each([
    ['', "cron expression is empty; it needs 5 fields (minute hour day month weekday), e.g. '*/15 * * * *', or a macro such as @daily"],
    ['* * * *', 'cron needs 5 fields (minute hour day month weekday), got 4'],
    ['* * * * * *', 'cron needs 5 fields (minute hour day month weekday), got 6'],
    ['61 * * * *', 'cron minute field: 61 is out of range 0-59'],
    ['* 24 * * *', 'cron hour field: 24 is out of range 0-23'],
    ['* * 0 * *', 'cron day-of-month field: 0 is out of range 1-31'],
    ['* * * 13 *', 'cron month field: 13 is out of range 1-12'],
    ['* * * * 8', 'cron day-of-week field: 8 is out of range 0-7'],
    ['5-1 * * * *', "cron minute field: range '5-1' is reversed; write the smaller value first"],
    ['*/0 * * * *', "cron minute field: step '0' in '*/0' must be a whole number from 1 to 60"],
    ['1,,2 * * * *', 'cron minute field: has an empty list item (two commas, or a comma at an end)'],
    ['x * * * *', "cron minute field: 'x' is not a number"],
    ['* * * foo *', "cron month field: 'foo' is neither a number 1-12 nor a name jan-dec"],
    ['* * * * -1', "cron day-of-week field: '-1' is missing a number"],
    ['0 0 30 2 *', "cron day-of-month field: day '30' never occurs in month '2', so the expression would never run"],
    ['@often', "cron macro '@often' is unknown; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"],
  ])('%j is refused', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronError)
    expect(cronProblem(expression)).toBe(message)
  })

  it('accepts the day 29 of February (leap years) and extra spaces', () => {
    expect(cronProblem(' 0  0  29 2 * ')).toBeNull()
    expect(parseCron(' 0  0  29 2 * ').text).toBe('0  0  29 2 *')
  })
})

describe('describeCron', () => {
  it.each([
    ['* * * * *', 'Every minute, every day'],
    ['*/15 * * * *', 'Every 15 minutes, every day'],
    ['0 * * * *', 'At minute 0 of every hour, every day'],
    ['0 */6 * * *', 'At minute 0 of every 6 hours, every day'],
    ['30 6 * * *', 'At 06:30 UTC, every day'],
    ['0 9,17 * * *', 'At 09:00 and 17:00 UTC, every day'],
    ['0 9 * * mon-fri', 'At 09:00 UTC, on Monday to Friday'],
    ['0 0 1,15 * *', 'At 00:00 UTC, on day 1 and 15 of the month'],
    ['0 0 13 * 5', 'At 00:00 UTC, on day 13 of the month or on Friday'],
    ['0 0 1 1 *', 'At 00:00 UTC, on day 1 of the month, in January'],
    ['0 0 1 jan,jul *', 'At 00:00 UTC, on day 1 of the month, in January and July'],
    ['0-30/10 8-18 * * *', 'At minutes every 10 from 0 to 30 of hours 8 to 18 (UTC), every day'],
    ['@weekly', 'At 00:00 UTC, on Sunday'],
  ])('%s', (expression, words) => {
    expect(describeCron(parseCron(expression))).toBe(words)
  })
})
