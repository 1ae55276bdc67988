// End-to-end test of discovery against the real `maestro serve`: a local HTTP
// server (node:http on 127.0.0.1) imitates DigitalOcean's API — GET
// /v2/account, and GET /v2/droplets in two pages linked by `links.pages.next`
// — and answers 401 to any other bearer token. Register → a datacenter
// through the form → the Connections wizard (datacenter → provider, the
// datacenter's own → credentials, with the policy → the endpoint under
// Advanced → resources and name) → the connection's page → Test credentials → Sync now, its progress
// and the status turning success → the list's Sync now → the discovered
// droplets in the servers list → a droplet gone from the provider becomes an
// orphan on the datacenter's page, beside a server entered by hand → an edit
// with a wrong token, which the test then reports → delete. Then a JSON file
// through the wizard: the upload and S3 inputs checked, the file uploaded, a
// period the server refuses shown under its input, the file's servers found.
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/connections.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the pages there as maestro-connections-*.png.

import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, describe, test } from 'node:test'
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
const SESSION_KEY = 'maestro.session'
const DO_TOKEN = 'dop_v1_e2e_read_only'
const DATACENTER = 'DO NYC3'
const NAME = 'DigitalOcean production'
/** An inventory file of the original Maestro's JSON format. */
const FILE = { servers: [{ hostname: 'file-1', ipv4_private: '10.1.0.1' }, { hostname: 'file-2' }] }

const openPage = useBrowser()

function droplet(id, name, host) {
  return {
    id,
    name,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    status: 'active',
    size_slug: 's-1vcpu-1gb',
    region: { slug: 'nyc3' },
    image: { id: 1, distribution: 'Ubuntu', name: '20.04 (LTS) x64' },
    networks: {
      v4: [
        { ip_address: `10.0.0.${host}`, type: 'private' },
        { ip_address: `203.0.113.${host}`, type: 'public' },
      ],
      v6: [],
    },
    tags: ['env:prod'],
    volume_ids: [],
  }
}

/**
 * DigitalOcean's API as far as Maestro's server-list and credentials test use
 * it. `droplets` may be changed between syncs; `requests` records method,
 * path and Authorization of each call.
 */
function startFakeDigitalOcean() {
  const state = {
    droplets: [droplet(3164444, 'web-1', 5), droplet(3164445, 'web-2', 6), droplet(3164446, 'db-1', 7)],
  }
  const requests = []
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method, path: request.url, authorization: request.headers.authorization })
    const send = (status, body) => {
      response.writeHead(status, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    if (request.headers.authorization !== `Bearer ${DO_TOKEN}`) {
      send(401, { id: 'Unauthorized', message: 'Unable to authenticate you' })
      return
    }
    const url = new URL(request.url, 'http://fake')
    if (request.method === 'GET' && url.pathname === '/v2/account') {
      send(200, { account: { email: 'ops@example.com', status: 'active' } })
      return
    }
    if (request.method === 'GET' && url.pathname === '/v2/droplets') {
      // Two droplets on page 1, the rest on page 2.
      const second = url.searchParams.get('page') === '2'
      const droplets = second ? state.droplets.slice(2) : state.droplets.slice(0, 2)
      const pages = second ? {} : { next: `${fake.url}/v2/droplets?page=2&per_page=200` }
      send(200, { droplets, links: { pages }, meta: { total: state.droplets.length } })
      return
    }
    send(404, { id: 'not_found', message: 'The resource you were accessing could not be found.' })
  })
  const fake = { url: '', state, requests, close: () => new Promise((done) => server.close(() => done())) }
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      fake.url = `http://127.0.0.1:${server.address().port}`
      resolve(fake)
    })
  })
}

describe('connections: a DigitalOcean account discovered through the wizard', () => {
  const maestro = useMaestro()
  let fake

  before(async () => {
    fake = await startFakeDigitalOcean()
  })

  after(async () => {
    await fake?.close()
  })

  test('wizard, test, sync with live progress, discovered servers, orphans, edit', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      // Sign up: the register page signs in straight away.
      await page.goto(`${maestro.server.url}/register`)
      await page.fill('#register-name', USER.name)
      await page.fill('#register-email', USER.email)
      await page.fill('#register-password', USER.password)
      await page.fill('#register-confirm', USER.password)
      await page.click('[data-testid=register-form] button[type=submit]')
      await page.waitForURL('**/profile')
      const token = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY)).token
      const api = async (method, urlPath, body) => {
        const response = await fetch(`${maestro.server.url}${urlPath}`, {
          method,
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        const text = await response.text()
        return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
      }

      // A datacenter through the form.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Datacenters', exact: true }).click()
      await page.click('[data-testid=list-new]')
      await page.waitForURL('**/inventory/datacenters/new')
      await page.fill('[data-field=name]', DATACENTER)
      await page.fill('[data-field=provider]', 'DigitalOcean')
      await page.click('[data-testid=form-save]')
      await page.waitForURL((url) => /^\/inventory\/datacenters\/[0-9A-Z]{26}$/.test(url.pathname))
      const datacenterId = pathOf(page).split('/').pop()
      await expectText(page, 'h1', DATACENTER)

      // Connections, from the navigation: none yet.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Connections', exact: true }).click()
      await page.waitForURL('**/discovery/connections')
      await expectText(page, 'h1', 'Connections')
      await expectTextMatch(page, '[data-testid=connections-empty]', /No connections yet\./)

      // The wizard: each step is checked before the next.
      await page.click('[data-testid=connection-new]')
      await page.waitForURL('**/discovery/connections/new')
      await expectText(page, 'h1', 'New connection')
      await page.click('[data-testid=wizard-next]')
      await expectText(page, '[data-testid=step-datacenter] [data-field-error]', 'Datacenter choose the datacenter its records go to')
      await page.selectOption('#connection-datacenter', datacenterId)
      await page.click('[data-testid=wizard-next]')

      // The datacenter's provider is chosen already.
      await page.locator('[data-testid=step-provider]').waitFor()
      await page.locator('[data-provider=digitalocean].selected').waitFor()
      await expectTextMatch(page, '[data-provider=aws]', /Amazon Web Services/)
      await page.click('[data-testid=wizard-next]')

      await page.locator('[data-testid=step-credentials]').waitFor()
      assert.equal(await page.getAttribute('#credential-token', 'type'), 'password', 'the token is a secret')
      await expectTextMatch(page, '[data-testid=policy-text]', /Read scope only/)
      await page.fill('#credential-token', DO_TOKEN)
      await screenshot(page, 'connections-wizard-credentials')
      await page.click('[data-testid=wizard-next]')

      await page.locator('[data-testid=step-regions]').waitFor()
      assert.equal(await page.locator('#connection-endpoint').isVisible(), false, 'the endpoint is an advanced setting')
      await page.click('[data-testid=advanced-toggle]')
      await page.fill('#connection-endpoint', 'not a url')
      await page.click('[data-testid=wizard-next]')
      await expectText(page, '[data-testid=step-regions] [data-field-error]', 'Endpoint must be an http:// or https:// URL')
      await page.fill('#connection-endpoint', fake.url)
      await page.click('[data-testid=wizard-next]')

      // Resources: the provider's, on, with their default periods; only the droplets are kept.
      await page.locator('[data-testid=step-resources]').waitFor()
      assert.equal(await page.inputValue('#connection-name'), `DigitalOcean – ${DATACENTER}`, 'a name is suggested')
      assert.equal(await page.inputValue('[data-resource=server-list] [data-testid=resource-every]'), '5m')
      assert.equal(await page.inputValue('[data-resource=snapshot-list] [data-testid=resource-every]'), '14d')
      for (const row of await page.locator('[data-testid=step-resources] tr[data-resource]').all()) {
        const resource = await row.getAttribute('data-resource')
        assert.equal(await row.locator('[data-testid=resource-enabled]').isChecked(), true, `${resource} is on`)
        if (resource !== 'server-list') await row.locator('[data-testid=resource-enabled]').uncheck()
      }
      await page.fill('[data-resource=server-list] [data-testid=resource-every]', '1d')
      await page.fill('#connection-name', NAME)
      await screenshot(page, 'connections-wizard-resources')
      await page.click('[data-testid=connection-save]')

      // The connection's page.
      await page.waitForURL((url) => /^\/discovery\/connections\/[0-9A-Z]{26}$/.test(url.pathname))
      const id = pathOf(page).split('/').pop()
      await expectText(page, '[data-testid=connection-name]', NAME)
      await expectText(page, '[data-testid=connection-datacenter]', DATACENTER)
      const stored = await api('GET', `/api/connections/${id}`)
      assert.equal(stored.status, 200)
      assert.equal(stored.body.provider, 'digitalocean')
      assert.equal(stored.body.datacenter, datacenterId)
      assert.equal(stored.body.endpoint, fake.url)
      assert.deepEqual(stored.body.credentials, { token: 'set' }, 'credentials are never read back')
      assert.deepEqual(
        Object.fromEntries(Object.entries(stored.body.resources).map(([name, value]) => [name, [value.enabled, value.every]])),
        {
          'server-list': [true, '1d'],
          'loadbalance-list': [false, '6h'],
          'volumes-list': [false, '6h'],
          'container-orchestration-list': [false, '1d'],
          'cdns-list': [false, '5d'],
          'network-list': [false, '7d'],
          'snapshot-list': [false, '14d'],
          'images-list': [false, '14d'],
        },
      )

      // Test credentials: the provider's answer.
      await page.click('[data-testid=connection-test]')
      await expectTextMatch(page, '[data-testid=test-result][data-ok=true]', /The credentials work\..*ops@example\.com/)

      // Its resource's schedule is in the scheduler, and leads back to it.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Scheduler', exact: true }).click()
      await page.waitForURL('**/scheduler')
      const schedule = page.locator('[data-testid=schedules-table] tr', { hasText: `${NAME}: server-list` })
      await expectTextMatch(page, '[data-testid=schedules-table]', /Every day/)
      await schedule.locator('a.schedule-link').click()
      await expectText(page, '[data-testid=schedule-sync]', 'server-list of its connection')
      await page.click('[data-testid=schedule-sync] a')
      await page.waitForURL(`**/discovery/connections/${id}`)

      // A new connection syncs right away; Sync now runs it again, with its progress on the page.
      const row = '[data-testid=resources-table] tr[data-resource=server-list]'
      await page.locator(`${row}[data-state=success]`).waitFor()
      const listedBefore = fake.requests.filter((request) => request.path.startsWith('/v2/droplets')).length
      await page.click('[data-testid=connection-sync]')
      await page.locator('[data-testid=sync-progress]').waitFor()
      await expectText(page, '[data-testid=sync-progress] p', 'Sync finished')
      await page.locator('[data-testid=sync-progress] .progress-bar.bg-success').waitFor()
      await expectText(page, `${row} [data-testid=resource-message]`, '0 created, 0 updated, 3 unchanged, 0 deactivated')
      await expectText(page, `${row} [data-count=unchanged]`, '3')
      await expectText(page, `${row} [data-testid=resource-state]`, 'Synced')
      await page.locator('[data-testid=connection-jobs] tr[data-status=succeeded]').first().waitFor()
      await expectTextMatch(
        page,
        '[data-testid=connection-jobs] tr[data-status=succeeded] [data-testid=job-outcome]',
        /unchanged/,
      )
      await expectText(page, '[data-testid=connection-jobs] tr[data-status=succeeded] [data-testid=job-subject]', 'server-list')
      const listings = fake.requests.filter((request) => request.path.startsWith('/v2/droplets')).slice(listedBefore)
      assert.deepEqual(
        listings.map((request) => request.path),
        ['/v2/droplets?per_page=200', '/v2/droplets?page=2&per_page=200'],
        'Sync now lists both pages of droplets',
      )
      assert.ok(fake.requests.every((request) => request.authorization === `Bearer ${DO_TOKEN}`), 'every call carries the token')
      await screenshot(page, 'connections-page')

      // "Servers it found": the servers list, filtered by the connection's source.
      await page.click('[data-testid=connection-servers]')
      await page.waitForURL((url) => url.pathname === '/inventory/servers' && url.searchParams.has('filter'))
      for (const hostname of ['web-1', 'web-2', 'db-1']) {
        await page.locator('main table tbody tr', { hasText: hostname }).first().waitFor()
      }
      await page.goBack()
      await page.waitForURL(`**/discovery/connections/${id}`)
      await expectText(page, '[data-testid=connection-name]', NAME)

      // The list: a success badge per resource, and Sync now with a live progress bar.
      await page.click('text=All connections')
      await page.waitForURL('**/discovery/connections')
      const listRow = `[data-testid=connections-table] tr[data-id="${id}"]`
      await page.locator(`${listRow} [data-resource=server-list][data-state=success]`).waitFor()
      assert.ok(
        (await page.locator(`${listRow} [data-resource=server-list]`).getAttribute('class')).includes('text-bg-success'),
        'the badge is green',
      )
      await expectTextMatch(page, `${listRow} td:nth-child(2)`, /^\s*DigitalOcean\s*$/)
      await expectText(page, `${listRow} td:nth-child(3)`, DATACENTER)
      assert.notEqual((await page.locator(`${listRow} [data-testid=connection-last-sync]`).innerText()).trim(), 'never')
      await page.click(`${listRow} [data-testid=connection-sync]`)
      await page.locator(`${listRow} [data-testid=job-progress]`).waitFor()
      await page.locator(`${listRow} [data-testid=job-progress] .progress-bar.bg-success`).waitFor()
      await expectTextMatch(page, '[data-testid=connections-notice]', /Syncing “DigitalOcean production”: 1 resource queued\./)
      await screenshot(page, 'connections-list')

      // The droplets are servers of the datacenter now.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Servers', exact: true }).click()
      await page.waitForURL('**/inventory/servers')
      for (const hostname of ['web-1', 'web-2', 'db-1']) {
        await page.locator('main table tbody tr', { hasText: hostname }).first().waitFor()
      }
      const servers = await api('GET', `/api/servers?source=connection:${id}`)
      assert.deepEqual(servers.body.items.map((server) => server.hostname).sort(), ['db-1', 'web-1', 'web-2'])
      const web1 = servers.body.items.find((server) => server.hostname === 'web-1')
      assert.equal(web1.ipv4_private, '10.0.0.5')
      assert.equal(web1.ipv4_public, '203.0.113.5')
      assert.equal(web1.datacenter.id, datacenterId)

      // db-1 is gone from DigitalOcean: after a sync it is an orphan, beside a server entered by hand.
      const manual = await api('POST', '/api/servers', { hostname: 'legacy-1', datacenter: { id: datacenterId } })
      assert.equal(manual.status, 201, JSON.stringify(manual.body))
      fake.state.droplets = fake.state.droplets.filter((item) => item.name !== 'db-1')
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Connections', exact: true }).click()
      await page.click(`[data-testid=connections-table] tr[data-id="${id}"] a.connection-link`)
      await page.waitForURL(`**/discovery/connections/${id}`)
      await page.locator(`${row}[data-state=success]`).waitFor()
      await page.click('[data-testid=connection-sync]')
      await expectText(page, `${row} [data-testid=resource-message]`, '0 created, 0 updated, 2 unchanged, 1 deactivated')
      await page.click('[data-testid=connection-datacenter]')
      await page.waitForURL(`**/inventory/datacenters/${datacenterId}`)
      await page.click('[data-testid=tab-orphans]')
      await page.waitForURL((url) => url.searchParams.get('tab') === 'orphans')
      await expectText(page, '[data-testid=orphans-gone] [data-testid=orphans-total]', '1')
      await expectTextMatch(page, '[data-testid=orphans-gone] tr[data-hostname=db-1]', new RegExp(`db-1.*inactive.*connection:${id}`))
      await expectText(page, '[data-testid=orphans-undiscovered] [data-testid=orphans-total]', '1')
      await expectTextMatch(page, '[data-testid=orphans-undiscovered] tr[data-hostname=legacy-1]', /legacy-1.*manual/)
      await screenshot(page, 'connections-orphans')

      // Edit: the stored settings come back; a wrong token replaces the right one, and the test says so.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Connections', exact: true }).click()
      await page.click(`[data-testid=connections-table] tr[data-id="${id}"] a.connection-link`)
      await page.click('[data-testid=connection-edit]')
      await page.waitForURL(`**/discovery/connections/${id}/edit`)
      await expectText(page, 'h1', `Edit ${NAME}`)
      assert.equal(await page.inputValue('#connection-name'), NAME)
      assert.equal(await page.inputValue('#connection-endpoint'), fake.url)
      assert.equal(await page.inputValue('[data-resource=server-list] [data-testid=resource-every]'), '1d')
      assert.equal(await page.locator('#credential-token').count(), 0, 'credentials are kept unless replaced')
      await page.check('[data-testid=replace-credentials]')
      await page.fill('#credential-token', 'dop_v1_wrong')
      await page.fill('#connection-name', `${NAME} (old token)`)
      await screenshot(page, 'connections-edit')
      await page.click('[data-testid=connection-save]')
      await page.waitForURL(`**/discovery/connections/${id}`)
      await expectText(page, '[data-testid=connection-name]', `${NAME} (old token)`)
      await page.click('[data-testid=connection-test]')
      await expectTextMatch(page, '[data-testid=test-result][data-ok=false]', /The credentials do not work\..*401/)
      const edited = await api('GET', `/api/connections/${id}`)
      assert.equal(edited.body.resources['server-list'].every, '1d', 'the edit kept the period')

      // Deleted after the confirmation; the servers it found stay.
      await page.click('[data-testid=connection-delete]')
      await page.click('[data-testid=confirm-button]')
      await page.waitForURL((url) => url.pathname === '/discovery/connections')
      await expectTextMatch(page, '[data-testid=connections-empty]', /No connections yet\./)
      assert.equal((await api('GET', `/api/connections/${id}`)).status, 404)
      assert.equal((await api('GET', `/api/servers?source=connection:${id}`)).body.total, 2)
      assertClean()
    } finally {
      await close()
    }
  })

  test("a JSON file uploaded through the wizard, with the server's problem under its input", async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, '/discovery/connections/new')
      await expectText(page, 'h1', 'New connection')
      await page.selectOption('#connection-datacenter', { label: `${DATACENTER} (DigitalOcean)` })
      await page.click('[data-testid=wizard-next]')
      await page.click('[data-provider=json]')
      await page.click('[data-testid=wizard-next]')

      // A file provider: an upload, an SSH or an S3 location; each is checked before going on.
      await page.locator('[data-testid=step-credentials]').waitFor()
      await expectTextMatch(page, '[data-testid=policy-text]', /only reads the file/)
      await page.click('[data-testid=wizard-next]')
      await expectText(page, '[data-testid=step-credentials] [data-field-error]', 'File choose a file to upload')
      await page.click('label[data-source=s3]')
      await page.fill('#s3-bucket', 'inventories')
      await page.click('[data-testid=wizard-next]')
      await expectText(page, '[data-testid=step-credentials] [data-field-error]', 'Key (path) of the file is required')
      assert.equal(await page.getAttribute('#s3-secret_key', 'type'), 'password')
      await screenshot(page, 'connections-wizard-file')
      await page.click('label[data-source=upload]')
      await page.setInputFiles('#connection-upload', {
        name: 'inventory.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(FILE)),
      })
      await expectTextMatch(page, '[data-testid=upload-state]', /^Uploaded inventory\.json \(\d+ bytes\)\.$/)
      await page.click('[data-testid=wizard-next]')
      await page.locator('[data-testid=step-regions]').waitFor()
      await page.click('[data-testid=wizard-next]')

      // A period the server refuses: its problem under the input, on the step that has it.
      await page.locator('[data-testid=step-resources]').waitFor()
      for (const row of await page.locator('[data-testid=step-resources] tr[data-resource]').all()) {
        if ((await row.getAttribute('data-resource')) !== 'server-list') await row.locator('[data-testid=resource-enabled]').uncheck()
      }
      await page.fill('[data-resource=server-list] [data-testid=resource-every]', '400d')
      await page.fill('#connection-name', 'Inventory file')
      await page.click('[data-testid=connection-save]')
      await expectText(page, '[data-testid=form-error]', 'Check the highlighted fields.')
      await expectTextMatch(
        page,
        '[data-resource=server-list] [data-field-error]',
        /^Every must be at most 366 days \(366d, 52w\), got '400d'$/,
      )
      assert.equal(pathOf(page), '/discovery/connections/new', 'still in the wizard')
      assertClean([httpError(422, '/api/connections')])
      await page.fill('[data-resource=server-list] [data-testid=resource-every]', '1d')
      await page.click('[data-testid=connection-save]')

      await page.waitForURL((url) => /^\/discovery\/connections\/[0-9A-Z]{26}$/.test(url.pathname))
      const row = '[data-testid=resources-table] tr[data-resource=server-list]'
      await page.locator(`${row}[data-state=success]`).waitFor()
      await expectText(page, `${row} [data-count=created]`, '2')
      await expectTextMatch(page, '[data-testid=connection-details]', /upload/)
      await page.click('[data-testid=connection-servers]')
      await page.waitForURL((url) => url.pathname === '/inventory/servers' && url.searchParams.has('filter'))
      for (const hostname of ['file-1', 'file-2']) {
        await page.locator('main table tbody tr', { hasText: hostname }).first().waitFor()
      }
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
