import { describe, expect, it } from 'vitest'
import type { Connection, Provider } from '../api/connections'
import {
  addRegions,
  buildCreateBody,
  buildCredentials,
  buildPatch,
  chooseProvider,
  emptyForm,
  firstStepWithProblem,
  guessProvider,
  hostKeyOf,
  mapProblems,
  pinHostKey,
  stepOf,
  stepProblems,
  suggestedName,
  toForm,
  type ConnectionForm,
} from './form'

const DIGITALOCEAN: Provider = {
  provider: 'digitalocean',
  label: 'DigitalOcean',
  credentials: [{ name: 'token', label: 'Personal access token', secret: true }],
  credentials_one_of: false,
  resources: [
    { name: 'server-list', default_every: '5m', calls: ['GET /v2/droplets'] },
    { name: 'volumes-list', default_every: '6h', calls: ['GET /v2/volumes'] },
  ],
  policy: 'Read scope only.',
}

const AWS: Provider = {
  provider: 'aws',
  label: 'Amazon Web Services',
  credentials: [
    { name: 'access_key', label: 'Access key ID', secret: false },
    { name: 'secret_key', label: 'Secret access key', secret: true },
  ],
  credentials_one_of: false,
  resources: [{ name: 'server-list', default_every: '5m', calls: ['ec2:DescribeInstances'] }],
  policy: '{}',
}

const JSON_FILE: Provider = {
  provider: 'json',
  label: 'JSON file',
  credentials: [
    { name: 'upload', label: 'Upload', secret: false },
    { name: 'ssh', label: 'SSH', secret: true },
    { name: 's3', label: 'S3', secret: true },
  ],
  credentials_one_of: true,
  resources: [{ name: 'server-list', default_every: '5m', calls: ['read the file'] }],
  policy: 'Maestro only reads the file.',
}

/** A DigitalOcean form filled in as the wizard would leave it. */
function digitalOcean(changes: Partial<ConnectionForm> = {}): ConnectionForm {
  const form = emptyForm()
  chooseProvider(form, DIGITALOCEAN)
  form.datacenter = 'dc1'
  form.name = 'DO production'
  form.credentials.token = 'dop_v1_secret'
  return Object.assign(form, changes)
}

const STORED: Connection = {
  id: 'c1',
  name: 'DO production',
  provider: 'digitalocean',
  datacenter: 'dc1',
  regions: [],
  endpoint: 'http://127.0.0.1:9000',
  enabled: true,
  resources: { 'server-list': { enabled: true, every: '10m', schedule: 's1' } },
  credentials: { token: 'set' },
  status: {},
  version: 4,
  created_at: '2026-05-01T10:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
}

describe('buildCreateBody', () => {
  it('sends every resource of the provider with its default period, and the credentials as typed', () => {
    expect(buildCreateBody(digitalOcean(), DIGITALOCEAN)).toEqual({
      body: {
        name: 'DO production',
        provider: 'digitalocean',
        datacenter: 'dc1',
        regions: [],
        enabled: true,
        resources: {
          'server-list': { enabled: true, every: '5m' },
          'volumes-list': { enabled: true, every: '6h' },
        },
        credentials: { token: 'dop_v1_secret' },
      },
      problems: {},
    })
  })

  it('sends the endpoint only when one is given, trimmed, and keeps disabled resources off', () => {
    const form = digitalOcean({ endpoint: ' http://127.0.0.1:9000 ' })
    form.resources['volumes-list'] = { enabled: false, every: '6h' }
    const { body } = buildCreateBody(form, DIGITALOCEAN)
    expect(body?.endpoint).toBe('http://127.0.0.1:9000')
    expect(body?.resources?.['volumes-list']).toEqual({ enabled: false, every: '6h' })
    expect(buildCreateBody(digitalOcean(), DIGITALOCEAN).body).not.toHaveProperty('endpoint')
  })

  it('refuses what the server would refuse, input by input', () => {
    const form = digitalOcean({ datacenter: '', name: ' ', endpoint: 'ftp://files' })
    form.resources['server-list'] = { enabled: true, every: '5 minutes' }
    const built = buildCreateBody(form, DIGITALOCEAN)
    expect(built.body).toBeNull()
    expect(built.problems).toEqual({
      datacenter: 'choose the datacenter its records go to',
      endpoint: 'must be an http:// or https:// URL',
      name: 'is required',
      'resources.server-list.every': 'must be a whole number followed by s, m, h, d or w (5m, 6h, 14d)',
    })
    expect(firstStepWithProblem(built.problems)).toBe('datacenter')
  })

  it('needs a provider, and at least one enabled resource', () => {
    expect(buildCreateBody(emptyForm(), undefined).problems.provider).toBe('choose a provider')
    const form = digitalOcean()
    for (const settings of Object.values(form.resources)) settings.enabled = false
    expect(buildCreateBody(form, DIGITALOCEAN).problems).toEqual({
      resources: 'enable at least one resource, or nothing is ever synced',
    })
  })

  it('needs regions for AWS only', () => {
    const form = emptyForm()
    chooseProvider(form, AWS)
    Object.assign(form, { datacenter: 'dc1', name: 'AWS', credentials: { access_key: 'AKIA', secret_key: 's' } })
    expect(stepProblems('regions', form, AWS)).toEqual({ regions: 'give at least one region, such as us-east-1' })
    expect(addRegions(form, 'us-east-1, eu-west-1 us-east-1')).toBe('')
    expect(form.regions).toEqual(['us-east-1', 'eu-west-1'])
    expect(buildCreateBody(form, AWS).body?.regions).toEqual(['us-east-1', 'eu-west-1'])
    expect(stepProblems('regions', digitalOcean(), DIGITALOCEAN)).toEqual({})
  })

  it('leaves empty credential fields to the server, which names the ones it needs', () => {
    const form = digitalOcean()
    form.credentials.token = ''
    expect(buildCreateBody(form, DIGITALOCEAN).body?.credentials).toEqual({})
  })
})

describe('file providers', () => {
  function fileForm(changes: Partial<ConnectionForm>): ConnectionForm {
    const form = emptyForm()
    chooseProvider(form, JSON_FILE)
    return Object.assign(form, { datacenter: 'dc1', name: 'Inventory file' }, changes)
  }

  it('sends the uploaded file by its id', () => {
    const form = fileForm({ upload: { id: 'u1', name: 'inventory.json', size: 42 } })
    expect(buildCreateBody(form, JSON_FILE).body?.credentials).toEqual({ upload: 'u1' })
  })

  it('needs a file before the upload can be sent', () => {
    expect(buildCredentials(fileForm({}), JSON_FILE).problems).toEqual({ 'credentials.upload': 'choose a file to upload' })
  })

  it('sends exactly one location, with a numeric port and no empty optional fields', () => {
    const form = fileForm({ source: 'ssh' })
    Object.assign(form.ssh, { host: 'files.example.com', port: '2222', user: 'maestro', path: '/srv/inv.json', private_key: 'KEY\n' })
    expect(buildCredentials(form, JSON_FILE)).toEqual({
      credentials: { ssh: { host: 'files.example.com', port: 2222, user: 'maestro', path: '/srv/inv.json', private_key: 'KEY\n' } },
      problems: {},
    })
    const s3 = fileForm({ source: 's3' })
    Object.assign(s3.s3, { bucket: 'inv', path: 'state.json', endpoint: 'minio:9000' })
    expect(buildCredentials(s3, JSON_FILE).problems).toEqual({ 'credentials.s3.endpoint': 'must be an http:// or https:// URL' })
    s3.s3.endpoint = ''
    expect(buildCredentials(s3, JSON_FILE).credentials).toEqual({ s3: { bucket: 'inv', path: 'state.json' } })
  })

  it('names the missing location fields and a bad port', () => {
    const form = fileForm({ source: 'ssh' })
    Object.assign(form.ssh, { host: 'h', port: '70000' })
    expect(buildCredentials(form, JSON_FILE).problems).toEqual({
      'credentials.ssh.port': 'must be a port number (1–65535)',
      'credentials.ssh.user': 'is required',
      'credentials.ssh.path': 'is required',
      'credentials.ssh.private_key': 'is required',
    })
  })

  it('keeps a stored location while every input is empty, and replaces it whole otherwise', () => {
    // The server keeps "set" only in place of a whole source: inside a location it would be stored as the key.
    expect(buildCredentials(fileForm({ source: 'ssh' }), JSON_FILE, { ssh: 'set' })).toEqual({ credentials: { ssh: 'set' }, problems: {} })
    const form = fileForm({ source: 'ssh' })
    Object.assign(form.ssh, { host: 'h2', user: 'u', path: '/p' })
    expect(buildCredentials(form, JSON_FILE, { ssh: 'set' })).toEqual({
      credentials: { ssh: { host: 'h2', user: 'u', path: '/p' } },
      problems: { 'credentials.ssh.private_key': 'is required' },
    })
    expect(buildCredentials(fileForm({}), JSON_FILE, { upload: 'set' }).credentials).toEqual({ upload: 'set' })
  })

  it("sends an SSH host key when given, and refuses what is not a SHA256 fingerprint", () => {
    const form = fileForm({ source: 'ssh' })
    const fingerprint = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'
    Object.assign(form.ssh, { host: 'h', user: 'u', path: '/p', private_key: 'KEY', host_key: ` ${fingerprint} ` })
    expect(buildCredentials(form, JSON_FILE)).toEqual({
      credentials: { ssh: { host: 'h', user: 'u', path: '/p', private_key: 'KEY', host_key: fingerprint } },
      problems: {},
    })
    form.ssh.host_key = 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48'
    expect(buildCredentials(form, JSON_FILE).problems).toEqual({
      'credentials.ssh.host_key': "must be the server's SHA256 fingerprint, as ssh-keygen -lf prints it (SHA256:…)",
    })
  })
})

describe('editing', () => {
  it('shows the stored settings, every resource of the provider, and no credentials', () => {
    const form = toForm(STORED, DIGITALOCEAN)
    expect(form).toMatchObject({
      name: 'DO production',
      endpoint: 'http://127.0.0.1:9000',
      credentials: { token: '' },
      replaceCredentials: false,
      resources: { 'server-list': { enabled: true, every: '10m' }, 'volumes-list': { enabled: false, every: '6h' } },
    })
  })

  it('patches the settings and leaves the credentials out unless they are replaced', () => {
    const form = toForm(STORED, DIGITALOCEAN)
    form.endpoint = ''
    expect(buildPatch(form, DIGITALOCEAN, STORED)).toEqual({
      patch: {
        name: 'DO production',
        enabled: true,
        regions: [],
        endpoint: null,
        resources: { 'server-list': { enabled: true, every: '10m' }, 'volumes-list': { enabled: false, every: '6h' } },
      },
      problems: {},
    })
    form.replaceCredentials = true
    expect(buildPatch(form, DIGITALOCEAN, STORED).patch?.credentials).toEqual({ token: 'set' })
    form.credentials.token = 'dop_v1_new'
    expect(buildPatch(form, DIGITALOCEAN, STORED).patch?.credentials).toEqual({ token: 'dop_v1_new' })
  })
})

describe('the server problems', () => {
  it('puts each detail under its input, and the step it is on', () => {
    const form = digitalOcean()
    const mapped = mapProblems(
      [
        { field: 'name', problem: 'must not be empty' },
        { field: 'datacenter', problem: 'no datacenter nope you can read' },
        { field: 'endpoint', problem: 'must be an http:// or https:// URL' },
        { field: 'credentials.token', problem: 'is required' },
        { field: 'resources.server-list.every', problem: "every must be a whole number, got '5x'" },
        { field: 'resources.bogus', problem: 'is not a resource of DigitalOcean' },
        { field: 'regions', problem: 'give at least one AWS region, such as us-east-1' },
        { field: 'owner', problem: 'is read-only' },
        { problem: 'something else' },
      ],
      form,
    )
    expect(mapped).toEqual({
      byField: {
        name: 'must not be empty',
        datacenter: 'no datacenter nope you can read',
        endpoint: 'must be an http:// or https:// URL',
        'credentials.token': 'is required',
        'resources.server-list.every': "every must be a whole number, got '5x'",
        resources: 'is not a resource of DigitalOcean',
        regions: 'give at least one AWS region, such as us-east-1',
      },
      others: ['owner is read-only', 'something else'],
    })
    expect(firstStepWithProblem(mapped.byField)).toBe('datacenter')
    expect(firstStepWithProblem({ 'credentials.token': 'is required', name: 'x' })).toBe('credentials')
  })

  it('maps a file location problem to its input only while that location is chosen', () => {
    const form = emptyForm()
    chooseProvider(form, JSON_FILE)
    form.source = 'ssh'
    const details = [
      { field: 'credentials.ssh.user', problem: 'is required' },
      { field: 'credentials.s3.bucket', problem: 'is required' },
      { field: 'credentials', problem: 'give exactly one source: upload (an uploaded file id), ssh or s3' },
    ]
    expect(mapProblems(details, form).byField).toEqual({
      'credentials.ssh.user': 'is required',
      credentials: 'is required; give exactly one source: upload (an uploaded file id), ssh or s3',
    })
  })

  it('shows an upload the server does not know under the file input', () => {
    const form = emptyForm()
    chooseProvider(form, JSON_FILE)
    const details = [{ field: 'credentials.upload', problem: 'is not a file you uploaded: upload it first (POST /api/uploads)' }]
    const mapped = mapProblems(details, form)
    expect(mapped).toEqual({
      byField: { 'credentials.upload': 'is not a file you uploaded: upload it first (POST /api/uploads)' },
      others: [],
    })
    expect(firstStepWithProblem(mapped.byField)).toBe('credentials')
    // With another source chosen, it is a problem of the credentials as a whole.
    form.source = 's3'
    expect(mapProblems(details, form).byField).toEqual({ credentials: 'is not a file you uploaded: upload it first (POST /api/uploads)' })
  })

  it('knows the step of every input', () => {
    expect(['datacenter', 'provider', 'credentials.ssh.host', 'regions.0', 'endpoint', 'name', 'resources.x.every'].map(stepOf)).toEqual([
      'datacenter',
      'provider',
      'credentials',
      'regions',
      'regions',
      'resources',
      'resources',
    ])
  })
})

describe('suggestedName', () => {
  it('joins the provider and the datacenter', () => {
    expect(suggestedName(DIGITALOCEAN, 'NYC')).toBe('DigitalOcean – NYC')
    expect(suggestedName(DIGITALOCEAN, undefined)).toBe('DigitalOcean')
  })
})

describe('guessProvider', () => {
  it("reads the datacenter's provider as an id, a label, or a part of a label", () => {
    const providers = [AWS, DIGITALOCEAN, { ...DIGITALOCEAN, provider: 'do-spaces', label: 'DigitalOcean Spaces' }, JSON_FILE]
    expect(guessProvider('DigitalOcean', providers)?.provider).toBe('digitalocean')
    expect(guessProvider('AWS', providers)?.provider).toBe('aws')
    expect(guessProvider('amazon', providers)?.provider).toBe('aws')
    expect(guessProvider('Spaces', providers)?.provider).toBe('do-spaces')
    expect(guessProvider('Bare metal', providers)).toBeUndefined()
    expect(guessProvider('', providers)).toBeUndefined()
  })
})


describe('SSH host keys', () => {
  const fingerprint = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'

  it("reads the host key at the end of a test's message", () => {
    expect(hostKeyOf(`JSON file read: 2 items (SSH host key ${fingerprint}, not pinned: pin it in ssh.host_key)`)).toBe(
      fingerprint,
    )
    expect(hostKeyOf(`JSON file read: 2 items (SSH host key ${fingerprint}, pinned)`)).toBeNull()
    expect(hostKeyOf('JSON file read: 2 items')).toBeNull()
    expect(hostKeyOf(`SSH to h: the host key is ${fingerprint}, not the pinned SHA256:x`)).toBeNull()
  })

  it('prepares an edit that replaces the SSH location with the key pinned', () => {
    const stored: Connection = { ...STORED, provider: 'json', credentials: { ssh: 'set' } }
    const form = toForm(stored, JSON_FILE)
    expect(form.replaceCredentials).toBe(false)
    pinHostKey(form, fingerprint)
    expect(form.replaceCredentials).toBe(true)
    expect(form.source).toBe('ssh')
    expect(form.ssh).toEqual({ host: '', port: '', user: '', path: '', private_key: '', host_key: fingerprint })
    // The other inputs must be given again: the stored ones are never read back.
    expect(buildPatch(form, JSON_FILE, stored).problems).toEqual({
      'credentials.ssh.host': 'is required',
      'credentials.ssh.user': 'is required',
      'credentials.ssh.path': 'is required',
      'credentials.ssh.private_key': 'is required',
    })
    Object.assign(form.ssh, { host: 'h', user: 'u', path: '/p', private_key: 'KEY' })
    expect(buildPatch(form, JSON_FILE, stored).patch?.credentials).toEqual({
      ssh: { host: 'h', user: 'u', path: '/p', private_key: 'KEY', host_key: fingerprint },
    })
  })
})
