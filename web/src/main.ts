// Entry point: styles, Pinia, router, then the shell. The theme store is
// created before mounting so a remembered theme applies on the first paint;
// the server's default follows once GET /api answers. The auth store restores
// a remembered session; when a session ends on its own (expiry, a 401, a
// sign-out in another tab) the user is sent to the login page.

import 'bootstrap/dist/css/bootstrap.min.css'
import './styles/themes.css'
import './styles/app.css'

import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import App from './App.vue'
import { router } from './router'
import { useAuthStore } from './stores/auth'
import { useKindsStore } from './stores/kinds'
import { useServerStore } from './stores/server'
import { useThemeStore } from './stores/theme'

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
// Fetch the user behind a remembered (or new) token for the top bar and pages,
// and the kinds registry the record pages are built from.
const kinds = useKindsStore(pinia)
watch(
  () => auth.token,
  (token) => {
    kinds.reset()
    if (token !== null) {
      auth.loadUser().catch(() => undefined) // a 401 ends the session itself
      kinds.load().catch(() => undefined) // the pages show the error when they need it
    }
  },
  { immediate: true },
)

app.use(router)
app.mount('#app')
