// Every route of the UI, on one screen. Planned sections of sections.ts get
// the placeholder page; inventory sections the generic record pages
// (records/inventory.ts); unknown paths fall through to the 404 page (the server
// answers index.html for them, so deep links work).
//
// `meta.auth` routes need a signed-in user: without a session the guard sends
// the visitor to /login?redirect=<where they wanted to go>. `meta.guest` marks
// the signed-out pages (sign in, register, password reset).

import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import ConnectionFormPage from './pages/ConnectionFormPage.vue'
import ConnectionPage from './pages/ConnectionPage.vue'
import ConnectionsPage from './pages/ConnectionsPage.vue'
import EntityDetailPage from './pages/EntityDetailPage.vue'
import EntityFormPage from './pages/EntityFormPage.vue'
import EntityListPage from './pages/EntityListPage.vue'
import DependencyWizardPage from './pages/DependencyWizardPage.vue'
import ForgotPasswordPage from './pages/ForgotPasswordPage.vue'
import GraphFormPage from './pages/GraphFormPage.vue'
import GraphPage from './pages/GraphPage.vue'
import GraphsPage from './pages/GraphsPage.vue'
import HomePage from './pages/HomePage.vue'
import ImportPage from './pages/ImportPage.vue'
import JobsPage from './pages/JobsPage.vue'
import LoginPage from './pages/LoginPage.vue'
import NotFoundPage from './pages/NotFoundPage.vue'
import ProfilePage from './pages/ProfilePage.vue'
import RegisterPage from './pages/RegisterPage.vue'
import ReportFormPage from './pages/ReportFormPage.vue'
import ReportPage from './pages/ReportPage.vue'
import ReportsPage from './pages/ReportsPage.vue'
import ResourcesPage from './pages/ResourcesPage.vue'
import ResetPasswordPage from './pages/ResetPasswordPage.vue'
import ScheduleFormPage from './pages/ScheduleFormPage.vue'
import SchedulePage from './pages/SchedulePage.vue'
import SchedulesPage from './pages/SchedulesPage.vue'
import SectionPlaceholderPage from './pages/SectionPlaceholderPage.vue'
import SettingsPage from './pages/SettingsPage.vue'
import TeamPage from './pages/TeamPage.vue'
import TeamsPage from './pages/TeamsPage.vue'
import { ENTITY_VIEWS, IMPORT_PATH, RESOURCES_PATH } from './records/inventory'
import { safeRedirect } from './redirect'
import { SECTIONS } from './sections'
import { useAuthStore } from './stores/auth'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomePage, meta: { title: 'Dashboard' } },
  ...SECTIONS.filter((section) => !section.built).map(
    (section): RouteRecordRaw => ({
      path: section.path,
      name: section.path.slice(1).replaceAll('/', '-'),
      component: SectionPlaceholderPage,
      props: { section },
      meta: { title: section.title },
    }),
  ),
  // Every record list of the inventory, and (at a kind's home) its record pages.
  ...ENTITY_VIEWS.flatMap((view): RouteRecordRaw[] => {
    const name = view.path.slice(1).replaceAll('/', '-')
    const list: RouteRecordRaw = {
      path: view.path,
      name,
      component: EntityListPage,
      props: { view },
      meta: { title: view.title, auth: true },
    }
    if (view.listOnly) return [list]
    return [
      list,
      {
        path: `${view.path}/new`,
        name: `${name}-new`,
        component: EntityFormPage,
        props: { view },
        meta: { title: `New · ${view.title}`, auth: true },
      },
      {
        path: `${view.path}/:id`,
        name: `${name}-record`,
        component: EntityDetailPage,
        props: (route) => ({ view, id: route.params.id }),
        meta: { title: view.title, auth: true },
      },
      {
        path: `${view.path}/:id/edit`,
        name: `${name}-edit`,
        component: EntityFormPage,
        props: (route) => ({ view, id: route.params.id }),
        meta: { title: `Edit · ${view.title}`, auth: true },
      },
    ]
  }),
  {
    path: RESOURCES_PATH,
    name: 'inventory-resources',
    component: ResourcesPage,
    meta: { title: 'Resources', auth: true },
  },
  {
    path: IMPORT_PATH,
    name: 'inventory-import',
    component: ImportPage,
    meta: { title: 'Import', auth: true },
  },
  {
    path: '/discovery/connections',
    name: 'connections',
    component: ConnectionsPage,
    meta: { title: 'Connections', auth: true },
  },
  {
    path: '/discovery/connections/new',
    name: 'connection-new',
    component: ConnectionFormPage,
    meta: { title: 'New connection', auth: true },
  },
  {
    path: '/discovery/connections/:id',
    name: 'connection',
    component: ConnectionPage,
    props: true,
    meta: { title: 'Connection', auth: true },
  },
  {
    path: '/discovery/connections/:id/edit',
    name: 'connection-edit',
    component: ConnectionFormPage,
    props: true,
    meta: { title: 'Edit connection', auth: true },
  },
  { path: '/reports', name: 'reports', component: ReportsPage, meta: { title: 'Reports', auth: true } },
  { path: '/reports/new', name: 'report-new', component: ReportFormPage, meta: { title: 'New report', auth: true } },
  {
    path: '/reports/:id',
    name: 'report',
    component: ReportPage,
    props: true,
    meta: { title: 'Report', auth: true },
  },
  {
    path: '/reports/:id/edit',
    name: 'report-edit',
    component: ReportFormPage,
    props: true,
    meta: { title: 'Edit report', auth: true },
  },
  { path: '/graphs', name: 'graphs', component: GraphsPage, meta: { title: 'Graphs', auth: true } },
  { path: '/graphs/new', name: 'graph-new', component: GraphFormPage, meta: { title: 'New graph', auth: true } },
  {
    path: '/graphs/dependencies',
    name: 'dependencies',
    component: DependencyWizardPage,
    meta: { title: 'Dependencies', auth: true },
  },
  {
    path: '/graphs/:id',
    name: 'graph',
    component: GraphPage,
    props: true,
    meta: { title: 'Graph', auth: true },
  },
  { path: '/scheduler', name: 'scheduler', component: SchedulesPage, meta: { title: 'Scheduler', auth: true } },
  {
    path: '/scheduler/new',
    name: 'schedule-new',
    component: ScheduleFormPage,
    meta: { title: 'New schedule', auth: true },
  },
  {
    path: '/scheduler/:id',
    name: 'schedule',
    component: SchedulePage,
    props: true,
    meta: { title: 'Schedule', auth: true },
  },
  {
    path: '/scheduler/:id/edit',
    name: 'schedule-edit',
    component: ScheduleFormPage,
    props: true,
    meta: { title: 'Edit schedule', auth: true },
  },
  { path: '/jobs', name: 'jobs', component: JobsPage, meta: { title: 'Jobs', auth: true } },
  { path: '/settings', name: 'settings', component: SettingsPage, meta: { title: 'Settings', auth: true } },
  { path: '/teams', name: 'teams', component: TeamsPage, meta: { title: 'Teams', auth: true } },
  {
    path: '/teams/:id',
    name: 'team',
    component: TeamPage,
    props: true,
    meta: { title: 'Team', auth: true },
  },
  { path: '/profile', name: 'profile', component: ProfilePage, meta: { title: 'Profile', auth: true } },
  { path: '/login', name: 'login', component: LoginPage, meta: { title: 'Sign in', guest: true } },
  {
    path: '/register',
    name: 'register',
    component: RegisterPage,
    meta: { title: 'Create an account', guest: true },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: ForgotPasswordPage,
    meta: { title: 'Forgot password', guest: true },
  },
  {
    path: '/reset-password',
    name: 'reset-password',
    component: ResetPasswordPage,
    meta: { title: 'Choose a new password', guest: true },
  },
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
    /** Needs a signed-in user. */
    auth?: boolean
    /** A signed-out page: sign in, register, password reset. */
    guest?: boolean
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (to.meta.auth && !auth.signedIn) {
    return { name: 'login', query: { redirect: to.fullPath } }
  }
  // Signing in or registering again makes no sense with a session.
  if (auth.signedIn && (to.name === 'login' || to.name === 'register')) {
    return safeRedirect(to.query.redirect)
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · Maestro` : 'Maestro'
})
