// End-to-end test of accounts and teams against the real `maestro serve`,
// with maildev catching the password-reset mail.
//
// Run from web/ after `npm run build`, with maildev 2.2.1 listening:
//   MAESTRO_BIN=<absolute path to build/bin/maestro> \
//   MAESTRO_TEST_SMTP_PORT=<maildev SMTP port> \
//   MAESTRO_TEST_MAILDEV_URL=http://127.0.0.1:<maildev web port> npm run test:e2e
// (scripts/test starts maildev and sets both). Without them the tests fail.
// MAESTRO_E2E_SCREENSHOTS=<dir> also saves the login, profile and team pages.
//
// One browser context walks the whole story, each test a step that builds on
// the one before: register → sign out → sign in again → edit the profile →
// upload an avatar → API token → create a team → add a second user → forgot
// password → mail → reset link → new password → sign in.

import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { deflateSync } from 'node:zlib'
import { after, before, describe, test as nodeTest } from 'node:test'
import {
  assertStopsCleanly,
  expectText,
  expectTextMatch,
  httpError,
  pathOf,
  screenshot,
  startMaestro,
  useBrowser,
} from './support.mjs'

const SESSION_KEY = 'maestro.session'
const MAIL_TIMEOUT_MS = 15_000

const ADA = { name: 'ada', email: 'ada@example.test', password: 'analytical-engine-1843' }
const ADA_NEW_PASSWORD = 'difference-engine-1822'
const BOB = { name: 'bob', email: 'bob@example.test', password: 'bobs-own-password' }
const TEAM = 'Platform team'

const openPage = useBrowser()

/** The maildev the scripts started; the test fails without it rather than skipping. */
function maildevFromEnv() {
  const smtpPort = process.env.MAESTRO_TEST_SMTP_PORT
  const maildevUrl = process.env.MAESTRO_TEST_MAILDEV_URL
  assert.ok(
    smtpPort && maildevUrl,
    'accounts.test.mjs needs maildev: set MAESTRO_TEST_SMTP_PORT (its SMTP port on 127.0.0.1) and ' +
      'MAESTRO_TEST_MAILDEV_URL (its REST API, e.g. http://127.0.0.1:1080); scripts/test does both.',
  )
  return { smtpPort, maildevUrl: maildevUrl.replace(/\/$/, '') }
}

/** A w×h PNG of one colour, made here so the test needs no fixture file. */
function solidPng(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (bytes) => {
    let c = 0xffffffff
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const sum = Buffer.alloc(4)
    sum.writeUInt32BE(crc(body))
    return Buffer.concat([length, body, sum])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())])
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

async function api(server, method, route, { token, body } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

/** Waits for maildev to hold a mail to `address`; returns it. */
async function waitForMail(maildevUrl, address) {
  const deadline = Date.now() + MAIL_TIMEOUT_MS
  for (;;) {
    const response = await fetch(`${maildevUrl}/email`)
    assert.equal(response.status, 200, `GET ${maildevUrl}/email`)
    const mails = await response.json()
    const mail = mails.find((candidate) =>
      (candidate.to ?? []).some((to) => to.address?.toLowerCase() === address.toLowerCase()),
    )
    if (mail) return mail
    assert.ok(
      Date.now() < deadline,
      `no mail to ${address} reached maildev within ${MAIL_TIMEOUT_MS} ms ` +
        `(it holds ${mails.length}: ${mails.map((m) => m.subject).join(', ') || 'none'})`,
    )
    await sleep(100)
  }
}

async function signIn(page, email, password) {
  await page.fill('#login-email', email)
  await page.fill('#login-password', password)
  await page.click('[data-testid=login-form] button[type=submit]')
}

async function signOut(page) {
  await page.click('[data-testid=user-menu]')
  await page.click('[data-testid=sign-out]')
  await page.waitForURL('**/login')
  await page.locator('[data-testid=sign-in-link]').waitFor()
}

describe('accounts and teams, with maildev', () => {
  let maildev
  let server
  let session // { page, close, assertClean, problems }
  let page
  let teamId
  // A failed setup (no maildev, no server) fails every step with its reason,
  // rather than leaving them "cancelled".
  let setupError = null

  before(async () => {
    try {
      maildev = maildevFromEnv()
      server = await startMaestro({
        env: (url) => ({
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: maildev.smtpPort,
          SMTP_SENDER: 'maestro@example.test',
          MAESTRO_PUBLIC_URL: url,
        }),
      })
      const cleared = await fetch(`${maildev.maildevUrl}/email/all`, { method: 'DELETE' })
      assert.ok(cleared.ok, `DELETE ${maildev.maildevUrl}/email/all answered ${cleared.status}`)
      session = await openPage()
      page = session.page
    } catch (error) {
      setupError = error
    }
  })

  /** A step of the story; fails at once with the setup's error if there was one. */
  function test(name, fn) {
    return nodeTest(name, async () => {
      if (setupError) throw setupError
      await fn()
    })
  }

  after(async () => {
    await session?.close()
    await server?.stop() // no-op when the last test already stopped it
  })

  test('a visitor registers, becomes the admin and is signed in', async () => {
    await page.goto(`${server.url}/`)
    await page.click('[data-testid=sign-in-link]')
    await page.click('[data-testid=register-link]')
    await page.waitForURL('**/register')
    await expectText(page, 'h1', 'Create your account')
    await page.fill('#register-name', ADA.name)
    await page.fill('#register-email', ADA.email)
    await page.fill('#register-password', ADA.password)
    await page.fill('#register-confirm', ADA.password)
    await page.click('[data-testid=register-form] button[type=submit]')

    await page.waitForURL('**/profile')
    await expectText(page, '[data-testid=user-name]', ADA.name)
    await expectTextMatch(page, '[data-testid=profile-form]', /Administrator of this Maestro/)
    const stored = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY))
    assert.equal(typeof stored.token, 'string')
    assert.ok(Date.parse(stored.expires_at) > Date.now(), `expires_at ${stored.expires_at} is in the future`)
    session.assertClean()
  })

  test('signed out, a page that needs a user goes to login and back after signing in', async () => {
    await signOut(page)
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY), null)

    await page.goto(`${server.url}/teams`)
    await page.waitForURL((url) => url.pathname === '/login')
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/teams')

    await signIn(page, ADA.email, 'not-the-password')
    await expectTextMatch(page, '[data-testid=form-error]', /\S/)
    assert.equal(pathOf(page), '/login')

    await signIn(page, ADA.email, ADA.password)
    await page.waitForURL('**/teams')
    await expectText(page, 'h1', 'Teams')
    await expectText(page, '[data-testid=user-name]', ADA.name)
    await screenshot(page, 'teams')
    session.assertClean([httpError(401, '/api/auth/login')])
  })

  test('the profile is edited and stays edited after a reload', async () => {
    await page.click('[data-testid=user-menu]')
    await page.getByRole('menuitem', { name: 'Profile' }).click()
    await page.waitForURL('**/profile')
    await page.fill('#profile-fullname', 'Ada Lovelace')
    await page.fill('#profile-company', 'Analytical Engines Ltd')
    await page.fill('#profile-job', 'Programmer')
    await page.fill('#profile-city', 'London')
    await page.fill('#profile-country', 'United Kingdom')
    await page.click('[data-testid=profile-form] button[type=submit]')
    await page.locator('[data-testid=profile-saved]').waitFor()

    await page.reload()
    await page.locator('#profile-fullname').waitFor()
    await page.waitForFunction(() => document.querySelector('#profile-fullname')?.value === 'Ada Lovelace')
    assert.equal(await page.inputValue('#profile-company'), 'Analytical Engines Ltd')
    assert.equal(await page.inputValue('#profile-city'), 'London')
    assert.equal(await page.inputValue('#profile-email'), ADA.email)
    session.assertClean()
  })

  test('an avatar is previewed, then uploaded and shown in the top bar', async () => {
    const png = solidPng(48, 48, [176, 58, 120])
    await page.setInputFiles('[data-testid=avatar-file]', {
      name: 'ada.png',
      mimeType: 'image/png',
      buffer: png,
    })
    const preview = page.locator('.avatar-picker img')
    await page.waitForFunction(() =>
      document.querySelector('.avatar-picker img')?.getAttribute('src')?.startsWith('blob:'),
    )
    assert.match(await page.locator('.avatar-picker').innerText(), /Preview/)
    await page.click('[data-testid=avatar-save]')
    await page.waitForFunction(() => {
      const src = document.querySelector('.avatar-picker img')?.getAttribute('src')
      return src && !src.startsWith('blob:')
    })
    const url = await preview.getAttribute('src')
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid=user-menu] img')?.getAttribute('src') === want,
      url,
    )
    // The picture really is there, and loads in the page.
    const image = await fetch(new URL(url, server.url))
    assert.equal(image.status, 200, `GET ${url}`)
    assert.match(image.headers.get('content-type') ?? '', /^image\/png/)
    assert.equal(
      await page.locator('.avatar-picker img').evaluate((img) => img.complete && img.naturalWidth),
      48,
    )
    const me = await api(server, 'GET', '/api/me', { token: await storedToken(page) })
    assert.equal(me.body.avatar, url)
    await screenshot(page, 'profile')
    session.assertClean()
  })

  test('a wrong current password is refused next to its field', async () => {
    await page.fill('#password-current', 'not-my-password')
    await page.fill('#password-new', 'whatever-else-1')
    await page.fill('#password-confirm', 'whatever-else-1')
    await page.click('[data-testid=password-form] button[type=submit]')
    await expectTextMatch(page, '[data-testid=password-form] [data-field-error]', /Current password/)
    assert.equal(await page.locator('[data-testid=password-changed]').count(), 0)
    session.assertClean([httpError(403, '/api/me/password')])
  })

  test('an API token is shown once, works, and stops working once revoked', async () => {
    await page.fill('#token-name', 'ansible')
    await page.selectOption('#token-expiry', '30')
    await page.click('[data-testid=token-form] button[type=submit]')
    const secret = await page.locator('[data-testid=token-secret]').inputValue()
    assert.ok(secret.length > 16, `the token shown is "${secret}"`)
    await expectTextMatch(page, '.modal', /You will not see it again/)
    await page.click('[data-testid=token-done]')
    await page.locator('[data-testid=token-secret]').waitFor({ state: 'detached' })
    await page.locator('[data-token=ansible]').waitFor()
    assert.equal(await page.locator('[data-testid=token-secret]').count(), 0, 'the secret is gone')

    const asToken = await api(server, 'GET', '/api/me', { token: secret })
    assert.equal(asToken.status, 200, 'the new token authenticates')
    assert.equal(asToken.body.email, ADA.email)

    await page.click('[data-token=ansible] [data-testid=token-revoke]')
    await page.click('[data-testid=confirm-button]')
    await page.locator('[data-token=ansible]').waitFor({ state: 'detached' })
    const revoked = await api(server, 'GET', '/api/me', { token: secret })
    assert.equal(revoked.status, 401, 'a revoked token is refused')
    session.assertClean()
  })

  test('a team is created and a second registered user is added as a member', async () => {
    const bob = await api(server, 'POST', '/api/users', { body: BOB })
    assert.equal(bob.status, 201, `POST /api/users for bob: ${JSON.stringify(bob.body)}`)
    assert.equal(bob.body.is_admin, false, 'only the first user is an admin')

    await page.locator('[data-testid=side-nav]').getByRole('link', { name: 'Teams', exact: true }).click()
    await page.waitForURL('**/teams')
    await page.locator('[data-testid=teams-empty]').waitFor()
    await page.click('[data-testid=team-new]')
    await page.fill('#team-name', TEAM)
    await page.fill('#team-email', 'platform@example.test')
    await page.click('[data-testid=team-create-form] button[type=submit]')
    await page.waitForURL(/\/teams\/[^/]+$/)
    teamId = decodeURIComponent(pathOf(page).split('/').pop())
    await expectText(page, '[data-testid=team-name]', TEAM)
    await expectText(page, '[data-testid=team-my-role]', 'You: Admin')

    await page.fill('#member-search', 'bob')
    const option = page.locator('[role=option]', { hasText: BOB.email })
    await option.waitFor()
    await option.click()
    await page.selectOption('[data-testid=member-add] select', 'write')
    await page.click('[data-testid=member-add-button]')
    const row = page.locator(`[data-member="${BOB.email}"]`)
    await row.waitFor()
    assert.equal(await row.locator('[data-testid=member-role]').inputValue(), 'write')

    // Bob sees the team, with the role he was given.
    const login = await api(server, 'POST', '/api/auth/login', {
      body: { email: BOB.email, password: BOB.password },
    })
    assert.equal(login.status, 200)
    const teams = await api(server, 'GET', '/api/teams', { token: login.body.token })
    const seen = teams.body.items.find((team) => team.id === teamId)
    assert.ok(seen, `bob's GET /api/teams lists ${TEAM}`)
    assert.equal(seen.my_role, 'write')

    // The team's picture: previewed, saved, shown in the header.
    await page.setInputFiles('[data-testid=avatar-file]', {
      name: 'team.png',
      mimeType: 'image/png',
      buffer: solidPng(32, 32, [40, 120, 200]),
    })
    await page.click('[data-testid=avatar-save]')
    await page.waitForFunction(() => {
      const src = document.querySelector('.team-header img')?.getAttribute('src')
      return src && !src.startsWith('blob:')
    })
    const teamAvatar = await page.locator('.team-header img').getAttribute('src')
    assert.equal((await fetch(new URL(teamAvatar, server.url))).status, 200, `GET ${teamAvatar}`)

    // The last admin cannot be demoted: the 409 is shown and the role stays.
    const own = page.locator(`[data-member="${ADA.email}"] [data-testid=member-role]`)
    await own.selectOption('read')
    await page.locator('[data-testid=member-problem]').waitFor()
    assert.equal(await own.inputValue(), 'admin')

    await page.reload()
    await row.waitFor()
    await screenshot(page, 'team')
    session.assertClean([httpError(409, '/api/teams/[^/]+/members/[^/]+')])
  })

  test('a forgotten password is reset through the mailed link', async () => {
    await signOut(page)
    await screenshot(page, 'login')
    await page.click('[data-testid=forgot-link]')
    await page.waitForURL('**/forgot-password')
    await page.fill('#forgot-email', ADA.email)
    await page.click('[data-testid=forgot-form] button[type=submit]')
    await expectTextMatch(
      page,
      '[data-testid=forgot-sent]',
      new RegExp(`If an account exists for ${ADA.email}, a mail is on its way`),
    )

    const mail = await waitForMail(maildev.maildevUrl, ADA.email)
    const body = `${mail.text ?? ''}\n${(mail.html ?? '').replaceAll('&amp;', '&')}`
    const prefix = `${server.url}/reset-password?token=`
    const link = body.match(/https?:\/\/[^\s"'<>]+\/reset-password\?token=[^\s"'<>&]+/)?.[0]
    assert.ok(link, `the mail holds a reset link; it reads:\n${body.slice(0, 2000)}`)
    assert.ok(link.startsWith(prefix), `the link ${link} starts with ${prefix}`)

    await page.goto(link)
    await expectText(page, 'h1', 'Choose a new password')
    await page.fill('#reset-password', ADA_NEW_PASSWORD)
    await page.fill('#reset-confirm', ADA_NEW_PASSWORD)
    await page.click('[data-testid=reset-form] button[type=submit]')
    await page.waitForURL((url) => url.pathname === '/login')
    await expectTextMatch(page, '[data-testid=login-notice]', /Your password has been changed/)

    await signIn(page, ADA.email, ADA.password)
    await expectTextMatch(page, '[data-testid=form-error]', /\S/)
    await signIn(page, ADA.email, ADA_NEW_PASSWORD)
    await page.waitForURL(`${server.url}/`)
    await expectText(page, '[data-testid=user-name]', ADA.name)

    // The link works once.
    await page.goto(link)
    await page.fill('#reset-password', 'yet-another-password')
    await page.fill('#reset-confirm', 'yet-another-password')
    await page.click('[data-testid=reset-form] button[type=submit]')
    await expectTextMatch(page, '[data-testid=reset-refused]', /expired or has already been used/)
    session.assertClean([httpError(401, '/api/auth/login'), httpError(400, '/api/auth/reset')])
  })

  test('a session the server refuses sends the user to login with a message', async () => {
    // A fresh session, whatever the step before left.
    await page.evaluate((key) => localStorage.removeItem(key), SESSION_KEY)
    await page.goto(`${server.url}/login?redirect=/profile`)
    await signIn(page, ADA.email, ADA_NEW_PASSWORD)
    await page.waitForURL('**/profile')
    await expectText(page, '[data-testid=user-name]', ADA.name)
    // The server no longer knows this token (as after a restart with a new secret).
    await page.evaluate((key) => {
      const session = JSON.parse(localStorage.getItem(key))
      localStorage.setItem(key, JSON.stringify({ ...session, token: 'not-a-valid-token' }))
    }, SESSION_KEY)
    await page.goto(`${server.url}/teams/${encodeURIComponent(teamId)}`)
    await page.waitForURL((url) => url.pathname === '/login')
    assert.equal(new URL(page.url()).searchParams.get('redirect'), `/teams/${encodeURIComponent(teamId)}`)
    await expectText(page, '[data-testid=login-notice]', 'Your session has expired — sign in again.')
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY), null)
    await page.locator('[data-testid=sign-in-link]').waitFor()

    await signIn(page, ADA.email, ADA_NEW_PASSWORD)
    await page.waitForURL(/\/teams\/[^/]+$/)
    await expectText(page, '[data-testid=team-name]', TEAM)
    session.assertClean([httpError(401, '/api/(me|teams/[^/]+)')])
  })

  test('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(server))
})

describe('maestro serve with MAESTRO_REGISTRATION=closed', () => {
  let server

  before(async () => {
    server = await startMaestro({ env: () => ({ MAESTRO_REGISTRATION: 'closed' }) })
  })

  after(async () => {
    await server?.stop()
  })

  nodeTest('the register page says that new accounts are not accepted', async () => {
    const { page, close, assertClean } = await openPage()
    try {
      await page.goto(`${server.url}/register`)
      await page.fill('#register-name', ADA.name)
      await page.fill('#register-email', ADA.email)
      await page.fill('#register-password', ADA.password)
      await page.fill('#register-confirm', ADA.password)
      await page.click('[data-testid=register-form] button[type=submit]')
      await expectTextMatch(page, '[data-testid=form-error]', /does not accept new accounts/)
      assert.equal(pathOf(page), '/register')
      assertClean([httpError(403, '/api/users')])
    } finally {
      await close()
    }
  })

  nodeTest('the server exits with code 0 on SIGTERM', () => assertStopsCleanly(server))
})

/** The session token the page keeps in localStorage. */
async function storedToken(page) {
  return JSON.parse(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY)).token
}
