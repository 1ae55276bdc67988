// Entry point: styles, Pinia, router, then the shell. The theme store is
// created before mounting so a remembered theme applies on the first paint;
// the server's default follows once GET /api answers. The auth store restores
// a remembered session; when a session ends on its own (expiry, a 401, a
// sign-out in another tab) the user is sent to the login page. While signed
// in, one WebSocket (stores/realtime) brings notifications (toasts) and job
// progress (stores/jobs); it closes with the session.

import 'bootstrap/dist/css/bootstrap.min.css'
import './styles/themes.css'
import './styles/app.css'

import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import App from './App.vue'
import { router } from './router'
import { notifyToast } from './realtime/notify'
import { useAuthStore } from './stores/auth'
import { useJobsStore } from './stores/jobs'
import { useKindsStore } from './stores/kinds'
import { useRealtimeStore } from './stores/realtime'
import { useServerStore } from './stores/server'
import { useThemeStore } from './stores/theme'
import { useToastsStore } from './stores/toasts'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)

useThemeStore(pinia)
void useServerStore(pinia).load()

const auth = useAuthStore(pinia)
auth.onSessionEnd((reason) => {
  // The first navigation may still be under way (a 401 of GET /api/me on load).
  void router.isReady().then(() => {
    const current = router.currentRoute.value
    if (current.meta.guest) return
    // Another tab's sign-out only matters on pages that need a user.
    if (reason === 'signed-out-elsewhere' && !current.meta.auth) return
    return router.push({ name: 'login', query: { redirect: current.fullPath } })
  })
})
// Realtime: notifications become toasts, job messages move the jobs store
// (and its top-bar badge); after the socket was down, the badge is read again.
// Close code 4401 means the token is no longer good: the session ends.
const realtime = useRealtimeStore(pinia)
const jobs = useJobsStore(pinia)
const toasts = useToastsStore(pinia)
realtime.on('notify', (message) => toasts.push(notifyToast(message)))
realtime.on('job', (message) => jobs.apply(message))
realtime.on('connected', (message) => {
  if (message.reconnected) jobs.loadActive().catch(() => undefined)
})
realtime.onUnauthorized(() => auth.end('unauthorized'))

// Fetch the user behind a remembered (or new) token for the top bar and pages,
// and the kinds registry the record pages are built from. Once the server has
// confirmed the token (GET /api/me), open the realtime channel and read the
// running jobs; close the channel when the session ends. (A remembered token
// the server no longer takes thus never reaches /ws.)
const kinds = useKindsStore(pinia)
watch(
  () => auth.token,
  (token) => {
    kinds.reset()
    jobs.reset()
    if (token !== null) {
      kinds.load().catch(() => undefined) // the pages show the error when they need it
      auth.loadUser().then(
        (user) => {
          if (user === null || auth.token !== token) return // signed out or in again meanwhile
          realtime.connect(token)
          jobs.loadActive().catch(() => undefined) // the badge stays empty; the jobs page says why
        },
        () => undefined, // a 401 ends the session itself
      )
    } else {
      realtime.disconnect()
      toasts.clear()
    }
  },
  { immediate: true },
)

app.use(router)
app.mount('#app')
