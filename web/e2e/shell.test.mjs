// End-to-end test of the web UI shell against the real `maestro serve`.
//
// Run from web/ after `npm run build`:
//   MAESTRO_BIN=<absolute path to build/bin/maestro> npm run test:e2e
//
// support.mjs starts the servers and the browser (how, and what counts as a
// problem on a page, is described there); the last test of each group asserts
// that SIGTERM ends its server with exit code 0.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  STEP_TIMEOUT_MS,
  assertStopsCleanly,
  expectText,
  htmlAttribute,
  signInThroughPage,
  signUpThroughApi,
  startMaestro,
  useBrowser,
} from './support.mjs'

const THEME_KEY = 'maestro.theme'
const USER = { name: 'Shell', email: 'shell@example.com', password: 'correct horse battery staple' }

const SECTION_PATHS = {
  Datacenters: '/inventory/datacenters',
  Servers: '/inventory/servers',
  Applications: '/inventory/applications',
  Databases: '/inventory/databases',
  'Load balancers': '/inventory/load-balancers',
  Resources: '/inventory/resources',
  Systems: '/inventory/systems',
  Clients: '/inventory/clients',
  Services: '/inventory/services',
  Connections: '/discovery/connections',
  Reports: '/reports',
  Graphs: '/graphs',
  Scheduler: '/scheduler',
  Settings: '/settings',
}

const openPage = useBrowser()

// ---------------------------------------------------------------- helpers

/** Waits until <html data-theme> is `expected`; fails showing the actual value. */
async function expectTheme(page, expected) {
  try {
    await page.waitForFunction((want) => document.documentElement.dataset.theme === want, expected, {
      timeout: STEP_TIMEOUT_MS,
    })
  } catch {
    assert.equal(await htmlAttribute(page, 'data-theme'), expected, `data-theme on ${page.url()}`)
  }
}

function topBarBackground(page) {
  return page.locator('[data-testid=topbar]').evaluate((element) => getComputedStyle(element).backgroundColor)
}

function bodyBackground(page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor)
}

async function chooseTheme(page, name) {
  await page.click('[data-testid=theme-switcher]')
  await page.click(`[data-theme-option=${name}]`)
  await expectTheme(page, name)
}

/** Relative luminance (0 black … 1 white) of a computed `rgb(r, g, b)` colour. */
function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number)
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
}

// ---------------------------------------------------------------- the tests

describe('maestro serve with THEME=green', () => {
  let server
  let info

  before(async () => {
    server = await startMaestro({ theme: 'green' })
    info = await (await fetch(`${server.url}/api`)).json()
    await signUpThroughApi(server, USER)
  })

  after(async () => {
    await server?.stop() // no-op when the last test already stopped it
  })

  test('GET /api describes the server, with the THEME default', async () => {
    const response = await fetch(`${server.url}/api`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
    const body = await response.json()
    assert.equal(body.app, 'maestro')
    assert.equal(typeof body.version, 'string')
    assert.notEqual(body.version, '')
    assert.equal(body.theme, 'green')
  })

  test('an unknown API path is a JSON 404, not the UI', async () => {
    const response = await fetch(`${server.url}/api/does-not-exist`)
    assert.equal(response.status, 404)
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
    const body = await response.json()
    assert.equal(body.error?.status, 404)
    assert.equal(body.error?.code, 'not_found')
    assert.equal(typeof body.error?.message, 'string')
  })

  test('the server sends the built UI with the right content types', async () => {
    const index = await fetch(`${server.url}/`)
    assert.equal(index.status, 200)
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/)
    const html = await index.text()
    assert.match(html, /<div id="app"><\/div>/)

    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1])
    assert.ok(assets.some((asset) => asset.endsWith('.js')), 'index.html should load a script from /assets/')
    assert.ok(
      assets.some((asset) => asset.endsWith('.css')),
      'index.html should load a stylesheet from /assets/',
    )
    for (const asset of assets) {
      const response = await fetch(`${server.url}${asset}`)
      assert.equal(response.status, 200, `GET ${asset}`)
      const type = response.headers.get('content-type') ?? ''
      if (asset.endsWith('.js')) {
        assert.match(type, /^(text|application)\/javascript/, `content type of ${asset}`)
      }
      if (asset.endsWith('.css')) assert.match(type, /^text\/css/, `content type of ${asset}`)
    }

    const deepLink = await fetch(`${server.url}/inventory/servers`)
    assert.equal(deepLink.status, 200, 'a client route gets index.html (SPA fallback)')
    assert.match(deepLink.headers.get('content-type') ?? '', /^text\/html/)
    assert.equal(await deepLink.text(), html)

    const missingAsset = await fetch(`${server.url}/assets/does-not-exist.js`)
    assert.equal(missingAsset.status, 404, 'a missing file under /assets/ is a 404, not index.html')
  })

  test('the dashboard loads cleanly and the footer shows the server version', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      await expectText(page, 'h1', 'Welcome to Maestro')
      await expectText(page, '[data-testid=server-version]', `Maestro ${info.version}`)
      assert.equal(await page.title(), 'Dashboard · Maestro')
      assertClean()
    } finally {
      await close()
    }
  })

  test('nav links change the URL and the heading; back goes back', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      await expectText(page, 'h1', 'Welcome to Maestro')
      const nav = page.locator('[data-testid=side-nav]')

      // Signed out, a section asks for a sign-in first, then opens.
      await nav.getByRole('link', { name: 'Graphs', exact: true }).click()
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/graphs')
      await page.fill('#login-email', USER.email)
      await page.fill('#login-password', USER.password)
      await page.click('[data-testid=login-form] button[type=submit]')
      await page.waitForURL('**/graphs')
      await expectText(page, 'h1', 'Graphs')
      assert.equal(await page.title(), 'Graphs · Maestro')

      await nav.getByRole('link', { name: 'Reports', exact: true }).click()
      await page.waitForURL('**/reports')
      await expectText(page, 'h1', 'Reports')

      await nav.getByRole('link', { name: 'Dashboard', exact: true }).click()
      await page.waitForURL((url) => url.pathname === '/')
      await expectText(page, '[data-testid=side-nav] a[aria-current=page]', 'Dashboard')

      await page.goBack()
      await page.waitForURL('**/reports')
      await expectText(page, 'h1', 'Reports')
      await page.goBack()
      await page.waitForURL('**/graphs')
      await expectText(page, 'h1', 'Graphs')
      assertClean()
    } finally {
      await close()
    }
  })

  test('every section of the original has a route, which asks a signed-out visitor to sign in', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      const nav = page.locator('[data-testid=side-nav]')
      for (const [title, route] of Object.entries(SECTION_PATHS)) {
        await nav.getByRole('link', { name: title, exact: true }).click()
        await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === route)
        await expectText(page, 'h1', 'Sign in to Maestro')
        await page.goto(`${server.url}/`)
      }
      assertClean()
    } finally {
      await close()
    }
  })

  test('a deep link loaded directly opens its page', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      // An inventory page needs a user: signed out, it is the sign-in page, and back after it.
      await page.goto(`${server.url}/inventory/servers`)
      await page.waitForURL(
        (url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/inventory/servers',
      )
      await expectText(page, 'h1', 'Sign in to Maestro')
      await signInThroughPage(page, server, USER, '/inventory/servers')
      await expectText(page, 'h1', 'Servers')

      // Signed in, a page loaded from its address opens with its section current.
      const response = await page.goto(`${server.url}/graphs`)
      assert.equal(response?.status(), 200)
      await expectText(page, 'h1', 'Graphs')
      const active = page.locator('[data-testid=side-nav] a[aria-current=page]')
      assert.equal((await active.innerText()).trim(), 'Graphs')
      await expectText(page, '[data-testid=server-version]', `Maestro ${info.version}`)
      assertClean()
    } finally {
      await close()
    }
  })

  test('an unknown client route shows the 404 page', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/no/such/page`)
      await expectText(page, 'h1', 'Page not found')
      await expectText(page, '[data-testid=missing-path]', '/no/such/page')
      await page.getByRole('link', { name: 'Go to the dashboard' }).click()
      await page.waitForURL(`${server.url}/`)
      await expectText(page, 'h1', 'Welcome to Maestro')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the sign-in page is reachable from the top bar', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      await page.click('[data-testid=sign-in-link]')
      await page.waitForURL('**/login')
      await expectText(page, 'h1', 'Sign in to Maestro')
      assert.equal(await page.locator('#login-email').isEditable(), true)
      assert.equal(await page.locator('#login-password').isEditable(), true)
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true)
      assertClean()
    } finally {
      await close()
    }
  })

  test("the server's THEME applies when nothing is stored", async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      await expectTheme(page, 'green')
      assert.equal(await htmlAttribute(page, 'data-bs-theme'), 'light')
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), THEME_KEY), null)
      assertClean()
    } finally {
      await close()
    }
  })

  test('the theme switcher changes data-theme and colours, and the choice survives a reload', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      await expectTheme(page, 'green')
      const greenBar = await topBarBackground(page)
      const lightBody = await bodyBackground(page)

      await chooseTheme(page, 'blue')
      const blueBar = await topBarBackground(page)
      assert.notEqual(blueBar, greenBar, 'the top bar colour changes with the theme')
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), THEME_KEY), 'blue')

      await page.reload()
      await expectText(page, '[data-testid=server-version]', `Maestro ${info.version}`)
      await expectTheme(page, 'blue') // the stored choice beats the server's green
      assert.equal(await topBarBackground(page), blueBar)

      await chooseTheme(page, 'dark')
      assert.equal(await htmlAttribute(page, 'data-bs-theme'), 'dark')
      const darkBody = await bodyBackground(page)
      assert.ok(
        luminance(darkBody) < 0.2 && luminance(lightBody) > 0.8,
        `dark theme body ${darkBody} should be dark, light ${lightBody} light`,
      )

      await page.click('[data-testid=theme-switcher]')
      await page.click('[data-testid=theme-follow-server]')
      await expectTheme(page, 'green')
      assert.equal(await htmlAttribute(page, 'data-bs-theme'), 'light')
      await page.reload()
      await expectText(page, '[data-testid=server-version]', `Maestro ${info.version}`)
      await expectTheme(page, 'green')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the footer says "server unreachable" when GET /api fails', async () => {
    const { page, close, problems } = await openPage()
    try {
      await page.route(
        (url) => url.pathname === '/api',
        (route) => route.abort('connectionrefused'),
      )
      await page.goto(`${server.url}/`)
      await expectText(page, '[data-testid=server-version]', 'server unreachable')
      await expectTheme(page, 'lotus') // no server default known: the built-in one
      const unexpected = problems.filter((problem) => !problem.includes('/api'))
      assert.deepEqual(unexpected, [], 'only the blocked GET /api may fail')
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(server))
})

describe('maestro serve without THEME', () => {
  let server

  before(async () => {
    server = await startMaestro({ theme: undefined })
  })

  after(async () => {
    await server?.stop() // no-op when the last test already stopped it
  })

  test('the default theme is lotus', async () => {
    const body = await (await fetch(`${server.url}/api`)).json()
    assert.equal(body.theme, 'lotus')

    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/login`)
      await expectText(page, 'h1', 'Sign in to Maestro')
      await expectText(page, '[data-testid=server-version]', `Maestro ${body.version}`)
      await expectTheme(page, 'lotus')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(server))
})
