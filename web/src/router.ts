// Every route of the UI, on one screen. Section routes come from sections.ts;
// unknown paths fall through to the 404 page (the server answers index.html for
// them, so deep links work).

import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import HomePage from './pages/HomePage.vue'
import LoginPage from './pages/LoginPage.vue'
import NotFoundPage from './pages/NotFoundPage.vue'
import SectionPlaceholderPage from './pages/SectionPlaceholderPage.vue'
import { SECTIONS } from './sections'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomePage, meta: { title: 'Dashboard' } },
  ...SECTIONS.map(
    (section): RouteRecordRaw => ({
      path: section.path,
      name: section.path.slice(1).replaceAll('/', '-'),
      component: SectionPlaceholderPage,
      props: { section },
      meta: { title: section.title },
    }),
  ),
  { path: '/login', name: 'login', component: LoginPage, meta: { title: 'Sign in' } },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: NotFoundPage,
    meta: { title: 'Page not found' },
  },
]

declare module 'vue-router' {
  interface RouteMeta {
    title: string
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · Maestro` : 'Maestro'
})
