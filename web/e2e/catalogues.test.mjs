// End-to-end test of the two catalogues on the settings page against the real
// `maestro serve`: the instance admin (the first user) filters the services
// catalogue, adds a service and saves the list, finds it again after a reload,
// and sees the server refuse a duplicate name on the row that has it; a second
// user sees the catalogues without any way to change them.
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/catalogues.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the pages there as maestro-catalogues-*.png.

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

const ADMIN = { name: 'Ada', email: 'ada@example.com', password: 'correct horse battery staple' }
const READER = { name: 'Rey', email: 'rey@example.com', password: 'another horse battery staple' }

const SERVICES = '[data-catalogue=service_catalogue]'
const FLAVORS = '[data-catalogue=flavor_catalogue]'

const openPage = useBrowser()

describe('the services and flavor catalogues on the settings page', () => {
  const maestro = useMaestro({ signUp: ADMIN }) // the first user, an instance admin
  let stored // the number of services as shipped

  before(async () => {
    const catalogue = await maestro.api('GET', '/api/options/service_catalogue')
    assert.equal(catalogue.status, 200, 'GET /api/options/service_catalogue (is the server recent enough?)')
    stored = catalogue.body.length
    assert.ok(stored > 100, `the services catalogue ships with hundreds of items, not ${stored}`)
  })

  test('the admin filters, adds a service, saves it and is refused a duplicate', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, ADMIN, '/settings')
      await expectText(page, 'h1', 'Settings')
      const services = page.locator(SERVICES)
      await expectText(page, `${SERVICES} h2`, 'Services catalogue')
      await expectText(page, `${SERVICES} [data-testid=catalogue-range]`, `Showing 1–25 of ${stored}`)
      assert.equal(await services.locator('[data-testid=catalogue-row]').count(), 25, 'one page of rows, not all')
      // The generic cards no longer show the catalogues.
      assert.equal(await page.locator('[data-option=service_catalogue], [data-option=flavor_catalogue]').count(), 0)

      // The filter looks at names and families, whatever the case.
      await services.locator('[data-testid=catalogue-filter]').fill('postgres')
      await services.locator('[data-testid=catalogue-row][data-name=PostgreSQL]').waitFor()
      await expectTextMatch(page, `${SERVICES} [data-testid=catalogue-range]`, /of \d+ matching “postgres” \(\d+ in all\)/)
      for (const name of await services.locator('[data-testid=catalogue-row]').evaluateAll((rows) =>
        rows.map((row) => row.dataset.name),
      )) {
        assert.match(name, /postgres/i, `${name} should match "postgres"`)
      }
      await expectTextMatch(page, `${SERVICES} [data-name=PostgreSQL] [data-field=family]`, /Database/)

      // The flavor catalogue has its own table and filter.
      const flavors = page.locator(FLAVORS)
      await flavors.locator('[data-testid=catalogue-filter]').fill('standard_b2s')
      await flavors.locator('[data-testid=catalogue-row][data-name=Standard_B2s]').waitFor()
      await expectText(page, `${FLAVORS} [data-name=Standard_B2s] [data-field=vcpus]`, '2')
      await expectText(page, `${FLAVORS} [data-name=Standard_B2s] [data-field=memory]`, '4')
      await screenshot(page, 'catalogues-filter')

      // Add acme-agent and save the list.
      await services.locator('[data-testid=catalogue-add]').click()
      const editing = services.locator('tr.row-editing')
      await editing.locator('input[data-field=name]').fill('acme-agent')
      await editing.locator('input[data-field=family]').fill('Monitoring, Agent')
      await editing.locator('input[data-field=tags]').fill('acme, observability')
      await editing.locator('[data-testid=catalogue-apply]').click()
      await services.locator('[data-testid=catalogue-dirty]').waitFor()
      await services.locator('[data-testid=catalogue-save]').click()
      await expectText(
        page,
        `${SERVICES} [data-testid=catalogue-saved]`,
        `Saved the services catalogue: ${stored + 1} services.`,
      )
      assert.equal(await services.locator('[data-testid=catalogue-dirty]').count(), 0)
      const saved = await maestro.api('GET', '/api/options/service_catalogue')
      assert.deepEqual(
        saved.body.find((item) => item.name === 'acme-agent'),
        { name: 'acme-agent', family: ['Monitoring', 'Agent'], tags: ['acme', 'observability'] },
      )
      assert.equal(saved.body.length, stored + 1)

      // After a reload the service is there.
      await page.reload()
      await services.locator('[data-testid=catalogue-filter]').fill('ACME')
      await services.locator('[data-testid=catalogue-row][data-name=acme-agent]').waitFor()
      await expectTextMatch(page, `${SERVICES} [data-name=acme-agent] [data-field=family]`, /^\s*Monitoring\s*Agent\s*$/)

      // A second acme-agent (another case) is refused, and the problem shows on its row.
      await services.locator('[data-testid=catalogue-add]').click()
      await editing.locator('input[data-field=name]').fill('ACME-Agent')
      await editing.locator('input[data-field=name]').press('Enter')
      await services.locator('[data-testid=catalogue-save]').click()
      await expectText(page, `${SERVICES} [data-testid=catalogue-error-summary]`, 'Not saved: 1 problem in the list.')
      await expectText(
        page,
        `${SERVICES} [data-testid=catalogue-error] li`,
        `Row ${stored + 2} “ACME-Agent”: name is already in the catalogue`,
      )
      const duplicate = services.locator('[data-testid=catalogue-row][data-name=ACME-Agent]')
      const problem = services.locator('[data-testid=catalogue-row-problems]')
      await expectText(page, `${SERVICES} [data-testid=catalogue-row-problems]`, 'name is already in the catalogue')
      assert.equal(await problem.count(), 1)
      assert.equal(
        await problem.getAttribute('data-position'),
        await duplicate.getAttribute('data-position'),
        'the problem is shown under the row it names',
      )
      assert.equal(await duplicate.getAttribute('data-position'), String(stored + 1))
      await services.locator('[data-testid=catalogue-dirty]').waitFor()
      await screenshot(page, 'catalogues-duplicate')
      const unchanged = await maestro.api('GET', '/api/options/service_catalogue')
      assert.equal(unchanged.body.length, stored + 1, 'the refused list was not stored')

      // Removing the duplicate leaves nothing to save.
      await duplicate.locator('[data-testid=catalogue-remove]').click()
      assert.equal(await services.locator('[data-testid=catalogue-dirty]').count(), 0)
      assert.equal(await services.locator('[data-testid=catalogue-save]').isDisabled(), true)

      assertClean([httpError(422, '/api/options/service_catalogue')])
    } finally {
      await close()
    }
  })

  test('another user sees the catalogues read-only', async () => {
    const token = await signUpThroughApi(maestro.server, READER)
    const refused = await apiRequest(maestro.server, token, 'PATCH', '/api/options/service_catalogue', [])
    assert.equal(refused.status, 403, 'PATCH /api/options/service_catalogue by a non-admin')

    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, READER, '/settings')
      await expectText(page, 'h1', 'Settings')
      const services = page.locator(SERVICES)
      await expectText(page, `${SERVICES} [data-testid=catalogue-range]`, `Showing 1–25 of ${stored + 1}`)
      await services.locator('[data-testid=catalogue-filter]').fill('acme')
      await services.locator('[data-testid=catalogue-row][data-name=acme-agent]').waitFor()
      await page.locator(FLAVORS).locator('[data-testid=catalogue-row]').first().waitFor()
      const controls = [
        'catalogue-add',
        'catalogue-edit',
        'catalogue-remove',
        'catalogue-save',
        'catalogue-discard',
      ].map((id) => `[data-testid=settings-catalogues] [data-testid=${id}]`)
      assert.equal(await page.locator(controls.join(', ')).count(), 0, 'no edit controls for a non-admin')
      assert.equal(await page.locator('[data-testid=settings-catalogues] input:not([type=search])').count(), 0)
      await screenshot(page, 'catalogues-read-only')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
