// End-to-end test of the dashboard, the import page, the relation pickers and
// the settings against the real `maestro serve`: sign up (API) and sign in →
// the dashboard counts a server created through the API → import a JSON file
// ("created 2" and one per-record error) → an application created through the
// form, linked to a server with the picker → the server's page lists it on its
// Applications tab → the settings show env_options and the admin changes one list.
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/inventory-extras.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the pages there as maestro-extras-*.png.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  assertStopsCleanly,
  expectText,
  expectTextMatch,
  pathOf,
  screenshot,
  signInThroughPage,
  useBrowser,
  useMaestro,
} from './support.mjs'

const USER = { name: 'Grace', email: 'grace@example.com', password: 'correct horse battery staple' }

// Two good records and one the server refuses (cpu is not a number).
const IMPORT_FILE = {
  servers: [
    {
      hostname: 'imp-db-1',
      os: { base: 'Linux' },
      environment: 'Staging',
      datacenters: { name: 'Frankfurt', provider: 'AWS', region: 'eu-central-1' },
    },
    { hostname: 'imp-bad', cpu: 'many' },
  ],
  applications: [{ name: 'imp-billing', family: 'Applications', environment: 'Staging' }],
}

const openPage = useBrowser()

describe('dashboard, import, relation pickers and settings', () => {
  const maestro = useMaestro({ signUp: USER })
  const { api } = maestro

  test('the whole story', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      // Sign in; home is the dashboard, with nothing counted yet.
      await signInThroughPage(page, maestro.server, USER)
      await expectText(page, 'h1', 'Dashboard')
      const serversCount = '[data-testid=dashboard-counts] [data-kind=servers] [data-testid=count-value]'
      await expectText(page, serversCount, '0')

      // A server made elsewhere shows in the counts and the charts.
      const web = await api('POST', '/api/servers', {
        hostname: 'web-1',
        environment: 'Production',
        os: { base: 'Linux', dist: 'Debian', version: '12' },
      })
      assert.equal(web.status, 201, 'POST /api/servers')
      await page.reload()
      await expectText(page, serversCount, '1')
      await expectTextMatch(page, '[data-testid=chart-servers-environment]', /Production\s*:?\s*1/)
      await expectTextMatch(page, '[data-testid=chart-servers-os]', /Linux/)
      await expectTextMatch(page, '[data-testid=chart-servers-provider]', /Not set/)
      await screenshot(page, 'extras-dashboard')

      // Import a JSON file through the import page.
      await page.click('[data-testid=dashboard-import]')
      await page.waitForURL('**/inventory/import')
      await expectText(page, 'h1', 'Import')
      await page.setInputFiles('#import-file', {
        name: 'inventory.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(IMPORT_FILE)),
      })
      await page.click('[data-testid=import-submit]')
      await expectText(page, '[data-testid=import-totals] [data-total=created] dd', '2')
      await expectText(page, '[data-testid=import-totals] [data-total=failed] dd', '1')
      await expectText(page, '[data-testid=import-totals] [data-total=total] dd', '3')
      const errorRows = page.locator('[data-testid=import-errors] tbody tr')
      assert.equal(await errorRows.count(), 1)
      assert.match((await errorRows.first().innerText()).replace(/\s+/g, ' '), /servers 1 .*cpu/)
      await screenshot(page, 'extras-import')

      // An application through the form, linked to web-1 with the picker.
      await page.goto(`${maestro.server.url}/inventory/applications/new`)
      await page.fill('[data-field=name]', 'storefront')
      await page.selectOption('[data-field=family]', 'Application')
      const serversPicker = page.locator('[data-section=servers] [data-relation=servers]')
      await serversPicker.getByRole('combobox').fill('web')
      await serversPicker.locator('[role=option]', { hasText: 'web-1' }).click()
      await expectTextMatch(page, '[data-relation=servers] [data-testid=relation-item]', /web-1/)
      // A dependency on the imported application, with how it is reached.
      const depsPicker = page.locator('[data-section=dependencies] [data-relation=deps]')
      await depsPicker.getByRole('combobox').fill('imp-bill')
      await depsPicker.locator('[role=option]', { hasText: 'imp-billing' }).click()
      await depsPicker.locator('[data-attr=via]').fill('rest')
      await screenshot(page, 'extras-form')
      await page.click('[data-testid=form-save]')
      await page.waitForURL((url) => /^\/inventory\/applications\/[0-9A-Z]{26}$/.test(url.pathname))
      await expectText(page, 'h1', 'storefront')
      await page.click('[data-testid=tab-servers]')
      await expectTextMatch(page, '[data-testid=group-servers]', /servers\s*web-1/i)
      await page.click('[data-testid=tab-dependencies]')
      await expectTextMatch(page, '[data-testid=group-dependencies]', /deps\s*imp-billing \(rest\)/i)
      const appId = pathOf(page).split('/').pop()

      // The server's page lists the application on its Applications tab.
      await page.goto(`${maestro.server.url}/inventory/servers/${web.body.id}?tab=applications`)
      await expectText(page, 'h1', 'web-1')
      await expectTextMatch(page, '[data-testid=group-applications]', /applications\s*storefront/i)
      await screenshot(page, 'extras-server')

      // Editing the application without touching the links keeps them.
      await page.goto(`${maestro.server.url}/inventory/applications/${appId}/edit`)
      await expectTextMatch(page, '[data-relation=servers] [data-testid=relation-item]', /web-1/)
      await page.fill('[data-field=description]', 'The shop front')
      await page.click('[data-testid=form-save]')
      await page.waitForURL(`**/inventory/applications/${appId}`)
      const stored = await api('GET', `/api/applications/${appId}`)
      assert.deepEqual(
        stored.body.servers.map((item) => item.name),
        ['web-1'],
      )
      assert.equal(stored.body.deps[0].via, 'rest')

      // Settings: env_options is shown; the admin (first user) changes its environments.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Settings', exact: true }).click()
      await page.waitForURL('**/settings')
      await expectText(page, 'h1', 'Settings')
      const env = page.locator('[data-option=env_options]')
      await expectTextMatch(page, '[data-option=env_options]', /environments\s*Production\s*Staging/i)
      await env.locator('[data-testid=option-edit]').click()
      const textarea = env.locator('[data-testid=option-json]')
      await textarea.fill('{ "environments": [')
      await expectTextMatch(page, '[data-option=env_options] [data-testid=option-json-error]', /Not valid JSON/)
      assert.equal(await env.locator('[data-testid=option-save]').isDisabled(), true)
      const current = (await api('GET', '/api/options/env_options')).body
      current.environments = ['Production', 'Staging', 'QA']
      await textarea.fill(JSON.stringify(current, null, 2))
      await env.locator('[data-testid=option-save]').click()
      await expectTextMatch(page, '[data-option=env_options] [data-testid=option-saved]', /Saved/)
      await expectTextMatch(page, '[data-option=env_options]', /environments\s*Production\s*Staging\s*QA\s*sizes/i)
      const options = await api('GET', '/api/options/env_options')
      assert.deepEqual(options.body.environments, ['Production', 'Staging', 'QA'])
      assert.ok(Array.isArray(options.body.sizes) && options.body.sizes.length > 0, 'sizes kept')
      await screenshot(page, 'extras-settings')

      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
