// Shared helpers of the end-to-end tests: start `maestro serve` on a free
// port with a fresh data dir, drive Debian's Chromium through playwright-core,
// and wait for what a page shows.
//
// Every server gets a free port on 127.0.0.1, a fresh MAESTRO_DATA_DIR and
// MAESTRO_WEB_DIR=web/dist, and must answer GET /health within 15 s. Each test
// group ends with `assertStopsCleanly` (SIGTERM → exit code 0); the `after`
// hooks only clean up. Every browser context starts with empty storage, and
// every page records console errors, uncaught exceptions, failed requests and
// HTTP error answers, which `assertClean` turns into a failure.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const DIST_DIR = path.join(WEB_DIR, 'dist')
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
export const STEP_TIMEOUT_MS = 5_000

/** Variables of the caller's environment that would configure the server under test. */
function configuresMaestro(name) {
  return name.startsWith('MAESTRO_') || name.startsWith('SMTP_') || name === 'THEME' || name === 'LOGO'
}

// ---------------------------------------------------------------- the server

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
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

export function tail(text, max = 4000) {
  return text.length > max ? `…${text.slice(-max)}` : text
}

/**
 * Starts `MAESTRO_BIN serve` and waits for GET /health → 200.
 * `theme` is the THEME env var (undefined leaves it unset); `env(url)` returns
 * more variables for the server, given the URL it will answer on.
 */
export async function startMaestro({ theme, env: extraEnv = () => ({}) } = {}) {
  const bin = process.env.MAESTRO_BIN
  assert.ok(bin, 'MAESTRO_BIN must name the maestro binary (e.g. the absolute path of build/bin/maestro)')
  assert.ok(existsSync(bin), `MAESTRO_BIN=${bin} does not exist; build the server first`)
  assert.ok(
    existsSync(path.join(DIST_DIR, 'index.html')),
    `${path.join(DIST_DIR, 'index.html')} is missing; run "npm run build" in web/ first`,
  )

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'maestro-e2e-'))
  // Start from the caller's environment minus anything that configures Maestro.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !configuresMaestro(name)))
  Object.assign(env, {
    MAESTRO_PORT: String(port),
    MAESTRO_BIND: '127.0.0.1',
    MAESTRO_DATA_DIR: dataDir,
    MAESTRO_WEB_DIR: DIST_DIR,
    ...extraEnv(url),
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
export async function assertStopsCleanly(server) {
  const result = await server.stop()
  assert.deepEqual(
    result,
    { code: 0, signal: null },
    `maestro serve should exit with code 0 on SIGTERM within ${STOP_TIMEOUT_MS} ms. ` +
      `Output:\n${tail(server.output())}`,
  )
}

// ---------------------------------------------------------------- the browser

/**
 * Launches Chromium before the file's tests and closes it after them.
 * Returns `openPage`: a page in a fresh context (empty localStorage) that
 * records every problem — console errors, uncaught exceptions, failed
 * requests (not those cut off by loading another document), HTTP answers
 * ≥ 400. `assertClean(expected)` fails on any problem not matched by one of
 * the `expected` regular expressions (see `httpError`), then forgets the
 * problems it has checked, so a page can be checked step by step.
 */
export function useBrowser() {
  let browser

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  })

  after(async () => {
    await browser?.close()
  })

  return async function openPage({ viewport = { width: 1280, height: 800 } } = {}) {
    const context = await browser.newContext({ viewport })
    context.setDefaultTimeout(STEP_TIMEOUT_MS)
    const page = await context.newPage()
    const problems = []
    page.on('console', (message) => {
      if (message.type() === 'error') {
        problems.push(`console error: ${message.text()} (${message.location().url || 'no source'})`)
      }
    })
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
    // A request still running when the page loads another document (a `goto`
    // right after signing in, say) is cut off by the browser: not a problem of
    // the page. Aborted requests are kept aside with the document they started
    // in, and count only if no other document has been loaded since.
    let documents = 0
    const startedIn = new WeakMap()
    const aborted = []
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) documents += 1
    })
    page.on('request', (request) => startedIn.set(request, documents))
    page.on('requestfailed', (request) => {
      const errorText = request.failure()?.errorText
      const problem = `request failed: ${request.method()} ${request.url()} (${errorText})`
      if (errorText === 'net::ERR_ABORTED') aborted.push({ problem, document: startedIn.get(request) })
      else problems.push(problem)
    })
    page.on('response', (response) => {
      if (response.status() >= 400) {
        problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`)
      }
    })
    return {
      page,
      context,
      problems,
      close: () => context.close(),
      assertClean(expected = []) {
        problems.push(...aborted.filter((entry) => entry.document === documents).map((entry) => entry.problem))
        aborted.length = 0
        const unexpected = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)))
        problems.length = 0
        assert.deepEqual(unexpected, [], 'the page should run with no console errors and no failed requests')
      },
    }
  }
}

/**
 * Matches the two problems an expected error answer leaves on a page: the
 * `HTTP <status>` answer and Chromium's console line "Failed to load
 * resource: … status of <status>". `path` is a regular expression source
 * matched at the end of the URL.
 */
export function httpError(status, path) {
  return new RegExp(`(^HTTP ${status}: [A-Z]+ |status of ${status} ).*${path}\\)?$`)
}

// ---------------------------------------------------------------- waiting for the page

/** Waits until `selector`'s trimmed text equals `expected`; fails showing the actual text. */
export async function expectText(page, selector, expected) {
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

/** Waits until `selector`'s text matches `pattern`; fails showing the actual text. */
export async function expectTextMatch(page, selector, pattern) {
  const locator = page.locator(selector).first()
  try {
    await locator.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS })
    await page.waitForFunction(
      ([sel, source, flags]) =>
        new RegExp(source, flags).test(document.querySelector(sel)?.textContent?.replace(/\s+/g, ' ') ?? ''),
      [selector, pattern.source, pattern.flags],
      { timeout: STEP_TIMEOUT_MS },
    )
  } catch {
    const actual = await page.evaluate(
      (sel) => document.querySelector(sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? null,
      selector,
    )
    assert.match(actual ?? '(no such element)', pattern, `text of ${selector} on ${page.url()}`)
  }
}

/**
 * Saves the whole page as `maestro-<name>.png` in MAESTRO_E2E_SCREENSHOTS, when
 * that names a directory; does nothing otherwise.
 */
export async function screenshot(page, name) {
  const dir = process.env.MAESTRO_E2E_SCREENSHOTS
  if (!dir) return
  await mkdir(dir, { recursive: true })
  await page.screenshot({ path: path.join(dir, `maestro-${name}.png`), fullPage: true })
}

export function pathOf(page) {
  return new URL(page.url()).pathname
}

export function htmlAttribute(page, name) {
  return page.evaluate((attribute) => document.documentElement.getAttribute(attribute), name)
}

/**
 * Signs `user` ({email, password}) in through the login page, which then goes
 * to `target` (a path of the UI, `/` by default); waits until it is there.
 */
export async function signInThroughPage(page, server, user, target = '/') {
  await page.goto(`${server.url}/login?redirect=${encodeURIComponent(target)}`)
  await page.fill('#login-email', user.email)
  await page.fill('#login-password', user.password)
  await page.click('[data-testid=login-form] button[type=submit]')
  await page.waitForURL((url) => url.pathname + url.search === target)
}

/**
 * One API call as the holder of `token` (set-up and checks beside the browser):
 * JSON in and out. Resolves to {status, body}; body is undefined when empty.
 */
export async function apiRequest(server, token, method, urlPath, body) {
  const response = await fetch(`${server.url}${urlPath}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

/**
 * Starts a server before the file's (or the `describe`'s) tests and stops it
 * after them, which is a no-op when the last test already stopped it with
 * `assertStopsCleanly`. `signUp` ({name, email, password}), when given, is
 * registered through the API once the server is up; the other options go to
 * `startMaestro`. Returns `server` and `token` (that user's; each set once the
 * `before` hook has run) and `api(method, path, body)`: `apiRequest` as that user.
 */
export function useMaestro({ signUp, ...options } = {}) {
  let server
  let token

  before(async () => {
    server = await startMaestro(options)
    if (signUp) token = await signUpThroughApi(server, signUp)
  })

  after(async () => {
    await server?.stop()
  })

  return {
    get server() {
      return server
    },
    get token() {
      return token
    },
    api: (method, urlPath, body) => apiRequest(server, token, method, urlPath, body),
  }
}

/**
 * Registers `user` ({name, email, password}) on `server` through the API and signs in.
 * Returns the login token.
 */
export async function signUpThroughApi(server, user) {
  const created = await fetch(`${server.url}/api/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(user),
  })
  assert.equal(created.status, 201, 'POST /api/users')
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  })
  assert.equal(login.status, 200, 'POST /api/auth/login')
  return (await login.json()).token
}
