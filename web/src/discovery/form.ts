// The connection wizard's model and its two ways: a provider (and, to edit, a
// stored connection) → what the inputs show, and the inputs → the body to
// send, with the checks made before sending (a datacenter and a provider
// chosen, a name, AWS regions, an http(s) endpoint, a file or a location for
// the file providers, periods such as 5m or 14d). The server's 422 details
// are put next to the input they name (`credentials.token`,
// `credentials.ssh.host`, `resources.server-list.every`); each input belongs
// to a step of the wizard, so a refused create goes back to the first step
// with a problem.

import type { ErrorDetail } from '../api/client'
import type { Connection, ConnectionFields, Provider, ResourceSettings } from '../api/connections'
import { parseEvery } from '../scheduler/timing'

/** Where a file provider reads its file. */
export type FileSource = 'upload' | 'ssh' | 's3'

export const FILE_SOURCES: readonly { source: FileSource; label: string; hint: string }[] = [
  { source: 'upload', label: 'Upload a file', hint: 'Send the file now; sync reads this copy.' },
  { source: 'ssh', label: 'SSH', hint: 'Read it from a host over SSH at every sync.' },
  { source: 's3', label: 'S3', hint: 'Read it from an S3 (or S3-compatible) bucket at every sync.' },
]

/** An input of a remote location; `secret` ones are password inputs. */
export interface LocationField {
  name: string
  label: string
  secret?: boolean
  optional?: boolean
  multiline?: boolean
  /** Spans both columns of the location's grid. */
  wide?: boolean
  hint?: string
  placeholder?: string
}

/** The inputs of each remote location, in order. */
export const LOCATION_FIELDS: Readonly<Record<'ssh' | 's3', readonly LocationField[]>> = {
  ssh: [
    { name: 'host', label: 'Host' },
    { name: 'port', label: 'Port', optional: true },
    { name: 'user', label: 'User' },
    { name: 'path', label: 'Path of the file' },
    { name: 'private_key', label: 'Private key', secret: true, multiline: true },
    {
      name: 'host_key',
      label: 'Host key (SHA256 fingerprint)',
      optional: true,
      wide: true,
      placeholder: 'SHA256:…',
      hint: 'As ssh-keygen -lf prints it. When given, a server with any other key is refused. Test credentials shows the key it found.',
    },
  ],
  s3: [
    { name: 'bucket', label: 'Bucket' },
    { name: 'path', label: 'Key (path) of the file' },
    { name: 'access_key', label: 'Access key', optional: true },
    { name: 'secret_key', label: 'Secret key', secret: true, optional: true },
    { name: 'endpoint', label: 'Endpoint', optional: true },
    { name: 'region', label: 'Region', optional: true },
  ],
}

/** The value a read shows for a stored credential, and a write sends to keep it. */
export const STORED = 'set'

export interface ConnectionForm {
  datacenter: string
  provider: string
  name: string
  enabled: boolean
  /** The provider's own credential fields (not the file providers'). */
  credentials: Record<string, string>
  source: FileSource
  /** The uploaded file's id ('' until uploaded) and what it was. */
  upload: { id: string; name: string; size: number } | null
  ssh: Record<string, string>
  s3: Record<string, string>
  regions: string[]
  endpoint: string
  resources: Record<string, ResourceSettings>
  /** Editing: send new credentials (otherwise the stored ones are kept untouched). */
  replaceCredentials: boolean
}

/** Field → problem, for the inputs of the wizard (`credentials.token`, `resources.server-list.every`). */
export type FormProblems = Record<string, string>

/** The wizard's steps, in order; each input belongs to one. */
export const STEPS = ['datacenter', 'provider', 'credentials', 'regions', 'resources'] as const
export type Step = (typeof STEPS)[number]

export const STEP_LABELS: Readonly<Record<Step, string>> = {
  datacenter: 'Datacenter',
  provider: 'Provider',
  credentials: 'Credentials',
  regions: 'Regions',
  resources: 'Resources',
}

/** The providers that list per region, and so need at least one. */
export function needsRegions(provider: string): boolean {
  return provider === 'aws'
}

function emptyLocation(source: 'ssh' | 's3'): Record<string, string> {
  return Object.fromEntries(LOCATION_FIELDS[source].map((field) => [field.name, '']))
}

export function emptyForm(): ConnectionForm {
  return {
    datacenter: '',
    provider: '',
    name: '',
    enabled: true,
    credentials: {},
    source: 'upload',
    upload: null,
    ssh: emptyLocation('ssh'),
    s3: emptyLocation('s3'),
    regions: [],
    endpoint: '',
    resources: {},
    replaceCredentials: true,
  }
}

/** The provider's resources, each enabled with its default period. */
export function defaultResources(provider: Provider): Record<string, ResourceSettings> {
  return Object.fromEntries(provider.resources.map((resource) => [resource.name, { enabled: true, every: resource.default_every }]))
}

/** Switches the form to `provider`: its credential inputs, empty, and its resources with their defaults. */
export function chooseProvider(form: ConnectionForm, provider: Provider): void {
  form.provider = provider.provider
  form.credentials = Object.fromEntries(
    provider.credentials_one_of ? [] : provider.credentials.map((field) => [field.name, '']),
  )
  form.resources = defaultResources(provider)
  if (!needsRegions(provider.provider)) form.regions = []
}

/** What the inputs show for a stored connection: its settings; credentials stay empty ("leave empty to keep"). */
export function toForm(connection: Connection, provider: Provider): ConnectionForm {
  const form = emptyForm()
  chooseProvider(form, provider)
  form.datacenter = connection.datacenter
  form.name = connection.name
  form.enabled = connection.enabled
  form.regions = [...connection.regions]
  form.endpoint = connection.endpoint ?? ''
  for (const [name, settings] of Object.entries(connection.resources)) {
    form.resources[name] = { enabled: settings.enabled, every: settings.every }
  }
  // Resources the provider offers that the connection does not sync are shown off.
  for (const resource of provider.resources) {
    if (!(resource.name in connection.resources)) form.resources[resource.name] = { enabled: false, every: resource.default_every }
  }
  if (provider.credentials_one_of) {
    const stored = (['upload', 'ssh', 's3'] as const).find((source) => source in connection.credentials)
    if (stored) form.source = stored
  }
  form.replaceCredentials = false
  return form
}

/**
 * The SSH host key fingerprint a credentials test found and that is not pinned yet
 * ("… (SSH host key SHA256:…, not pinned: pin it in ssh.host_key)"), or null.
 */
export function hostKeyOf(message: string): string | null {
  return /\(SSH host key (SHA256:[A-Za-z0-9+/]+), not pinned[^)]*\)\s*$/.exec(message)?.[1] ?? null
}

/**
 * Prepares an edit to pin an SSH host key: "Replace credentials" on, the SSH
 * location chosen, every input empty but the host key. Stored credentials are
 * never read back, so the other inputs must be typed again.
 */
export function pinHostKey(form: ConnectionForm, fingerprint: string): void {
  form.replaceCredentials = true
  form.source = 'ssh'
  form.ssh = { ...emptyLocation('ssh'), host_key: fingerprint }
}

/** Adds region chips from typed text ("us-east-1, eu-west-1"); answers what is left to type. */
export function addRegions(form: ConnectionForm, text: string): string {
  for (const region of text.split(/[\s,]+/)) {
    const name = region.trim()
    if (name !== '' && !form.regions.includes(name)) form.regions.push(name)
  }
  return ''
}

function squeezed(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/**
 * The provider a datacenter's free-text provider ("DigitalOcean", "AWS",
 * "Azure") most likely names: its id, then its label, then a label that
 * contains it; undefined when none does.
 */
export function guessProvider(datacenterProvider: string, providers: readonly Provider[]): Provider | undefined {
  const name = squeezed(datacenterProvider)
  if (name.length < 2) return undefined
  return (
    providers.find((provider) => squeezed(provider.provider) === name) ??
    providers.find((provider) => squeezed(provider.label) === name) ??
    (name.length >= 4 ? providers.find((provider) => squeezed(provider.label).includes(name)) : undefined)
  )
}

/** The default name: the provider's label and the datacenter's name. */
export function suggestedName(provider: Provider | undefined, datacenterName: string | undefined): string {
  return [provider?.label, datacenterName].filter((part) => part).join(' – ')
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/**
 * The credentials to send and the problems found on the way. `stored` is a
 * read's `credentials` when editing: an empty input of a stored field sends
 * "set" (keep it), so only what the person typed changes.
 */
export function buildCredentials(
  form: ConnectionForm,
  provider: Provider,
  stored: Record<string, string> = {},
): { credentials: Record<string, unknown>; problems: FormProblems } {
  const problems: FormProblems = {}
  if (!provider.credentials_one_of) {
    const credentials: Record<string, unknown> = {}
    for (const field of provider.credentials) {
      const value = (form.credentials[field.name] ?? '').trim()
      if (value !== '') credentials[field.name] = field.secret ? (form.credentials[field.name] ?? '') : value
      else if (stored[field.name] === STORED) credentials[field.name] = STORED
      // Left out otherwise: the server says which fields it needs.
    }
    return { credentials, problems }
  }
  const keeps = stored[form.source] === STORED
  if (form.source === 'upload') {
    if (form.upload?.id) return { credentials: { upload: form.upload.id }, problems }
    if (keeps) return { credentials: { upload: STORED }, problems }
    problems['credentials.upload'] = 'choose a file to upload'
    return { credentials: {}, problems }
  }
  const location: Record<string, unknown> = {}
  const values = form.source === 'ssh' ? form.ssh : form.s3
  // The server keeps or replaces a stored location as a whole ("set" inside it
  // would be stored as a value): every input left empty keeps it, anything
  // typed replaces it, and then every required input must be given again.
  const entered = LOCATION_FIELDS[form.source].some((field) => (values[field.name] ?? '').trim() !== '')
  if (keeps && !entered) return { credentials: { [form.source]: STORED }, problems }
  for (const field of LOCATION_FIELDS[form.source]) {
    const raw = values[field.name] ?? ''
    const value = field.secret ? raw : raw.trim()
    const key = `credentials.${form.source}.${field.name}`
    if (value.trim() === '') {
      if (!field.optional) problems[key] = 'is required'
      continue
    }
    if (field.name === 'host_key') {
      if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(value)) problems[key] = "must be the server's SHA256 fingerprint, as ssh-keygen -lf prints it (SHA256:…)"
      else location.host_key = value
    } else if (field.name === 'port') {
      if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 65535) problems[key] = 'must be a port number (1–65535)'
      else location.port = Number(value)
    } else if (field.name === 'endpoint' && !isHttpUrl(value)) {
      problems[key] = 'must be an http:// or https:// URL'
    } else {
      location[field.name] = value
    }
  }
  return { credentials: { [form.source]: location }, problems }
}

/** What is wrong with a resource's period, or null: a whole number and s, m, h, d or w. */
export function periodProblem(every: string): string | null {
  const parsed = parseEvery(every)
  if (!parsed) return 'must be a whole number followed by s, m, h, d or w (5m, 6h, 14d)'
  if (parsed.count <= 0) return 'must be more than zero'
  return null
}

/** The resources to send; an enabled one needs a valid period. */
export function buildResources(form: ConnectionForm): { resources: Record<string, ResourceSettings>; problems: FormProblems } {
  const problems: FormProblems = {}
  const resources: Record<string, ResourceSettings> = {}
  for (const [name, settings] of Object.entries(form.resources)) {
    const every = settings.every.trim()
    if (settings.enabled) {
      const problem = periodProblem(every)
      if (problem) problems[`resources.${name}.every`] = problem
    }
    resources[name] = { enabled: settings.enabled, every }
  }
  if (Object.keys(resources).length > 0 && !Object.values(resources).some((settings) => settings.enabled)) {
    problems.resources = 'enable at least one resource, or nothing is ever synced'
  }
  return { resources, problems }
}

/** The checks of one step, before the wizard moves on (the same the final build makes). */
export function stepProblems(step: Step, form: ConnectionForm, provider: Provider | undefined): FormProblems {
  const problems: FormProblems = {}
  if (step === 'datacenter' && form.datacenter === '') problems.datacenter = 'choose the datacenter its records go to'
  if (step === 'provider' && (!provider || form.provider === '')) problems.provider = 'choose a provider'
  if (step === 'credentials' && provider) Object.assign(problems, buildCredentials(form, provider).problems)
  if (step === 'regions') {
    if (needsRegions(form.provider) && form.regions.length === 0) {
      problems.regions = 'give at least one region, such as us-east-1'
    }
    const endpoint = form.endpoint.trim()
    if (endpoint !== '' && !isHttpUrl(endpoint)) problems.endpoint = 'must be an http:// or https:// URL'
  }
  if (step === 'resources') {
    if (form.name.trim() === '') problems.name = 'is required'
    Object.assign(problems, buildResources(form).problems)
  }
  return problems
}

/** The body of POST /api/connections, or the problems that keep it from being sent. */
export function buildCreateBody(
  form: ConnectionForm,
  provider: Provider | undefined,
): { body: ConnectionFields | null; problems: FormProblems } {
  const problems: FormProblems = {}
  for (const step of STEPS) Object.assign(problems, stepProblems(step, form, provider))
  if (!provider || Object.keys(problems).length > 0) return { body: null, problems }
  const endpoint = form.endpoint.trim()
  return {
    body: {
      name: form.name.trim(),
      provider: provider.provider,
      datacenter: form.datacenter,
      regions: [...form.regions],
      ...(endpoint !== '' ? { endpoint } : {}),
      enabled: form.enabled,
      resources: buildResources(form).resources,
      credentials: buildCredentials(form, provider).credentials,
    },
    problems,
  }
}

/**
 * The merge patch of an edit: name, enabled, regions, endpoint (null clears
 * it) and resources always; the credentials only when they are replaced.
 */
export function buildPatch(
  form: ConnectionForm,
  provider: Provider,
  stored: Connection,
): { patch: Partial<ConnectionFields> | null; problems: FormProblems } {
  const problems: FormProblems = {
    ...stepProblems('regions', form, provider),
    ...stepProblems('resources', form, provider),
  }
  const credentials = form.replaceCredentials ? buildCredentials(form, provider, stored.credentials) : null
  if (credentials) Object.assign(problems, credentials.problems)
  if (Object.keys(problems).length > 0) return { patch: null, problems }
  const endpoint = form.endpoint.trim()
  const patch: Partial<ConnectionFields> = {
    name: form.name.trim(),
    enabled: form.enabled,
    regions: [...form.regions],
    endpoint: endpoint === '' ? null : endpoint,
    resources: buildResources(form).resources,
  }
  if (credentials) patch.credentials = credentials.credentials
  return { patch, problems }
}

/** The step an input belongs to. */
export function stepOf(field: string): Step {
  if (field === 'datacenter') return 'datacenter'
  if (field === 'provider') return 'provider'
  if (field === 'credentials' || field.startsWith('credentials.')) return 'credentials'
  if (field === 'regions' || field.startsWith('regions.') || field === 'endpoint') return 'regions'
  return 'resources'
}

/** Where the form shows a detail the server sent: an input's key, or null when it has none. */
export function problemField(field: string, form: ConnectionForm): string | null {
  if (['datacenter', 'provider', 'name', 'regions', 'endpoint', 'enabled', 'credentials', 'resources'].includes(field)) return field
  if (/^regions\.\d+$/.test(field)) return 'regions'
  const resource = /^resources\.([^.]+)(\.every)?(?:\..*)?$/.exec(field)
  if (resource) {
    const name = resource[1] ?? ''
    if (!(name in form.resources)) return 'resources'
    return resource[2] ? `resources.${name}.every` : `resources.${name}`
  }
  const location = /^credentials\.(ssh|s3)\.([^.]+)$/.exec(field)
  if (location) return location[1] === form.source ? field : 'credentials'
  const plain = /^credentials\.([^.]+)$/.exec(field)
  if (plain) {
    const name = plain[1] ?? ''
    if (name in form.credentials) return field
    if (name === 'upload' || name === 'ssh' || name === 's3') return name === form.source ? `credentials.${name}` : 'credentials'
    return 'credentials'
  }
  return null
}

/** The server's details: by the wizard's input keys, and lines for those it has no input for. */
export function mapProblems(
  details: readonly ErrorDetail[],
  form: ConnectionForm,
): { byField: FormProblems; others: string[] } {
  const byField: FormProblems = {}
  const others: string[] = []
  for (const detail of details) {
    const problem = detail.problem ?? 'is not valid'
    const field = detail.field === undefined ? null : problemField(detail.field, form)
    if (field === null) {
      others.push(detail.field ? `${detail.field} ${problem}` : problem)
    } else {
      byField[field] = byField[field] ? `${byField[field]}; ${problem}` : problem
    }
  }
  return { byField, others }
}

/** The first step with a problem (where a refused create goes back to), or null. */
export function firstStepWithProblem(problems: FormProblems): Step | null {
  const steps = new Set(Object.keys(problems).map(stepOf))
  return STEPS.find((step) => steps.has(step)) ?? null
}
