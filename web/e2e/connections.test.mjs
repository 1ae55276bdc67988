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
// through the wizard: the upload and S3 inputs checked, an upload id the
// server does not know and a period it refuses each shown under its input,
// the file uploaded, the file's servers found. Last, when an sshd can be
// started (OpenSSH's, on a free port of 127.0.0.1, with keys made by
// ssh-keygen in a temporary directory), a JSON file read over SSH: a host key
// that is no SHA256 fingerprint refused, Test credentials showing the
// server's key, "Pin this host key" opening the edit with only the key filled
// in, and the pinned key sent with the SSH fields typed again.
//
// Run from web/ after `npm run build` (no maildev needed):
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/connections.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the pages there as maestro-connections-*.png.

import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { after, before, describe, test } from 'node:test'
import {
  assertStopsCleanly,
  expectText,
  expectTextMatch,
  freePort,
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
      // One paged list from GET /api/datacenters/<id>/orphans, newest change first: db-1 was deactivated last.
      await expectText(page, '[data-testid=orphans] [data-testid=orphans-total]', '2')
      const orphanRows = page.locator('[data-testid=orphans-table] tbody tr')
      assert.deepEqual(await orphanRows.evaluateAll((rows) => rows.map((row) => row.dataset.hostname)), ['db-1', 'legacy-1'])
      await expectTextMatch(
        page,
        '[data-testid=orphans-table] tr[data-hostname=db-1][data-orphan=gone]',
        new RegExp(`db-1.*inactive.*gone at the provider.*connection:${id}`),
      )
      await expectTextMatch(page, '[data-testid=orphans-table] tr[data-hostname=legacy-1][data-orphan=undiscovered]', /legacy-1.*never discovered.*manual/)
      const orphans = await api('GET', `/api/datacenters/${datacenterId}/orphans?page=1&limit=20`)
      assert.equal(orphans.status, 200)
      assert.deepEqual(
        orphans.body.items.map((server) => [server.hostname, server.active, server.source]),
        [['db-1', false, `connection:${id}`], ['legacy-1', true, 'manual']],
      )
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

      // An upload id the server does not know (the upload's answer is replaced): the create's 422 is shown under the file input.
      await page.route('**/api/uploads', (route) =>
        route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ upload: '01ARZ3NDEKTSV4RRFFQ69G5FAV', size: 2 }) }),
      )
      await page.setInputFiles('#connection-upload', { name: 'lost.json', mimeType: 'application/json', buffer: Buffer.from('{}') })
      await expectText(page, '[data-testid=upload-state]', 'Uploaded lost.json (2 bytes).')
      await page.unroute('**/api/uploads')
      await page.click('[data-testid=wizard-next]')
      await page.locator('[data-testid=step-regions]').waitFor()
      await page.click('[data-testid=wizard-next]')
      await page.locator('[data-testid=step-resources]').waitFor()
      for (const row of await page.locator('[data-testid=step-resources] tr[data-resource]').all()) {
        if ((await row.getAttribute('data-resource')) !== 'server-list') await row.locator('[data-testid=resource-enabled]').uncheck()
      }
      await page.fill('#connection-name', 'Inventory file')
      await page.click('[data-testid=connection-save]')
      await page.locator('[data-testid=step-credentials]').waitFor()
      await expectText(page, '[data-testid=form-error]', 'Check the highlighted fields.')
      await expectText(
        page,
        '[data-testid=step-credentials] [data-field-error]',
        'File is not a file you uploaded: upload it first (POST /api/uploads)',
      )
      assertClean([httpError(422, '/api/connections')])

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

const SSHD = '/usr/sbin/sshd'
const SSH_KEYGEN = '/usr/bin/ssh-keygen'
const run = promisify(execFile)

/**
 * OpenSSH's sshd on a free port of 127.0.0.1, in a temporary directory: its
 * own host key, one client key allowed for the current user, SFTP, and a JSON
 * inventory file. Resolves to null when sshd or ssh-keygen is missing or
 * sshd does not start.
 */
async function startSshd() {
  if (!existsSync(SSHD) || !existsSync(SSH_KEYGEN)) return null
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maestro-e2e-sshd-'))
  const port = await freePort()
  for (const name of ['host_key', 'client_key']) {
    await run(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)])
  }
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client_key.pub')))
  await chmod(path.join(dir, 'authorized_keys'), 0o600)
  await writeFile(path.join(dir, 'inventory.json'), JSON.stringify({ servers: [{ hostname: 'ssh-1' }, { hostname: 'ssh-2' }] }))
  await writeFile(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  )
  const fingerprint = (await run(SSH_KEYGEN, ['-lf', path.join(dir, 'host_key.pub')])).stdout.split(/\s+/)[1]
  const child = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    await rm(dir, { recursive: true, force: true })
  }
  for (let tries = 0; tries < 100 && !output.includes('Server listening'); tries++) {
    if (child.exitCode !== null) break
    await sleep(50)
  }
  if (!output.includes('Server listening')) {
    await stop()
    return null
  }
  return {
    port,
    fingerprint,
    user: os.userInfo().username,
    file: path.join(dir, 'inventory.json'),
    privateKey: await readFile(path.join(dir, 'client_key'), 'utf8'),
    stop,
  }
}

describe('connections: a JSON file over SSH, its host key pinned', () => {
  const maestro = useMaestro({ signUp: USER })
  let sshd = null

  before(async () => {
    sshd = await startSshd()
  })

  after(async () => {
    await sshd?.stop()
  })

  test('the SSH location, Test credentials showing the host key, and pinning it', async (t) => {
    if (!sshd) {
      t.skip('no OpenSSH sshd could be started here')
      return
    }
    const datacenter = await maestro.api('POST', '/api/datacenters', { name: 'Files', provider: 'json' })
    assert.equal(datacenter.status, 201, JSON.stringify(datacenter.body))
    const { page, close, assertClean } = await openPage()
    try {
      await signInThroughPage(page, maestro.server, USER, '/discovery/connections/new')
      await page.selectOption('#connection-datacenter', datacenter.body.id)
      await page.click('[data-testid=wizard-next]')
      await page.click('[data-provider=json]')
      await page.click('[data-testid=wizard-next]')
      await page.locator('[data-testid=step-credentials]').waitFor()
      await page.click('label[data-source=ssh]')
      await page.fill('#ssh-host', '127.0.0.1')
      await page.fill('#ssh-port', String(sshd.port))
      await page.fill('#ssh-user', sshd.user)
      await page.fill('#ssh-path', sshd.file)
      await page.fill('#ssh-private_key', sshd.privateKey)
      // The host key is optional, and must be a SHA256 fingerprint when given.
      await page.fill('#ssh-host_key', 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48')
      await page.click('[data-testid=wizard-next]')
      await expectText(
        page,
        '[data-testid=step-credentials] [data-field-error]',
        "Host key (SHA256 fingerprint) (optional) must be the server's SHA256 fingerprint, as ssh-keygen -lf prints it (SHA256:…)",
      )
      await page.fill('#ssh-host_key', '')
      await page.click('[data-testid=wizard-next]')
      await page.locator('[data-testid=step-regions]').waitFor()
      await page.click('[data-testid=wizard-next]')
      await page.locator('[data-testid=step-resources]').waitFor()
      for (const row of await page.locator('[data-testid=step-resources] tr[data-resource]').all()) {
        if ((await row.getAttribute('data-resource')) !== 'server-list') await row.locator('[data-testid=resource-enabled]').uncheck()
      }
      await page.fill('#connection-name', 'Inventory over SSH')
      await page.click('[data-testid=connection-save]')
      await page.waitForURL((url) => /^\/discovery\/connections\/[0-9A-Z]{26}$/.test(url.pathname))
      const id = pathOf(page).split('/').pop()
      const row = '[data-testid=resources-table] tr[data-resource=server-list]'
      await page.locator(`${row}[data-state=success]`).waitFor()
      await expectText(page, `${row} [data-count=created]`, '2')

      // Test credentials: the server's host key, offered for pinning.
      await page.click('[data-testid=connection-test]')
      await expectText(page, '[data-testid=test-result][data-ok=true] [data-testid=pin-host-key]', 'Pin this host key')
      await expectTextMatch(page, '[data-testid=test-result]', new RegExp(`\\(SSH host key ${sshd.fingerprint.replace(/[+/]/g, '\\$&')}, not pinned`))
      await screenshot(page, 'connections-ssh-test')
      await page.click('[data-testid=pin-host-key]')
      await page.waitForURL((url) => url.pathname === `/discovery/connections/${id}/edit`)
      await page.locator('[data-testid=pin-note]').waitFor()
      await screenshot(page, 'connections-ssh-pin')
      assert.equal(await page.isChecked('[data-testid=replace-credentials]'), true, 'the credentials are to be replaced')
      assert.equal(await page.inputValue('#ssh-host_key'), sshd.fingerprint)
      for (const field of ['host', 'port', 'user', 'path', 'private_key']) {
        assert.equal(await page.inputValue(`#ssh-${field}`), '', `${field} is not known to the page`)
      }
      // Saving needs the other fields again.
      await page.click('[data-testid=connection-save]')
      await expectText(page, '[data-testid=form-error]', 'Check the highlighted fields.')
      await expectTextMatch(page, '[data-testid=step-credentials]', /Host is required/)
      await page.fill('#ssh-host', '127.0.0.1')
      await page.fill('#ssh-port', String(sshd.port))
      await page.fill('#ssh-user', sshd.user)
      await page.fill('#ssh-path', sshd.file)
      await page.fill('#ssh-private_key', sshd.privateKey)
      const patched = page.waitForRequest((request) => request.method() === 'PATCH' && request.url().endsWith(`/api/connections/${id}`))
      await page.click('[data-testid=connection-save]')
      assert.deepEqual((await patched).postDataJSON().credentials, {
        ssh: { host: '127.0.0.1', port: sshd.port, user: sshd.user, path: sshd.file, private_key: sshd.privateKey, host_key: sshd.fingerprint },
      })
      await page.waitForURL((url) => url.pathname === `/discovery/connections/${id}`)
      await page.click('[data-testid=connection-test]')
      await expectTextMatch(page, '[data-testid=test-result][data-ok=true]', /JSON file read: 2 items \(SSH host key SHA256:[^,]+, pinned\)/)
      assert.equal(await page.locator('[data-testid=pin-host-key]').count(), 0, 'a pinned key is not offered again')

      // The pin is kept: another key pinned through the API makes the test fail.
      const wrong = await maestro.api('PATCH', `/api/connections/${id}`, {
        credentials: {
          ssh: { host: '127.0.0.1', port: sshd.port, user: sshd.user, path: sshd.file, private_key: sshd.privateKey, host_key: `SHA256:${'A'.repeat(43)}` },
        },
      })
      assert.equal(wrong.status, 200, JSON.stringify(wrong.body))
      await page.click('[data-testid=connection-test]')
      await expectTextMatch(page, '[data-testid=test-result][data-ok=false]', /not the pinned SHA256:A{43}/)
      assert.equal(await page.locator('[data-testid=pin-host-key]').count(), 0, 'a failed test offers no key')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
