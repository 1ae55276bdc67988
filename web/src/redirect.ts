// Where to go after signing in: the `redirect` query of /login, if it names a
// page of this UI. Anything else (another origin, `//host`, `javascript:`,
// the login page itself) falls back to the dashboard, so a crafted link
// cannot send a fresh session elsewhere.

const AUTH_PAGES = ['/login', '/register', '/forgot-password', '/reset-password']

export function safeRedirect(value: unknown, fallback = '/'): string {
  const target = Array.isArray(value) ? value[0] : value
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) return fallback
  if (target.includes('\\')) return fallback
  const path = target.split(/[?#]/, 1)[0] ?? ''
  if (AUTH_PAGES.includes(path)) return fallback
  return target
}
