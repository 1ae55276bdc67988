// End-to-end test of the scheduler against the real `maestro serve`: a local
// HTTP receiver (node:http on 127.0.0.1) records what the webhooks send. Sign
// up → the scheduler is empty → the form refuses `61 * * * *` with the
// server's problem under the cron field → a webhook schedule every hour, POST
// to the receiver with a header and a JSON body → its page → "Run now" → the
// toast "Schedule … ran" → the receiver got exactly that request → the job
// shows as succeeded in the schedule's recent jobs and on the jobs page →
// paused from the list → edited → deleted. Then a schedule that generates a
// report again: the report picked in the form, Run now, the report job.
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/scheduler.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the pages there as maestro-scheduler-*.png.

import assert from 'node:assert/strict'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import {
  STEP_TIMEOUT_MS,
  assertStopsCleanly,
  expectText,
  expectTextMatch,
  httpError,
  pathOf,
  screenshot,
  signInThroughPage,
  useBrowser,
  useMaestro,
} from './support.mjs'

const USER = { name: 'Ada', email: 'ada@example.com', password: 'correct horse battery staple' }
const NAME = 'Ping the receiver'
const BODY = { hello: 'world', items: [1, 2, 3], nested: { ok: true } }

const openPage = useBrowser()

/** An HTTP server on 127.0.0.1 that answers 200 and records every request (method, path, headers, body). */
function startReceiver() {
  const requests = []
  const server = http.createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      requests.push({ method: request.method, path: request.url, headers: request.headers, body })
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end('{"received":true}')
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      })
    })
  })
}

/** Waits until `receiver` has recorded `count` requests; fails listing what it got. */
async function receivedAtLeast(receiver, count, timeout = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeout
  while (receiver.requests.length < count && Date.now() < deadline) await sleep(50)
  assert.ok(
    receiver.requests.length >= count,
    `the receiver should have got ${count} request(s), got ${JSON.stringify(receiver.requests)}`,
  )
}

describe('schedules, Run now, toasts and jobs', () => {
  const maestro = useMaestro({ signUp: USER })
  let receiver

  before(async () => {
    receiver = await startReceiver()
    const schedules = await maestro.api('GET', '/api/schedules')
    assert.equal(schedules.status, 200, 'GET /api/schedules (is the server recent enough?)')
  })

  after(async () => {
    await receiver?.close()
  })

  test('a webhook schedule made through the form runs now and says so', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, '/scheduler')
      await expectText(page, 'h1', 'Scheduler')
      await expectTextMatch(page, '[data-testid=schedules-empty]', /No schedules yet\./)

      // The form: a cron the server refuses, its problem under the cron field.
      await page.click('[data-testid=schedule-new]')
      await page.waitForURL('**/scheduler/new')
      await expectText(page, 'h1', 'New schedule')
      assert.equal(await page.locator('[data-task=sync] input').isDisabled(), true, 'sync is not offered yet')
      await expectTextMatch(page, '[data-task=sync]', /each connection makes its own/i)
      await page.fill('#schedule-name', NAME)
      await page.fill('#schedule-url', `${receiver.url}/hook?from=maestro`)
      await page.click('[data-testid=timing-cron]')
      await page.fill('#schedule-cron', '0 9 * * 1-5')
      await expectText(page, '[data-testid=cron-words]', 'At 09:00 UTC, on Monday to Friday')
      assert.equal(await page.locator('[data-testid=cron-next] li').count(), 5, 'the next five runs')
      for (const run of await page.locator('[data-testid=cron-next] li').allInnerTexts()) {
        assert.match(run, /^(Mon|Tue|Wed|Thu|Fri)\b.*09:00 UTC$/, `a weekday at 09:00 UTC: ${run}`)
      }
      await page.fill('#schedule-cron', '61 * * * *')
      await expectText(page, '[data-testid=cron-problem]', 'cron minute field: 61 is out of range 0-59')
      await page.click('[data-testid=schedule-save]')
      await expectText(page, '[data-testid=form-error]', 'Check the highlighted fields.')
      await expectText(page, '.cron-field [data-field-error]', 'Cron minute field: 61 is out of range 0-59')
      assert.equal(await page.getAttribute('#schedule-cron', 'aria-invalid'), 'true')
      assert.equal(pathOf(page), '/scheduler/new', 'still on the form')
      await screenshot(page, 'scheduler-cron-422')
      assertClean([httpError(422, '/api/schedules')])

      // Every hour instead, POST with a header and a JSON body.
      await page.click('[data-testid=timing-every]')
      await page.fill('#schedule-every', '1')
      await page.selectOption('#schedule-every-unit', 'h')
      await expectTextMatch(page, '.every-field .form-text', /Runs every hour\./)
      await page.selectOption('#schedule-method', 'POST')
      await page.click('[data-testid=header-add]')
      await page.fill('[data-header="0"] [data-header-name]', 'X-Maestro-Test')
      await page.fill('[data-header="0"] [data-header-value]', 'e2e-secret')
      await page.click('label[for=schedule-body-json]')
      await page.fill('#schedule-body', '{"hello": "world", "items": [1, 2')
      await expectTextMatch(page, '#schedule-body-hint', /Not valid JSON yet/)
      await page.fill('#schedule-body', JSON.stringify(BODY, null, 2))
      await expectText(page, '#schedule-body-hint', 'Sent as JSON (Content-Type: application/json).')
      await screenshot(page, 'scheduler-form')
      await page.click('[data-testid=schedule-save]')
      await page.waitForURL((url) => /^\/scheduler\/(?!new$)[^/]+$/.test(url.pathname))
      const id = pathOf(page).split('/').pop()
      await expectText(page, '[data-testid=schedule-name]', NAME)
      await expectText(page, '[data-testid=schedule-state]', 'Enabled')
      await expectTextMatch(page, '[data-testid=schedule-details]', /Every hour/)
      await expectText(page, '[data-testid=schedule-jobs-empty]', 'No runs yet. Press Run now to try it.')

      const stored = await maestro.api('GET', `/api/schedules/${id}`)
      assert.equal(stored.status, 200)
      assert.deepEqual(
        { task: stored.body.task, every: stored.body.every, cron: stored.body.cron, args: stored.body.args },
        {
          task: 'webhook',
          every: '1h',
          cron: null,
          args: {
            url: `${receiver.url}/hook?from=maestro`,
            method: 'POST',
            headers: { 'X-Maestro-Test': 'e2e-secret' },
            body: BODY,
          },
        },
      )
      assert.equal(receiver.requests.length, 0, 'nothing is called before its time')

      // Run now: the toast, the request, the job.
      await page.click('[data-testid=schedule-run]')
      const toast = page.locator('[data-testid=toast][data-level=success]', { hasText: `Schedule ${NAME} ran` })
      await toast.waitFor()
      await expectText(page, '[data-testid=toast][data-level=success] [data-testid=toast-title]', `Schedule ${NAME} ran`)
      await screenshot(page, 'scheduler-ran')

      await receivedAtLeast(receiver, 1)
      await sleep(500) // a second call (a retry, a double run) would show by now
      assert.equal(receiver.requests.length, 1, 'exactly one request')
      const [request] = receiver.requests
      assert.equal(request.method, 'POST')
      assert.equal(request.path, '/hook?from=maestro')
      assert.equal(request.headers['x-maestro-test'], 'e2e-secret')
      assert.match(request.headers['content-type'] ?? '', /^application\/json/)
      assert.deepEqual(JSON.parse(request.body), BODY)

      const job = page.locator('[data-testid=schedule-jobs] tr[data-status=succeeded]')
      await job.waitFor()
      await expectText(page, '[data-testid=schedule-jobs] tr[data-status=succeeded] [data-testid=job-status]', 'Succeeded')
      await expectText(page, '[data-testid=schedule-jobs] tr[data-status=succeeded] [data-testid=job-outcome]', 'HTTP 200')
      assert.equal(await page.locator('[data-testid=schedule-jobs] tbody tr').count(), 1)
      await expectTextMatch(page, '[data-testid=schedule-events]', new RegExp(`Schedule ${NAME} ran`))
      await expectText(page, '[data-testid=schedule-details] [data-testid=schedule-last-status]', 'Succeeded')
      await page.locator('[data-testid=jobs-badge]').waitFor({ state: 'detached' }) // no job left running

      // The jobs page lists it too, filtered by status.
      await page.click('[data-testid=jobs-button]')
      await page.waitForURL('**/jobs')
      await expectText(page, 'h1', 'Jobs')
      await page.selectOption('[data-testid=jobs-status]', 'succeeded')
      await page.waitForURL((url) => url.searchParams.get('status') === 'succeeded')
      await expectText(page, '[data-testid=jobs] tr[data-status=succeeded] [data-testid=job-outcome]', 'HTTP 200')
      await expectText(page, '[data-testid=jobs] tr[data-status=succeeded] a', NAME)
      await page.selectOption('[data-testid=jobs-status]', 'failed')
      await expectText(page, '[data-testid=jobs-empty]', 'No job matches these filters.')

      // Paused from the list.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Scheduler', exact: true }).click()
      await page.waitForURL('**/scheduler')
      const row = page.locator(`[data-testid=schedules-table] tr[data-id="${id}"]`)
      await row.waitFor()
      await expectTextMatch(page, `[data-testid=schedules-table] tr[data-id="${id}"]`, /Every hour.*Succeeded.*1/s)
      await row.locator('[data-testid=schedule-enabled]').click()
      await expectTextMatch(page, `[data-testid=schedules-table] tr[data-id="${id}"]`, /paused/)
      const paused = await maestro.api('GET', `/api/schedules/${id}`)
      assert.equal(paused.body.enabled, false)
      assert.equal(paused.body.next_run_at, null)
      await screenshot(page, 'scheduler-list')

      // Edited: the form reads back what was saved; every 30 minutes now.
      await row.getByRole('link', { name: `Edit ${NAME}` }).click()
      await page.waitForURL(`**/scheduler/${id}/edit`)
      assert.equal(await page.inputValue('#schedule-name'), NAME)
      assert.equal(await page.inputValue('[data-header="0"] [data-header-name]'), 'X-Maestro-Test')
      assert.deepEqual(JSON.parse(await page.inputValue('#schedule-body')), BODY)
      assert.equal(await page.inputValue('#schedule-every'), '1')
      assert.equal(await page.isChecked('#schedule-enabled'), false)
      await page.fill('#schedule-every', '30')
      await page.selectOption('#schedule-every-unit', 'm')
      await page.click('[data-testid=schedule-save]')
      await page.waitForURL(`**/scheduler/${id}`)
      await expectTextMatch(page, '[data-testid=schedule-details]', /Every 30 minutes/)
      await expectText(page, '[data-testid=schedule-state]', 'Paused')

      // Deleted after the confirmation.
      await page.click('[data-testid=schedule-delete]')
      await page.click('[data-testid=confirm-button]')
      await page.waitForURL((url) => url.pathname === '/scheduler')
      await expectTextMatch(page, '[data-testid=schedules-empty]', /No schedules yet\./)
      assert.equal((await maestro.api('GET', `/api/schedules/${id}`)).status, 404)
      assertClean()
    } finally {
      await close()
    }
  })

  test('a report schedule made through the form generates the report again', async () => {
    const report = await maestro.api('POST', '/api/reports', { name: 'All servers', type: 'single', kinds: ['servers'] })
    assert.equal(report.status, 201, JSON.stringify(report.body))
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, '/scheduler/new')
      await page.fill('#schedule-name', 'Refresh all servers')
      await page.click('[data-task=report] input')
      assert.equal(await page.locator('#schedule-url').count(), 0, 'a report task has no webhook inputs')
      await page.locator('[data-testid=schedule-target] option', { hasText: 'All servers' }).waitFor({ state: 'attached' })
      await page.click('[data-testid=schedule-save]')
      await expectText(page, '.target-field [data-field-error]', 'Report is required: choose one of your reports')
      await page.selectOption('[data-testid=schedule-target]', { label: 'All servers' })
      await page.fill('#schedule-every', '1')
      await page.selectOption('#schedule-every-unit', 'd')
      await page.click('[data-testid=schedule-save]')
      await page.waitForURL((url) => /^\/scheduler\/(?!new$)[^/]+$/.test(url.pathname))
      const id = pathOf(page).split('/').pop()
      await expectText(page, '[data-testid=schedule-target]', 'the report again')
      const stored = await maestro.api('GET', `/api/schedules/${id}`)
      assert.deepEqual([stored.body.task, stored.body.args, stored.body.every], ['report', { id: report.body.id }, '1d'])

      await page.click('[data-testid=schedule-run]')
      await page.locator('[data-testid=toast][data-level=success]', { hasText: 'Schedule Refresh all servers ran' }).waitFor()
      await expectText(page, '[data-testid=schedule-jobs] tr[data-status=succeeded] [data-testid=job-status]', 'Succeeded')
      const jobs = await maestro.api('GET', `/api/jobs?schedule=${id}`)
      assert.deepEqual(jobs.body.items.map((job) => [job.type, job.args.id]), [['report', report.body.id]])

      // The schedule's page links to the report, whose page opens.
      await page.click('[data-testid=schedule-target] a')
      await page.waitForURL(`**/reports/${report.body.id}`)
      await expectText(page, 'h1', 'All servers')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
