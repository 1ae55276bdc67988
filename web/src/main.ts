// Entry point: styles, Pinia, router, then the shell. The theme store is
// created before mounting so a remembered theme applies on the first paint;
// the server's default follows once GET /api answers.

import 'bootstrap/dist/css/bootstrap.min.css'
import './styles/themes.css'
import './styles/app.css'

import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { useServerStore } from './stores/server'
import { useThemeStore } from './stores/theme'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)

useThemeStore(pinia)
void useServerStore(pinia).load()

app.mount('#app')
