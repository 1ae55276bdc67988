// End-to-end test of the generic record pages against the real `maestro serve`:
// sign up (API) and sign in (login page) → create a datacenter through the
// form (after the server's 422 for the empty form) → create a server on it →
// its datacenter and applications on their tabs → see it in the servers list → search → edit its hostname → the history shows
// "hostname: old → new" and the old version → delete → gone from the list,
// listed under "deleted".
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/records.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the list, form, detail and history
// pages there as maestro-records-*.png.

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe, test } from 'node:test'
import {
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

const openPage = useBrowser()

/** Waits for the record page a form sends to after saving; returns the record's id. */
async function savedRecordId(page, listPath) {
  await page.waitForURL((url) => new RegExp(`^${listPath}/[0-9A-Z]{26}$`).test(url.pathname))
  return pathOf(page).split('/').pop()
}

describe('records of every kind through the generic pages', () => {
  // maestro.token is the same user's, for changes "from elsewhere"
  const maestro = useMaestro({ signUp: USER })

  test('create, list, filter, search, edit, history, a stale edit, delete', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      // Sign in through the login page; it returns to the datacenters.
      await signInThroughPage(page, maestro.server, USER, '/inventory/datacenters')
      await expectText(page, 'h1', 'Datacenters')
      await expectText(page, '[data-testid=list-empty]', 'No datacenters yet.')

      // A datacenter through the form: the empty form first gets the server's problems.
      await page.click('[data-testid=list-new]')
      await page.waitForURL('**/inventory/datacenters/new')
      await page.click('[data-testid=form-save]')
      await expectText(page, '[data-testid=form-error]', 'Check the highlighted fields.')
      await expectTextMatch(page, '.record-input:has([data-field=name]) [data-field-error]', /Name is required/)
      await expectTextMatch(page, '.record-input:has([data-field=provider]) [data-field-error]', /Provider is required/)
      assertClean([httpError(422, '/api/datacenters')])

      await page.fill('[data-field=name]', 'Paris 1')
      await page.fill('[data-field=provider]', 'OVH')
      await page.click('[data-field=regions] [data-add=regions]')
      await page.fill('[data-field="regions.0"]', 'eu-west-par')
      await page.click('[data-testid=form-save]')
      const datacenterId = await savedRecordId(page, '/inventory/datacenters')
      await expectText(page, 'h1', 'Paris 1')
      await expectText(page, '[data-show=regions] dd', 'eu-west-par')

      // A server on it, with its OS.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Servers', exact: true }).click()
      await page.waitForURL('**/inventory/servers')
      await page.click('[data-testid=list-new]')
      await page.waitForURL('**/inventory/servers/new')
      await page.fill('[data-field=hostname]', 'web-1')
      await page.fill('[data-field=ipv4_private]', '10.1.0.7')
      await page.selectOption('[data-field="os.base"]', 'Linux')
      await page.fill('[data-field="os.dist"]', 'Debian')
      await page.fill('[data-field="os.version"]', '12')
      await page.fill('[data-field="datacenter.id"]', datacenterId)
      await screenshot(page, 'records-form')
      await page.click('[data-testid=form-save]')
      const serverId = await savedRecordId(page, '/inventory/servers')
      await expectText(page, 'h1', 'web-1')
      await expectText(page, '[data-testid=record-fields] [data-show=hostname] dd', 'web-1')
      await screenshot(page, 'records-detail')
      // The datacenter is on its own tab, as a link to the datacenter's page.
      await page.click('[data-testid=tab-datacenter]')
      await expectText(page, '[data-testid=group-datacenter] [data-show="datacenter.id"] dd', datacenterId)
      assert.equal(
        await page.locator('[data-testid=group-datacenter] [data-show="datacenter.id"] a').getAttribute('href'),
        `/inventory/datacenters/${datacenterId}`,
      )

      // An application linked to the server through the API (the pickers are in inventory-extras)
      // shows on the server's page, and editing the server later keeps the link.
      const linked = await fetch(`${maestro.server.url}/api/applications`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${maestro.token}` },
        body: JSON.stringify({ name: 'shop', family: 'Application', servers: [serverId] }),
      })
      assert.equal(linked.status, 201, 'POST /api/applications')
      await page.click('[data-testid=tab-applications]')
      await page.waitForURL((url) => url.searchParams.get('tab') === 'applications')
      await page.reload()
      await expectTextMatch(page, '[data-testid=group-applications]', /applications\s*shop/i)

      // The list shows it, with the OS as one phrase.
      await page.click('.detail-bar a[href="/inventory/servers"]')
      await page.waitForURL('**/inventory/servers')
      const row = page.locator(`[data-testid=record-table] tr[data-id="${serverId}"]`)
      await row.waitFor()
      assert.match((await row.innerText()).replace(/\s+/g, ' '), /web-1 10\.1\.0\.7 .*Linux Debian 12/)
      await expectText(page, '[data-testid=list-range]', '1–1 of 1')
      await screenshot(page, 'records-list')

      // Sorting by a column header, an object column by its first field.
      await page.click('[data-sort=hostname]')
      await page.waitForURL((url) => url.searchParams.get('sort') === 'hostname')
      await page.click('[data-sort=hostname]')
      await page.waitForURL((url) => url.searchParams.get('sort') === '-hostname')
      await page.click('[data-sort="os.base"]')
      await page.waitForURL((url) => url.searchParams.get('sort') === 'os.base')
      await row.waitFor()

      // The page shown, as CSV.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=list-export]')])
      assert.equal(download.suggestedFilename(), 'servers-page-1.csv')
      const csv = await readFile(await download.path(), 'utf8')
      assert.equal(
        csv,
        'id,hostname,ipv4_private,environment,role,os,status\r\n' + `${serverId},web-1,10.1.0.7,,,Linux Debian 12,\r\n`,
      )

      // A filter on a field inside an object, then a miss on a number; then none.
      await page.selectOption('[data-testid=filter-field]', 'os.base')
      await page.selectOption('[data-testid=filter-op]', 'eq')
      await page.selectOption('[data-testid=filter-value]', 'Linux')
      await page.click('[data-testid=filter-add]')
      await page.waitForURL((url) => url.searchParams.get('filter') === '[{"field":"os.base","op":"eq","value":"Linux"}]')
      await expectText(page, '[data-testid=filter-chips]', 'OS › Base is Linux')
      await row.waitFor()
      await page.selectOption('[data-testid=filter-field]', 'cpu')
      await page.selectOption('[data-testid=filter-op]', 'gte')
      await page.fill('[data-testid=filter-value]', '8')
      await page.click('[data-testid=filter-add]')
      await expectText(page, '[data-testid=list-empty]', 'Nothing matches.')
      await page.click('[data-testid=filter-chips] button[aria-label^="Remove filter OS"]')
      await page.click('[data-testid=filter-chips] button[aria-label^="Remove filter CPU"]')
      await page.waitForURL((url) => !url.searchParams.has('filter'))
      await row.waitFor()

      // Search: a match and a miss.
      await page.fill('[data-testid=list-search]', 'web')
      await page.waitForURL((url) => url.searchParams.get('q') === 'web')
      await row.waitFor()
      await page.fill('[data-testid=list-search]', 'no-such-host')
      await page.waitForURL((url) => url.searchParams.get('q') === 'no-such-host')
      await expectText(page, '[data-testid=list-empty]', 'Nothing matches.')
      await page.fill('[data-testid=list-search]', 'web-1')
      await page.waitForURL((url) => url.searchParams.get('q') === 'web-1')

      // Edit the hostname.
      await row.click()
      await page.waitForURL(`**/inventory/servers/${serverId}`)
      await page.click('[data-testid=detail-edit]')
      await page.waitForURL(`**/inventory/servers/${serverId}/edit`)
      assert.equal(await page.inputValue('[data-field=hostname]'), 'web-1')
      assert.equal(await page.inputValue('[data-field="os.base"]'), 'Linux')
      await page.fill('[data-field=hostname]', 'web-2')
      await page.click('[data-testid=form-save]')
      await page.waitForURL(`**/inventory/servers/${serverId}`)
      await expectText(page, 'h1', 'web-2')
      await expectText(page, '[data-testid=record-version]', '2')

      // The history names the change and shows the version before it.
      await page.click('[data-testid=tab-history]')
      await expectText(page, '[data-version="2"] [data-change]', 'hostname: web-1 → web-2')
      await expectTextMatch(page, '[data-version="1"]', /Create/i)
      await screenshot(page, 'records-history')
      await page.click('[data-view-version="1"]')
      await expectText(page, '[data-testid=snapshot] [data-show=hostname] dd', 'web-1')
      await page.keyboard.press('Escape')
      await page.locator('[data-testid=snapshot]').waitFor({ state: 'detached' })

      // An edit of a record changed meanwhile is refused (412) and offers a reload.
      await page.click('[data-testid=detail-edit]')
      await page.waitForURL(`**/inventory/servers/${serverId}/edit`)
      await page.locator('[data-field=role]').waitFor()
      const elsewhere = await fetch(`${maestro.server.url}/api/servers/${serverId}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${maestro.token}` },
        body: JSON.stringify({ role: 'frontend' }),
      })
      assert.equal(elsewhere.status, 200, 'PATCH from elsewhere')
      await page.fill('[data-field=hostname]', 'web-3')
      await page.click('[data-testid=form-save]')
      await expectTextMatch(page, '[data-testid=form-error]', /changed meanwhile — reload/)
      assertClean([httpError(412, `/api/servers/${serverId}`)])
      await page.click('[data-testid=form-reload]')
      await page.waitForFunction(() => document.querySelector('[data-field=role]')?.value === 'frontend')
      assert.equal(await page.inputValue('[data-field=hostname]'), 'web-2')
      await page.click('[data-testid=record-form] a:has-text("Cancel")')
      await page.waitForURL(`**/inventory/servers/${serverId}`)

      // Delete: gone from the list, there under "deleted".
      await page.click('[data-testid=detail-delete]')
      await page.click('[data-testid=confirm-button]')
      await page.waitForURL((url) => url.pathname === '/inventory/servers')
      await page.fill('[data-testid=list-search]', '')
      await page.waitForURL((url) => !url.searchParams.has('q'))
      await expectText(page, '[data-testid=list-empty]', 'No servers yet.')
      await page.selectOption('[data-testid=list-active]', 'false')
      await page.waitForURL((url) => url.searchParams.get('active') === 'false')
      const deleted = page.locator(`[data-testid=record-table] tr[data-id="${serverId}"]`)
      await deleted.waitFor()
      assert.match((await deleted.innerText()).replace(/\s+/g, ' '), /web-2\s*deleted/)

      // Databases: applications with family Database, none yet.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Databases', exact: true }).click()
      await page.waitForURL('**/inventory/databases')
      await expectText(page, '[data-testid=list-empty]', 'No databases yet.')
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Resources', exact: true }).click()
      await page.click('[data-testid=resource-links] a[href="/inventory/resources/volumes"]')
      await expectText(page, '[data-testid=list-empty]', 'No volumes yet.')
      await page.goto(`${maestro.server.url}/inventory/servers?active=false`)

      // Its page offers Restore instead of Edit and Delete.
      await page.locator(`[data-testid=record-table] tr[data-id="${serverId}"]`).click()
      await page.waitForURL(`**/inventory/servers/${serverId}`)
      await page.locator('[data-testid=detail-restore]').waitFor()
      assert.equal(await page.locator('[data-testid=detail-delete]').count(), 0)
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
