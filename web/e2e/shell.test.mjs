// End-to-end test of the web UI shell against the real `maestro serve`.
//
// Run from web/ after `npm run build`:
//   MAESTRO_BIN=<absolute path to build/bin/maestro> npm run test:e2e
//
// Each server gets a free port on 127.0.0.1, a fresh data dir and
// MAESTRO_WEB_DIR=web/dist; it must answer GET /health within 15 s, and the
// last test of each group asserts that SIGTERM ends it with exit code 0 (the
// `after` hooks only clean up). The browser is Debian's Chromium driven by
// playwright-core; every browser context starts with empty storage, and every
// page fails its test on a console error, an uncaught exception, a failed
// request or an HTTP error answer.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DIST_DIR = path.join(WEB_DIR, 'dist')
const CHROMIUM = '/usr/bin/chromium'
// The flags of STACK.md; Playwright gives the browser a fresh user-data-dir.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const HEALTH_TIMEOUT_MS = 15_000
const HEALTH_POLL_MS = 50
const STOP_TIMEOUT_MS = 10_000
const STEP_TIMEOUT_MS = 5_000
const THEME_KEY = 'maestro.theme'

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

// ---------------------------------------------------------------- the server

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function tail(text, max = 4000) {
  return text.length > max ? `…${text.slice(-max)}` : text
}

/**
 * Starts `MAESTRO_BIN serve` and waits for GET /health → 200.
 * `theme` is the THEME env var, or undefined to leave it unset.
 */
async function startMaestro({ theme }) {
  const bin = process.env.MAESTRO_BIN
  assert.ok(bin, 'MAESTRO_BIN must name the maestro binary (e.g. the absolute path of build/bin/maestro)')
  assert.ok(existsSync(bin), `MAESTRO_BIN=${bin} does not exist; build the server first`)
  assert.ok(
    existsSync(path.join(DIST_DIR, 'index.html')),
    `${path.join(DIST_DIR, 'index.html')} is missing; run "npm run build" in web/ first`,
  )

  const port = await freePort()
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'maestro-e2e-'))
  // Start from the caller's environment minus anything that configures Maestro.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('MAESTRO_') && name !== 'THEME' && name !== 'LOGO',
    ),
  )
  Object.assign(env, {
    MAESTRO_PORT: String(port),
    MAESTRO_BIND: '127.0.0.1',
    MAESTRO_DATA_DIR: dataDir,
    MAESTRO_WEB_DIR: DIST_DIR,
  })
  if (theme !== undefined) env.THEME = theme

  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  let exit = null
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve((exit = { code: null, signal: null, error })))
    child.once('exit', (code, signal) => resolve((exit = { code, signal, error: null })))
  })

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + HEALTH_TIMEOUT_MS
  let lastProblem = 'no answer yet'
  for (;;) {
    if (exit) {
      await rm(dataDir, { recursive: true, force: true })
      assert.fail(
        `maestro serve exited before it was healthy (code ${exit.code}, signal ${exit.signal}` +
          `${exit.error ? `, ${exit.error.message}` : ''}). Output:\n${tail(output)}`,
      )
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })
      if (response.status === 200) break
      lastProblem = `GET /health answered ${response.status}`
    } catch (error) {
      lastProblem = error.cause?.code ?? error.message
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      await exited
      await rm(dataDir, { recursive: true, force: true })
      assert.fail(
        `maestro serve was not healthy after ${HEALTH_TIMEOUT_MS} ms (${lastProblem}). ` +
          `Output:\n${tail(output)}`,
      )
    }
    await sleep(HEALTH_POLL_MS)
  }

  let stopping = null
  return {
    url,
    output: () => output,
    /**
     * Sends SIGTERM (SIGKILL after STOP_TIMEOUT_MS), waits for the exit and
     * removes the data dir. Idempotent. Resolves to {code, signal}.
     */
    stop() {
      stopping ??= (async () => {
        if (!exit) child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
        const result = await exited
        clearTimeout(timer)
        await rm(dataDir, { recursive: true, force: true })
        return { code: result.code, signal: result.signal }
      })()
      return stopping
    },
  }
}

/** The last test of each server: SIGTERM must end it with exit code 0. */
async function assertStopsCleanly(server) {
  const result = await server.stop()
  assert.deepEqual(
    result,
    { code: 0, signal: null },
    `maestro serve should exit with code 0 on SIGTERM within ${STOP_TIMEOUT_MS} ms. ` +
      `Output:\n${tail(server.output())}`,
  )
}

// ---------------------------------------------------------------- the browser

let browser

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
})

after(async () => {
  await browser?.close()
})

/**
 * A page in a fresh context (empty localStorage) that records every problem:
 * console errors, uncaught exceptions, failed requests, HTTP answers ≥ 400.
 */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  context.setDefaultTimeout(STEP_TIMEOUT_MS)
  const page = await context.newPage()
  const problems = []
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console error: ${message.text()} (${message.location().url || 'no source'})`)
    }
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`),
  )
  page.on('response', (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`)
    }
  })
  return {
    page,
    problems,
    close: () => context.close(),
    assertClean() {
      assert.deepEqual(problems, [], 'the page should load with no console errors and no failed requests')
    },
  }
}

/** Waits until `selector`'s trimmed text equals `expected`; fails showing the actual text. */
async function expectText(page, selector, expected) {
  // Runs in the page: the element's text with white space collapsed.
  const textOf = (sel) => document.querySelector(sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? null
  try {
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.textContent?.replace(/\s+/g, ' ').trim() === want,
      [selector, expected],
      { timeout: STEP_TIMEOUT_MS },
    )
  } catch {
    const actual = await page.evaluate(textOf, selector)
    assert.equal(actual, expected, `text of ${selector} on ${page.url()}`)
  }
}

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

function htmlAttribute(page, name) {
  return page.evaluate((attribute) => document.documentElement.getAttribute(attribute), name)
}

function topBarBackground(page) {
  return page.locator('[data-testid=topbar]').evaluate((element) => getComputedStyle(element).backgroundColor)
}

function bodyBackground(page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor)
}

function pathOf(page) {
  return new URL(page.url()).pathname
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

      await nav.getByRole('link', { name: 'Servers', exact: true }).click()
      await page.waitForURL('**/inventory/servers')
      await expectText(page, 'h1', 'Servers')
      assert.match(
        await page.locator('[data-testid=coming-soon]').innerText(),
        /Servers — coming in a later release of Maestro\.\s+Nothing is stored here yet\./,
      )

      await nav.getByRole('link', { name: 'Reports', exact: true }).click()
      await page.waitForURL('**/reports')
      await expectText(page, 'h1', 'Reports')
      assert.equal(await page.title(), 'Reports · Maestro')

      await page.goBack()
      await page.waitForURL('**/inventory/servers')
      await expectText(page, 'h1', 'Servers')
      assertClean()
    } finally {
      await close()
    }
  })

  test('every section of the original has a route that says it is not there yet', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      const nav = page.locator('[data-testid=side-nav]')
      for (const [title, route] of Object.entries(SECTION_PATHS)) {
        await nav.getByRole('link', { name: title, exact: true }).click()
        await page.waitForURL(`**${route}`)
        await expectText(page, 'h1', title)
        const text = await page.locator('[data-testid=coming-soon]').innerText()
        const notice = new RegExp(`${title} — coming in a later release of Maestro\\.`)
        assert.match(text, notice, `notice of ${route}`)
        assert.equal(await page.locator('main table').count(), 0, `${route} shows no table`)
      }
      assertClean()
    } finally {
      await close()
    }
  })

  test('a deep link loaded directly opens its page', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      const response = await page.goto(`${server.url}/inventory/servers`)
      assert.equal(response?.status(), 200)
      await expectText(page, 'h1', 'Servers')
      const active = page.locator('[data-testid=side-nav] a[aria-current=page]')
      assert.equal((await active.innerText()).trim(), 'Servers')
      await expectText(page, '[data-testid=server-version]', `Maestro ${info.version}`)

      await page.goto(`${server.url}/discovery/connections`)
      await expectText(page, 'h1', 'Connections')
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

  test('the login placeholder is reachable from the top bar and disabled', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/`)
      await page.click('[data-testid=sign-in-link]')
      await page.waitForURL('**/login')
      await expectText(page, 'h1', 'Sign in to Maestro')
      const note = await page.locator('[data-testid=login-note]').innerText()
      assert.match(note, /Sign-in arrives with accounts/)
      assert.equal(await page.locator('#login-email').isDisabled(), true)
      assert.equal(await page.locator('#login-password').isDisabled(), true)
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), true)
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
      await page.goto(`${server.url}/settings`)
      await expectText(page, 'h1', 'Settings')
      await expectText(page, '[data-testid=server-version]', `Maestro ${body.version}`)
      await expectTheme(page, 'lotus')
      assertClean()
    } finally {
      await close()
    }
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(server))
})
