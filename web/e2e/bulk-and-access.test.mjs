// End-to-end test of bulk delete on the generic list and of what a user sees
// of records they may not (fully) use, against the real `maestro serve`:
// - Alice creates three datacenters (API), selects two in the list ("select
//   all on this page" first, to see it work), deletes them after the
//   confirmation: the list keeps the third, "deleted" shows the two.
// - Alice creates a datacenter and a team (API). Bob, not in the team, opens
//   the record's URL: "No access" (the server's 404 never tells whether it
//   exists). Alice adds Bob to the team and shares the record with the team as
//   "read": Bob sees it with no Edit or Delete, a save from the edit page's URL
//   is refused with the role it needs (403), and a bulk delete names the record
//   and why. Alice gives the team "write": Bob edits it.
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/bulk-and-access.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the list with two rows selected, the
// summary of a refused delete and the "No access" page as maestro-bulk-*.png.

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import {
  apiRequest,
  assertStopsCleanly,
  expectText,
  expectTextMatch,
  httpError,
  screenshot,
  signInThroughPage,
  signUpThroughApi,
  useBrowser,
  useMaestro,
} from './support.mjs'

// Alice signs up first, so she is the instance admin (which gives no rights on records).
const ALICE = { name: 'Alice', email: 'alice@example.com', password: 'correct horse battery staple' }
const BOB = { name: 'Bob', email: 'bob@example.com', password: 'correct horse battery staple' }

const openPage = useBrowser()

/** The ids of the rows the list shows, in order. */
function shownIds(page) {
  return page.$$eval('[data-testid=record-table] tr.record-row', (rows) => rows.map((row) => row.dataset.id))
}

/** Waits until the list shows exactly the rows of `ids` (in any order); fails showing the rows. */
async function expectRows(page, ids) {
  const want = [...ids].sort()
  try {
    await page.waitForFunction(
      (expected) =>
        JSON.stringify(
          [...document.querySelectorAll('[data-testid=record-table] tr.record-row')].map((row) => row.dataset.id).sort(),
        ) === expected,
      JSON.stringify(want),
    )
  } catch {
    assert.deepEqual((await shownIds(page)).sort(), want, `rows of ${page.url()}`)
  }
}

describe('bulk delete and access through teams', () => {
  const maestro = useMaestro({ signUp: ALICE }) // maestro.token is Alice's
  let bob // Bob's token

  before(async () => {
    bob = await signUpThroughApi(maestro.server, BOB)
  })

  /** Creates a datacenter as the holder of `token`; returns its id. */
  async function datacenter(token, name) {
    const created = await apiRequest(maestro.server, token, 'POST', '/api/datacenters', { name, provider: 'OVH' })
    assert.equal(created.status, 201, `POST /api/datacenters ${name}`)
    return created.body.id
  }

  test('select two of three records, delete them, the third is left', async () => {
    const [first, second, third] = [
      await datacenter(maestro.token, 'bulk-1'),
      await datacenter(maestro.token, 'bulk-2'),
      await datacenter(maestro.token, 'bulk-3'),
    ]
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, ALICE, '/inventory/datacenters')
      await expectRows(page, [first, second, third])
      assert.equal(await page.locator('[data-testid=bulk-delete]').count(), 0, 'nothing selected, no bulk button')

      // "Select all on this page" selects the three, a second click none.
      await page.click('[data-testid=select-page]')
      await expectText(page, '[data-testid=bulk-delete]', 'Delete selected (3)')
      await page.click('[data-testid=select-page]')
      await page.locator('[data-testid=bulk-delete]').waitFor({ state: 'detached' })

      // Two rows; ticking a box does not open the record.
      await page.click(`[data-select="${first}"]`)
      await page.click(`[data-select="${second}"]`)
      await expectText(page, '[data-testid=bulk-delete]', 'Delete selected (2)')
      assert.equal(new URL(page.url()).pathname, '/inventory/datacenters')
      assert.equal(await page.locator('[data-testid=select-page]').evaluate((box) => box.indeterminate), true)
      await screenshot(page, 'bulk-selected')

      // The confirmation names them; Cancel keeps everything.
      await page.click('[data-testid=bulk-delete]')
      await expectText(page, '.modal-title', 'Delete 2 records?')
      await expectTextMatch(page, '[data-testid=bulk-targets]', /bulk-1/)
      await expectTextMatch(page, '[data-testid=bulk-targets]', /bulk-2/)
      await page.getByRole('button', { name: 'Cancel' }).click()
      await page.locator('[data-testid=bulk-targets]').waitFor({ state: 'detached' })
      await expectRows(page, [first, second, third])

      await page.click('[data-testid=bulk-delete]')
      await page.click('[data-testid=confirm-button]')
      await expectText(page, '[data-testid=bulk-message]', 'Deleted 2 records.')
      await expectRows(page, [third])
      await expectText(page, '[data-testid=list-range]', '1–1 of 1')
      assert.equal(await page.locator('[data-testid=bulk-delete]').count(), 0, 'the selection is gone')

      // Under "deleted": the two, which cannot be selected again.
      await page.selectOption('[data-testid=list-active]', 'false')
      await page.waitForURL((url) => url.searchParams.get('active') === 'false')
      await expectRows(page, [first, second])
      assert.equal(await page.locator(`[data-select="${first}"]`).isDisabled(), true)
      assert.equal(await page.locator('[data-testid=select-page]').isDisabled(), true)
      assertClean()
    } finally {
      await close()
    }
  })

  test('no access, then read through a team (403s shown), then write', async () => {
    const bobId = (await apiRequest(maestro.server, bob, 'GET', '/api/me')).body.id
    const id = await datacenter(maestro.token, 'shared-dc')
    const team = await maestro.api('POST', '/api/teams', { name: 'Platform' })
    assert.equal(team.status, 201, 'POST /api/teams')
    const recordUrl = `/inventory/datacenters/${id}`
    const apiPath = `/api/datacenters/${id}`
    const share = async (role) => {
      const shared = await maestro.api('POST', `${apiPath}/roles`, { type: 'team', id: team.body.id, role })
      assert.equal(shared.status, 201, `POST ${apiPath}/roles (${role})`)
    }

    const { page, close, assertClean } = await openPage()
    try {
      // Not shared with Bob: "No access" instead of the record, on its page and its edit page.
      await signInThroughPage(page, maestro.server, BOB, recordUrl)
      await expectTextMatch(page, '[data-testid=no-access]', /No access.*has not been shared with you/)
      assert.equal(await page.locator('[data-testid=record-fields]').count(), 0)
      await screenshot(page, 'bulk-no-access')
      await page.goto(`${maestro.server.url}${recordUrl}/edit`)
      await expectTextMatch(page, '[data-testid=no-access]', /No access/)
      assert.equal(await page.locator('[data-testid=record-form]').count(), 0)
      assertClean([httpError(404, apiPath)])

      // Bob joins the team (as a writer in it); the team may read the record.
      const joined = await maestro.api('POST', `/api/teams/${team.body.id}/members`, {
        user: bobId,
        role: 'write',
      })
      assert.equal(joined.status, 201, 'POST /api/teams/<id>/members')
      await share('read')

      // He reads it: no Edit, no Delete.
      await page.goto(`${maestro.server.url}${recordUrl}`)
      await expectText(page, 'h1', 'shared-dc')
      await expectText(page, '[data-testid=my-access]', 'read')
      assert.equal(await page.locator('[data-testid=detail-edit]').count(), 0)
      assert.equal(await page.locator('[data-testid=detail-delete]').count(), 0)

      // A save from the edit page's URL is refused, with the role it needs.
      await page.goto(`${maestro.server.url}${recordUrl}/edit`)
      await page.fill('[data-field=provider]', 'AWS')
      await page.click('[data-testid=form-save]')
      await expectText(
        page,
        '[data-testid=form-error]',
        'Not saved — you need write access to this record; you have read. Ask an admin of the record for more access.',
      )
      assertClean([httpError(403, apiPath)])

      // A bulk delete names the record and why, and the record stays.
      await page.goto(`${maestro.server.url}/inventory/datacenters`)
      await expectRows(page, [id])
      await page.click(`[data-select="${id}"]`)
      await page.click('[data-testid=bulk-delete]')
      await page.click('[data-testid=confirm-button]')
      await expectText(page, '[data-testid=bulk-message]', 'The record could not be deleted.')
      await expectText(
        page,
        `[data-testid=bulk-failures] li[data-id="${id}"]`,
        'shared-dc: you need admin access to this record; you have read',
      )
      await expectRows(page, [id])
      await screenshot(page, 'bulk-refused')
      assertClean([httpError(403, apiPath)])

      // The team may write: Bob edits it.
      await share('write')
      await page.goto(`${maestro.server.url}${recordUrl}`)
      await expectText(page, '[data-testid=my-access]', 'write')
      await page.click('[data-testid=detail-edit]')
      await page.waitForURL(`**${recordUrl}/edit`)
      await page.fill('[data-field=provider]', 'AWS')
      await page.click('[data-testid=form-save]')
      await page.waitForURL((url) => url.pathname === recordUrl)
      await expectText(page, '[data-show=provider] dd', 'AWS')
      await expectText(page, '[data-testid=record-version]', '2')
      assert.equal(await page.locator('[data-testid=detail-delete]').count(), 0, 'write is not admin')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
