// End-to-end test of reports against the real `maestro serve`: the inventory
// (two clients with systems, applications and servers) is made through the
// API; then, in the browser, a pivot report clients → systems → applications
// → servers is built for one client with the filter builder, generated, its
// rows read in the Table tab, a chart of the servers' environments added in the
// Charts tab, and the CSV and the Excel file downloaded and read back.
//
// Run from web/ after `npm run build`:
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/reports.test.mjs

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
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

const openPage = useBrowser()

describe('reports: build a pivot, read it, chart it, export it', () => {
  const maestro = useMaestro({ signUp: USER })

  async function create(kind, body) {
    const answer = await maestro.api('POST', `/api/${kind}`, body)
    assert.equal(answer.status, 201, `POST /api/${kind}: ${JSON.stringify(answer.body)}`)
    return answer.body.id
  }

  test('a pivot report for one client shows its rows, a chart, a CSV and an Excel file', async () => {
    const acme = await create('clients', { name: 'ACME' })
    const globex = await create('clients', { name: 'Globex' })
    const shop = await create('systems', { name: 'shop', clients: [acme] })
    await create('systems', { name: 'lonely', clients: [acme] })
    const gsys = await create('systems', { name: 'gsys', clients: [globex] })
    const web1 = await create('servers', { hostname: 'web-1', environment: 'Production', ipv4_private: '10.0.0.1' })
    const web2 = await create('servers', { hostname: 'web-2', environment: 'Staging' })
    const gs = await create('servers', { hostname: 'globex-1', environment: 'Production' })
    await create('applications', { name: 'storefront', family: 'Application', systems: [shop], servers: [web1, web2] })
    await create('applications', { name: 'gapp', family: 'Application', systems: [gsys], servers: [gs] })

    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, '/reports')
      await expectText(page, 'h1', 'Reports')
      await expectTextMatch(page, '[data-testid=reports-empty]', /No reports yet\./)

      // The builder: a pivot over the whole chain; a missing link is named before saving.
      await page.click('[data-testid=report-new]')
      await page.waitForURL('**/reports/new')
      await page.fill('#report-name', 'ACME estate')
      await page.click('[data-level=systems] input')
      await page.click('[data-level=applications] input')
      await expectText(page, '[data-testid=chain-problem]', 'No link from clients to servers: add systems and applications between them.')
      await page.click('[data-level=systems] input')
      await page.click('[data-level=applications] input')
      assert.equal(await page.locator('[data-testid=chain-problem]').count(), 0, 'the chain is linked again')
      assert.equal(await page.locator('[data-testid=report-level]').count(), 4)

      // One client: name is ACME.
      const clients = page.locator('[data-testid=report-level][data-kind=clients]')
      await clients.locator('[data-testid=filter-field]').selectOption('name')
      await clients.locator('[data-testid=filter-op]').selectOption('eq')
      await clients.locator('[data-testid=filter-value]').fill('ACME')
      await clients.locator('[data-testid=filter-add]').click()
      await expectText(page, '[data-kind=clients] [data-testid=level-filters] li', 'name is ACME')
      await screenshot(page, 'report-builder')
      await page.click('[data-testid=report-save]')
      await page.waitForURL((url) => /^\/reports\/(?!new$)[^/]+$/.test(url.pathname))
      const id = pathOf(page).split('/').pop()

      // Generated: the table shows one row per path, the empty system included.
      await expectText(page, '[data-testid=report-status]', 'Ready')
      await expectText(page, '[data-testid=report-total]', '3 rows')
      await page.locator('[data-testid=rows-table] tbody tr').nth(2).waitFor()
      const hosts = await page.locator('[data-testid=rows-table] td[data-column="servers.hostname"]').allInnerTexts()
      assert.deepEqual(hosts.sort(), ['', 'web-1', 'web-2'])
      const systems = await page.locator('[data-testid=rows-table] td[data-column="systems.name"]').allInnerTexts()
      assert.deepEqual(systems.sort(), ['lonely', 'shop', 'shop'])
      assert.equal(await page.getByText('globex-1').count(), 0, 'the other client is not in it')
      // Sorting and the quick filter.
      await page.click('[data-sort="servers.hostname"]')
      await page.click('[data-sort="servers.hostname"]')
      await expectText(page, '[data-testid=rows-table] tbody tr:first-child td[data-column="servers.hostname"]', 'web-2')
      await page.fill('[data-testid=rows-filter]', 'staging')
      await expectText(page, '[data-testid=rows-total]', '1 rows')
      await page.fill('[data-testid=rows-filter]', '')
      await expectText(page, '[data-testid=rows-total]', '3 rows')

      // A chart of the servers' environments.
      await page.click('[data-tab=charts]')
      await page.selectOption('[data-testid=chart-by]', 'servers.environment')
      await page.selectOption('[data-testid=chart-kind]', 'bar')
      await page.click('[data-testid=chart-add]')
      const chart = page.locator('[data-testid=report-chart][data-by="servers.environment"]')
      await chart.locator('[data-testid=chart-counts]').waitFor()
      assert.deepEqual(await chart.locator('[data-testid=chart-counts] li').allInnerTexts(), ['Production: 1', 'Staging: 1'])
      const box = await chart.locator('canvas').boundingBox()
      assert.ok(box && box.width > 100 && box.height > 100, `the chart is drawn: ${JSON.stringify(box)}`)
      await screenshot(page, 'report-charts')

      // The CSV: parsed back.
      const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-export=csv]')])
      assert.equal(csvDownload.suggestedFilename(), 'ACME_estate.csv')
      const csv = await readFile(await csvDownload.path(), 'utf8')
      const lines = csv.trim().split('\r\n')
      assert.equal(lines.length, 4, csv)
      const header = lines[0].split(',')
      assert.ok(header.includes('clients.name') && header.includes('servers.hostname') && header.includes('servers.os.base'), lines[0])
      const hostAt = header.indexOf('servers.hostname')
      assert.deepEqual(lines.slice(1).map((line) => line.split(',')[hostAt]).sort(), ['', 'web-1', 'web-2'])
      await expectTextMatch(page, '[data-testid=report-notice]', /Downloaded ACME_estate\.csv/)

      // The Excel file: a zip with the rows in its sheet.
      const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-export=xlsx]')])
      assert.equal(xlsxDownload.suggestedFilename(), 'ACME_estate.xlsx')
      const xlsxPath = await xlsxDownload.path()
      const bytes = await readFile(xlsxPath)
      assert.equal(bytes.subarray(0, 2).toString(), 'PK')
      const sheet = execFileSync('unzip', ['-p', xlsxPath, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' })
      assert.match(sheet, /<autoFilter ref="A1:[A-Z]+4"\/>/)
      assert.match(sheet, /web-1/)
      assert.match(sheet, /servers\.hostname/)

      // Info: the definition, and a daily refresh through the scheduler.
      await page.click('[data-tab=info]')
      await expectTextMatch(page, '[data-testid=report-info]', /Filters of clients\s*name is ACME/)
      await page.click('[data-testid=report-refresh-daily]')
      await expectTextMatch(page, '[data-testid=report-refresh]', /Refresh ACME estate \(1d\)/)
      const schedules = await maestro.api('GET', '/api/schedules')
      assert.deepEqual(schedules.body.items.map((s) => [s.task, s.args.id, s.every]), [['report', id, '1d']])

      // The list shows it as ready.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Reports', exact: true }).click()
      await page.waitForURL('**/reports')
      await expectText(page, `[data-testid=reports-table] tr[data-id="${id}"] [data-testid=report-status]`, 'Ready')
      assertClean()
    } finally {
      await close()
    }
  })

  test('analytics for a datacenter makes its server and application reports, refreshed daily', async () => {
    const dc = await create('datacenters', { name: 'eu-west', provider: 'AWS' })
    await create('servers', { hostname: 'eu-1', environment: 'Production', datacenter: { id: dc, region: 'eu-west-1' } })
    await create('servers', { hostname: 'elsewhere-1', environment: 'Production' })
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, `/inventory/datacenters/${dc}`)
      await page.click('[data-testid=datacenter-analytics]')
      await page.waitForURL('**/reports')
      const servers = page.locator('[data-testid=reports-table] tr[data-report="Servers of eu-west"]')
      await servers.waitFor()
      await expectText(page, '[data-testid=reports-table] tr[data-report="Servers of eu-west"] [data-testid=report-status]', 'Ready')
      await page.locator('[data-testid=reports-table] tr[data-report="Applications of eu-west"]').waitFor()
      const id = await servers.getAttribute('data-id')
      const rows = await maestro.api('GET', `/api/reports/${id}/rows`)
      assert.deepEqual(rows.body.items.map((row) => [row.hostname, row.datacenter.provider]), [['eu-1', 'AWS']])
      const schedules = await maestro.api('GET', '/api/schedules')
      const refreshes = schedules.body.items.filter((s) => s.name.startsWith('Refresh ') && s.name.endsWith('of eu-west'))
      assert.deepEqual(refreshes.map((s) => [s.task, s.every]), [['report', '1d'], ['report', '1d']])
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
