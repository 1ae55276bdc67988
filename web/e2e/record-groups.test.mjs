// End-to-end test of the kinds' groups (GET /api/kinds, `groups`) against the
// real `maestro serve`: a server created through the API, with its OS, its
// storage and an application linked to it → its page has a tab per group (OS,
// Storage, Applications, …) showing those values and links, which "Details"
// does not repeat, and `?tab=` keeps the tab over a reload → an application's
// form shows the Database section once family is Database (and Targets for
// Loadbalance); saved, its page has a Database tab → an application of family
// Application has none, and a Database section filled then hidden is not sent.
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/record-groups.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the pages there as maestro-groups-*.png.

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

const USER = { name: 'Hedy', email: 'hedy@example.com', password: 'correct horse battery staple' }

const openPage = useBrowser()

/** The labels of the record page's tabs, in order. */
function tabLabels(page) {
  return page.locator('[role=tablist] [role=tab]').evaluateAll((tabs) => tabs.map((tab) => tab.textContent.trim()))
}

/** Waits for the record page a form sends to after saving; returns the record's id. */
async function savedRecordId(page, listPath) {
  await page.waitForURL((url) => new RegExp(`^${listPath}/[0-9A-Z]{26}$`).test(url.pathname))
  return pathOf(page).split('/').pop()
}

describe('record pages and forms grouped as the kinds say', () => {
  const maestro = useMaestro({ signUp: USER })
  const { api } = maestro

  test('a server page: one tab per group, Details without them, the tab in the URL', async () => {
    const created = await api('POST', '/api/servers', {
      hostname: 'db-1',
      ipv4_private: '10.2.0.5',
      os: { base: 'Linux', dist: 'Debian', version: '12' },
      cpu: 8,
      memory: 32,
      storage: [{ name: 'data', mount: '/srv', size: 500 }],
    })
    assert.equal(created.status, 201, `POST /api/servers: ${JSON.stringify(created.body)}`)
    const serverId = created.body.id
    const app = await api('POST', '/api/applications', { name: 'ledger', family: 'Application', servers: [serverId] })
    assert.equal(app.status, 201, `POST /api/applications: ${JSON.stringify(app.body)}`)
    const appId = app.body.id
    const serverPath = `/inventory/servers/${serverId}`

    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, serverPath)
      await expectText(page, 'h1', 'db-1')
      assert.deepEqual(await tabLabels(page), [
        'Details',
        'OS',
        'Storage',
        'Datacenter',
        'Auth',
        'Services',
        'Applications',
        'History',
        'Access',
      ])

      // Details: the fields in no group, not those of the tabs.
      const details = page.locator('[data-testid=record-fields]')
      await expectText(page, '[data-testid=record-fields] [data-show=hostname] dd', 'db-1')
      await expectText(page, '[data-testid=record-fields] [data-show=ipv4_private] dd', '10.2.0.5')
      for (const field of ['os.base', 'os.dist', 'cpu', 'memory', 'datacenter.id']) {
        assert.equal(await details.locator(`[data-show="${field}"]`).count(), 0, `${field} is not on Details`)
      }
      const detailsText = await details.innerText()
      assert.doesNotMatch(detailsText, /Debian|\/srv|ledger|Storage|Applications/, 'Details repeats no group')
      assert.equal(await page.locator('[data-testid=record-relations]').count(), 0, 'no Related block on Details')

      // OS: its object and the numbers beside it; the URL names the tab.
      await page.click('[data-testid=tab-os]')
      await page.waitForURL((url) => url.searchParams.get('tab') === 'os')
      await expectText(page, '[data-testid=group-os] [data-show="os.base"] dd', 'Linux')
      await expectText(page, '[data-testid=group-os] [data-show="os.dist"] dd', 'Debian')
      await expectText(page, '[data-testid=group-os] [data-show="os.version"] dd', '12')
      await expectText(page, '[data-testid=group-os] [data-show=cpu] dd', '8')
      await expectText(page, '[data-testid=group-os] [data-show=memory] dd', '32')
      assert.equal(await page.locator('[data-testid=group-os] [data-show=hostname]').count(), 0)
      assert.equal(await page.locator('[data-testid=record-fields]').count(), 0, 'Details is not shown with OS')

      // Storage: the disks as a table.
      await page.click('[data-testid=tab-storage]')
      await page.waitForURL((url) => url.searchParams.get('tab') === 'storage')
      const disk = page.locator('[data-testid=group-storage] tbody tr').first()
      await disk.waitFor()
      assert.match((await disk.innerText()).replace(/\s+/g, ' '), /^data \/srv 500\b/)
      assert.equal(await page.locator('[data-testid=group-storage] [data-show="os.dist"]').count(), 0)

      // Applications: the linked application, as a link to its page; a reload keeps the tab.
      await page.click('[data-testid=tab-applications]')
      await page.waitForURL((url) => url.searchParams.get('tab') === 'applications')
      const appLink = page.locator(`[data-testid=group-applications] [data-relation-show=applications] [data-link="${appId}"] a`)
      await expectText(page, `[data-testid=group-applications] [data-link="${appId}"]`, 'ledger')
      assert.equal(await appLink.getAttribute('href'), `/inventory/applications/${appId}`)
      await screenshot(page, 'groups-server-applications')
      await page.reload()
      await expectText(page, `[data-testid=group-applications] [data-link="${appId}"]`, 'ledger')
      assert.equal(await page.locator('[data-testid=tab-applications]').getAttribute('aria-selected'), 'true')

      // Back on Details the query is gone; the link opens the application.
      await page.click('[data-testid=tab-details]')
      await page.waitForURL((url) => url.pathname === serverPath && !url.searchParams.has('tab'))
      await expectText(page, '[data-testid=record-fields] [data-show=hostname] dd', 'db-1')
      await page.goto(`${maestro.server.url}${serverPath}?tab=applications`)
      await appLink.click()
      await page.waitForURL((url) => url.pathname === `/inventory/applications/${appId}`)
      await expectText(page, 'h1', 'ledger')

      // An application of family Application: no Database (nor Targets) tab, even when asked for.
      assert.deepEqual(await tabLabels(page), [
        'Details',
        'Spec',
        'Servers',
        'Systems',
        'Dependencies',
        'Deploy',
        'History',
        'Access',
      ])
      await page.goto(`${maestro.server.url}/inventory/applications/${appId}?tab=database`)
      await expectText(page, '[data-testid=record-fields] [data-show=name] dd', 'ledger')
      assert.equal(await page.locator('[data-testid=tab-database]').count(), 0)
      // Its Servers tab links back to the server.
      await page.click('[data-testid=tab-servers]')
      const back = page.locator(`[data-testid=group-servers] [data-link="${serverId}"] a`)
      await back.waitFor()
      assert.equal(await back.getAttribute('href'), serverPath)
      assertClean()
    } finally {
      await close()
    }
  })

  test('an application form: the Database and Targets sections follow the family', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, '/inventory/applications/new')
      await page.locator('[data-field=name]').waitFor()
      const sectionKeys = () =>
        page.locator('[data-testid=record-form] [data-section]').evaluateAll((nodes) => nodes.map((node) => node.dataset.section))
      assert.deepEqual(await sectionKeys(), ['details', 'spec', 'servers', 'systems', 'dependencies', 'deploy'])
      await expectText(page, '[data-section=spec] h2', 'Spec')
      assert.equal(await page.locator('[data-section=details] [data-field="database.engine"]').count(), 0)

      // Family Database: the Database section, with the oracle and mysql parts.
      await page.fill('[data-field=name]', 'orders-db')
      await page.selectOption('[data-field=family]', 'Database')
      const database = page.locator('[data-section=database]')
      await database.waitFor()
      assert.deepEqual(await sectionKeys(), ['details', 'spec', 'database', 'servers', 'systems', 'dependencies', 'deploy'])
      for (const field of ['engine', 'version', 'type', 'role', 'cluster', 'oracle', 'mysql.mode']) {
        assert.equal(await database.locator(`[data-field="database.${field}"]`).count(), 1, `database.${field}`)
      }
      assert.equal(await page.locator('[data-section=targets]').count(), 0)
      await page.fill('[data-field="database.engine"]', 'PostgreSQL')

      // Loadbalance shows the targets instead; back to Database, the engine is still there.
      await page.selectOption('[data-field=family]', 'Loadbalance')
      await page.locator('[data-section=targets] [data-relation=targets]').waitFor()
      assert.equal(await page.locator('[data-section=database]').count(), 0)
      await page.selectOption('[data-field=family]', 'Database')
      await database.waitFor()
      assert.equal(await page.inputValue('[data-field="database.engine"]'), 'PostgreSQL')
      await screenshot(page, 'groups-form-database')

      await page.click('[data-testid=form-save]')
      const dbId = await savedRecordId(page, '/inventory/applications')
      await expectText(page, 'h1', 'orders-db')
      assert.deepEqual(await tabLabels(page), [
        'Details',
        'Spec',
        'Database',
        'Servers',
        'Systems',
        'Dependencies',
        'Deploy',
        'History',
        'Access',
      ])
      await page.click('[data-testid=tab-database]')
      await page.waitForURL((url) => url.searchParams.get('tab') === 'database')
      await expectText(page, '[data-testid=group-database] [data-show="database.engine"] dd', 'PostgreSQL')
      await screenshot(page, 'groups-database-tab')
      const stored = await api('GET', `/api/applications/${dbId}`)
      assert.deepEqual(stored.body.database, { engine: 'PostgreSQL' })

      // A Database section filled, then hidden by another family, is not sent.
      await page.goto(`${maestro.server.url}/inventory/applications/new`)
      await page.fill('[data-field=name]', 'orders-api')
      await page.selectOption('[data-field=family]', 'Database')
      await page.fill('[data-field="database.engine"]', 'MySQL')
      await page.selectOption('[data-field=family]', 'Application')
      await page.locator('[data-section=database]').waitFor({ state: 'detached' })
      await page.click('[data-testid=form-save]')
      const appId = await savedRecordId(page, '/inventory/applications')
      await expectText(page, 'h1', 'orders-api')
      assert.equal(await page.locator('[data-testid=tab-database]').count(), 0, 'no Database tab for an Application')
      const plain = await api('GET', `/api/applications/${appId}`)
      assert.equal(plain.body.family, 'Application')
      assert.equal(plain.body.database, undefined, 'the hidden Database section was not sent')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
