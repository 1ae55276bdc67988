// End-to-end test of graphs against the real `maestro serve`: from a system's
// page, the dependency-tree wizard builds a chain of four applications
// (storefront → orders → payments → ledger; storefront the system's entry
// point; orders and ledger created on the spot, payments picked from the
// inventory), a pending dependency is removed again, a commit refused by the
// server shows its problem on the node it names, and the next commit writes
// everything in one request. "Create graph" opens the create wizard preset to
// the system; the graph builds, its drawing shows four nodes (a click opens the
// application), the metrics say 4 nodes and 3 connections, the SVG and PNG
// download. Shared, its public link opens in a fresh browser without a session
// and shows the drawing; revoked, the link answers 404.
//
// Run from web/ after `npm run build`:
//   MAESTRO_BIN=<absolute path to build/bin/maestro> node --test e2e/graphs.test.mjs
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the pages there as maestro-graphs-*.png.

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

const USER = { name: 'Linus', email: 'linus@example.com', password: 'correct horse battery staple' }

const openPage = useBrowser()

/** The node of the wizard's tree for the application called `name` (the first drawn). */
function treeNode(page, name) {
  return page.locator(`[data-testid=dep-node][data-name="${name}"]`).first()
}

/** Opens the "+" form of `node`, adds a new application (name, family) or an existing one (search text), with `via`. */
async function addDependency(page, node, { create, family = 'Application', search, pick, via, endpoint }) {
  await node.locator(':scope > .dep-row [data-testid=dep-add]').click()
  const form = node.locator(':scope > [data-testid=dep-add-form]')
  if (create) {
    await form.locator('[data-testid=dep-new]').click()
    await form.locator('[data-testid=dep-new-name]').fill(create)
    await form.locator('[data-testid=dep-new-family]').selectOption(family)
  } else {
    await form.locator('input[role=combobox]').fill(search)
    await form.locator('[role=option]', { hasText: pick }).click()
  }
  await form.locator('[data-testid=dep-via]').selectOption(via)
  if (endpoint) await form.locator('[data-testid=dep-endpoint]').fill(endpoint)
  await form.locator('[data-testid=dep-add-submit]').click()
  await form.waitFor({ state: 'detached' })
}

describe('graphs: a dependency chain made with the wizard, drawn, shared and revoked', () => {
  // Share links point at MAESTRO_PUBLIC_URL: this server's own address.
  const maestro = useMaestro({ signUp: USER, env: (url) => ({ MAESTRO_PUBLIC_URL: url }) })

  async function create(kind, body) {
    const answer = await maestro.api('POST', `/api/${kind}`, body)
    assert.equal(answer.status, 201, `POST /api/${kind}: ${JSON.stringify(answer.body)}`)
    return answer.body.id
  }

  async function appNamed(name) {
    const answer = await maestro.api('GET', `/api/applications?name=${encodeURIComponent(name)}`)
    assert.equal(answer.body.items.length, 1, `one application ${name}: ${JSON.stringify(answer.body)}`)
    return answer.body.items[0]
  }

  test('the chain storefront → orders → payments → ledger, its graph, and a public link until revoked', async () => {
    const shop = await create('systems', { name: 'shop' })
    const payments = await create('applications', { name: 'payments', family: 'Application' })
    const { page, close, assertClean } = await openPage()
    try {
      // The wizard opens from the system's page.
      await signInThroughPage(page, maestro.server, USER, `/inventory/systems/${shop}`)
      await page.click('[data-testid=detail-dependencies]')
      await page.waitForURL((url) => url.pathname === '/graphs/dependencies' && url.searchParams.get('id') === shop)
      await expectText(page, '[data-testid=dependencies-start-name]', 'shop')
      await expectText(page, '[data-testid=change-count]', 'No changes to commit.')

      // The entry point, created on the spot.
      await page.click('[data-testid=entry-add]')
      const entryForm = page.locator('[data-testid=entry-points] [data-testid=dep-add-form]')
      await entryForm.locator('[data-testid=dep-new]').click()
      await entryForm.locator('[data-testid=dep-new-name]').fill('storefront')
      await entryForm.locator('[data-testid=dep-add-submit]').click()
      await entryForm.waitFor({ state: 'detached' })
      const storefront = await appNamed('storefront')
      assert.deepEqual(storefront.systems.map((system) => system.id), [shop], 'a new application joins the system')
      assert.equal(await page.isChecked(`#entry-${storefront.id}`), true)
      await treeNode(page, 'storefront').waitFor()

      // storefront → orders (new) → payments (existing) → ledger (new database).
      await addDependency(page, treeNode(page, 'storefront'), { create: 'orders', via: 'rest', endpoint: 'https://orders.internal/api' })
      await addDependency(page, treeNode(page, 'orders'), { search: 'paym', pick: 'payments', via: 'grpc' })
      await addDependency(page, treeNode(page, 'payments'), { create: 'ledger', family: 'Database', via: 'tcp' })
      await expectText(page, '[data-testid=dep-node][data-name=orders] > .dep-row .dep-edge', '→ rest · https://orders.internal/api')
      await expectText(page, '[data-testid=dep-node][data-name=ledger] > .dep-row [data-testid=dep-new-badge]', 'new')

      // A dependency added by mistake (ledger → orders) is removed before the commit.
      await addDependency(page, treeNode(page, 'ledger'), { search: 'ord', pick: 'orders', via: 'amqp' })
      const mistake = page.locator('[data-testid=dep-node][data-name=ledger] [data-testid=dep-node][data-name=orders]')
      await expectTextMatch(page, '[data-testid=dep-node][data-name=ledger] [data-testid=dep-node][data-name=orders]', /its dependencies are shown above/)
      await mistake.locator('[data-testid=dep-remove]').click()
      await mistake.waitFor({ state: 'detached' })
      await expectText(page, '[data-testid=change-count]', '4 changes not committed yet.')
      await screenshot(page, 'graphs-wizard')

      // payments is deleted meanwhile: the commit is refused as a whole, its problem on the node.
      assert.equal((await maestro.api('DELETE', `/api/applications/${payments}`)).status, 204)
      await page.click('[data-testid=dependencies-commit]')
      // The dependency on payments, and payments' own list, name it.
      await expectText(page, '[data-testid=dep-node][data-name=payments] > [data-testid=dep-problem]', 'is not an application you can read')
      assert.equal(await treeNode(page, 'payments').locator(':scope > [data-testid=dep-problem]').count(), 2)
      await expectTextMatch(page, '[data-testid=form-error]', /Nothing was written/)
      assert.deepEqual((await appNamed('storefront')).deps, [], 'nothing was written')
      assertClean([httpError(422, '/api/dependencies')])

      // Restored, the same commit goes through.
      assert.equal((await maestro.api('PATCH', `/api/applications/${payments}`, { active: true })).status, 200)
      await page.click('[data-testid=dependencies-commit]')
      await expectTextMatch(page, '[data-testid=dependencies-done]', /Committed: 3 applications updated, entry points of the system set\./)
      await expectText(page, '[data-testid=change-count]', 'No changes to commit.')
      const chain = {}
      for (const name of ['storefront', 'orders', 'payments', 'ledger']) chain[name] = await appNamed(name)
      assert.deepEqual(
        Object.values(chain).map((app) => app.deps.map((dep) => [dep.app.name, dep.via, dep.endpoint ?? null])),
        [[['orders', 'rest', 'https://orders.internal/api']], [['payments', 'grpc', null]], [['ledger', 'tcp', null]], []],
      )
      assert.equal(chain.ledger.family, 'Database')
      const system = await maestro.api('GET', `/api/systems/${shop}`)
      assert.deepEqual(system.body.entries.map((entry) => entry.name), ['storefront'])

      // "Create graph": the create wizard, preset to the system.
      await page.click('[data-testid=create-graph]')
      await page.waitForURL((url) => url.pathname === '/graphs/new' && url.searchParams.get('from') === 'systems')
      await expectText(page, '[data-testid=relation-item]', 'shop')
      assert.equal(await page.isChecked('[data-source=systems] input'), true)
      await page.fill('#graph-name', 'Shop map')
      await screenshot(page, 'graphs-new')
      await page.click('[data-testid=graph-create]')
      await page.waitForURL((url) => /^\/graphs\/(?!new$|dependencies$)[^/]+$/.test(url.pathname))
      const id = pathOf(page).split('/').pop()

      // Built: four nodes drawn, the metrics.
      await expectText(page, '[data-testid=graph-status]', 'Ready')
      await page.locator('[data-testid=drawing-canvas] > svg').waitFor()
      assert.equal(await page.locator('[data-testid=drawing-canvas] > svg g.node').count(), 4)
      assert.equal(await page.locator('[data-testid=drawing-canvas] > svg [data-app-id]').count(), 4, 'every node opens its application')
      await expectText(page, '[data-metric=nodes] dd', '4')
      await expectText(page, '[data-metric=edges] dd', '3')
      await expectText(page, '[data-metric=density] dd', '0.25')
      assert.deepEqual(await page.locator('[data-testid=graph-depths] [data-testid=chart-counts] li').allInnerTexts(), [
        'entry: 1',
        'depth 1: 1',
        'depth 2: 1',
        'depth 3: 1',
      ])
      await screenshot(page, 'graphs-graph')

      // Zoom by the buttons and the wheel; Fit comes back.
      const fitted = await page.innerText('[data-testid=zoom-level]')
      await page.click('[data-testid=zoom-in]')
      assert.notEqual(await page.innerText('[data-testid=zoom-level]'), fitted)
      await page.click('[data-testid=zoom-fit]')
      await expectText(page, '[data-testid=zoom-level]', fitted)
      await page.locator('.drawing-viewport').hover()
      await page.mouse.wheel(0, 300)
      assert.notEqual(await page.innerText('[data-testid=zoom-level]'), fitted)
      await page.click('[data-testid=zoom-fit]')

      // The drawings download.
      const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-download=svg]')])
      const svgText = await readFile(await svgDownload.path(), 'utf8')
      assert.match(svgText, /<svg[\s>]/)
      for (const name of ['storefront', 'orders', 'payments', 'ledger']) assert.ok(svgText.includes(name), `the SVG names ${name}`)
      const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-download=png]')])
      const png = await readFile(await pngDownload.path())
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG')

      // A node opens its application.
      await page.click(`[data-testid=graph-drawing] [data-app-id="${chain.orders.id}"]`)
      await page.waitForURL(`**/inventory/applications/${chain.orders.id}`)
      await expectText(page, 'h1', 'orders')
      await page.goBack()
      await page.waitForURL(`**/graphs/${id}`)

      // Shared: the public page and the raw SVG, without a session.
      await page.click('[data-testid=share-create]')
      await page.locator('[data-testid=share-link]').waitFor()
      const url = await page.inputValue('#share-url')
      assert.match(url, /\/public\/graphs\/[^/]+$/)
      assert.equal(await page.inputValue('#share-svg'), `${url}.svg`)
      assert.equal(await page.inputValue('#share-markdown'), `![Shop map](${url}.svg)`)
      assert.match(await page.inputValue('#share-iframe'), new RegExp(`^<iframe src="${url.replace(/[.]/g, '\\.')}"`))
      await screenshot(page, 'graphs-shared')
      assertClean()

      const visitor = await openPage()
      try {
        const response = await visitor.page.goto(url)
        assert.equal(response?.status(), 200)
        assert.match(response.headers()['content-type'] ?? '', /^text\/html/)
        // The drawing, inlined or as an image of the SVG.
        await visitor.page.locator('svg, img[src*=".svg"], object[data*=".svg"]').first().waitFor()
        assert.equal(await visitor.page.evaluate(() => localStorage.length), 0, 'no session in this browser')
        const raw = await fetch(`${url}.svg`)
        assert.equal(raw.status, 200)
        assert.match(raw.headers.get('content-type') ?? '', /^image\/svg\+xml/)
        assert.match(await raw.text(), /ledger/)
        await screenshot(visitor.page, 'graphs-public')
        visitor.assertClean()

        // Revoked: every link of the graph is gone.
        await page.click('[data-testid=share-revoke]')
        await page.click('[data-testid=confirm-button]')
        await page.locator('[data-testid=share-none]').waitFor()
        const gone = await visitor.page.goto(url)
        assert.equal(gone?.status(), 404)
        assert.equal((await fetch(`${url}.svg`)).status, 404)
        visitor.assertClean([httpError(404, '/public/graphs/[^/]+')])
      } finally {
        await visitor.close()
      }

      // The list shows it.
      await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Graphs', exact: true }).click()
      await page.waitForURL('**/graphs')
      await expectText(page, `[data-testid=graphs-table] tr[data-id="${id}"] [data-testid=graph-status]`, 'Ready')
      await expectText(page, `[data-testid=graphs-table] tr[data-id="${id}"] [data-testid=graph-metrics]`, '4 nodes · 3 connections · density 0.25')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(maestro.server))
})
