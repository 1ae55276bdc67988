// Graphs (API.md, "Graphs"): application dependency maps drawn from systems
// (their entry points), clients (their systems) or chosen applications. Saving
// one queues its build (a job of type `graph`); once built it has metrics
// (`info`), an SVG, a PNG and a JSON drawing, and it may be shared through a
// public link that is revoked for every holder at once. Each graph belongs to
// its owner only; edits honour If-Match like other records.
//
// Also here: PUT /api/dependencies, the dependency-tree wizard's one-transaction
// commit of many applications' `deps` and a system's `entries`.

import { downloadFile, json, query, request, requestFile } from './client'
import type { Job } from './jobs'
import type { ReportStatus } from './reports'
import type { RecordDoc } from '../records/fields'
import type { Page } from './teams'

/** The kinds a graph starts from. */
export type GraphSource = 'systems' | 'clients' | 'applications'
export const GRAPH_SOURCES: readonly GraphSource[] = ['systems', 'clients', 'applications']

/** A graph's build states are a report's generation states. */
export type GraphStatus = ReportStatus

/** Exactly one key: the ids of the records the graph starts from. */
export type GraphFrom = Partial<Record<GraphSource, string[]>>

export interface GraphInfo {
  nodes: number
  edges: number
  density: number
  /** Nodes per depth: index 0 holds the entry points. */
  depth_histogram: number[]
  families: Record<string, number>
  systems: number
  clients: number
  servers: number
}

export interface Graph {
  id: string
  name: string
  from: GraphFrom
  status: GraphStatus
  message: string | null
  info: GraphInfo | null
  share: { enabled: boolean; created_at: string | null }
  /** The last build job. */
  job: string | null
  built_at: string | null
  version: number
  created_at: string
  updated_at: string
}

export interface GraphServer {
  id: string
  hostname: string
  ipv4_private?: string | null
  ipv4_public?: string | null
  environment?: string | null
}

export interface GraphNode {
  id: string
  name: string
  family: string
  depth: number
  x: number
  y: number
  servers: GraphServer[]
}

export interface GraphEdge {
  from: string
  to: string
  via: string
  endpoint?: string | null
}

export interface GraphDrawing {
  nodes: GraphNode[]
  edges: GraphEdge[]
}

export interface GraphShare {
  url: string
  token: string
}

/** The kind a graph starts from and the ids it names. */
export function sourceOf(graph: Pick<Graph, 'from'>): { kind: GraphSource; ids: string[] } {
  for (const kind of GRAPH_SOURCES) {
    const ids = graph.from[kind]
    if (Array.isArray(ids)) return { kind, ids }
  }
  return { kind: 'systems', ids: [] }
}

function graphPath(id: string): string {
  return `/api/graphs/${encodeURIComponent(id)}`
}

export function listGraphs(params: { page?: number; limit?: number } = {}): Promise<Page<Graph>> {
  return request<Page<Graph>>(`/api/graphs${query(params)}`)
}

export function createGraph(fields: { name: string; from: GraphFrom }): Promise<Graph> {
  return request<Graph>('/api/graphs', { method: 'POST', body: json(fields) })
}

/** The graph and its ETag, for a later If-Match. */
export async function fetchGraph(id: string): Promise<{ graph: Graph; etag: string }> {
  let etag = ''
  const graph = await request<Graph>(graphPath(id), { onHeaders: (headers) => (etag = headers.get('ETag') ?? '') })
  return { graph, etag: etag || `"${graph.version}"` }
}

/** A merge patch (a new name does not rebuild; a new `from` does); a stale `etag` is a 412 ApiError. */
export function patchGraph(id: string, patch: { name?: string; from?: GraphFrom }, etag?: string): Promise<Graph> {
  return request<Graph>(graphPath(id), {
    method: 'PATCH',
    body: json(patch),
    headers: etag ? { 'If-Match': etag } : {},
  })
}

export async function deleteGraph(id: string): Promise<void> {
  await request<void>(graphPath(id), { method: 'DELETE' })
}

/** Builds the graph again now; answers the queued job. */
export async function rebuildGraph(id: string): Promise<Job> {
  const answer = await request<{ job: Job }>(`${graphPath(id)}/run`, { method: 'POST' })
  return answer.job
}

/** The drawing's address in a format (fetched with the session's token; 409 before a successful build). */
export function drawingPath(id: string, format: 'svg' | 'png' | 'json'): string {
  return `${graphPath(id)}/${format}`
}

/** The SVG drawing as text. */
export async function fetchSvg(id: string): Promise<string> {
  const { blob } = await requestFile(drawingPath(id, 'svg'))
  return blob.text()
}

/** Downloads the SVG or PNG drawing as a file named after the graph (unless the server names it). */
export function downloadDrawing(graph: Pick<Graph, 'id' | 'name'>, format: 'svg' | 'png'): Promise<string> {
  const base = graph.name.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^_+|_+$/g, '') || 'graph'
  return downloadFile(drawingPath(graph.id, format), `${base}.${format}`)
}

/** The drawing as data: nodes with their positions and servers, edges with their protocol. */
export function fetchDrawing(id: string): Promise<GraphDrawing> {
  return request<GraphDrawing>(drawingPath(id, 'json'))
}

/** A new public link (the address of its page and its token). */
export function shareGraph(id: string): Promise<GraphShare> {
  return request<GraphShare>(`${graphPath(id)}/share`, { method: 'POST' })
}

/** Revokes every public link given so far. */
export async function revokeShare(id: string): Promise<void> {
  await request<void>(`${graphPath(id)}/share`, { method: 'DELETE' })
}

// ---------------------------------------------------------------- dependencies

export interface DependencyItem {
  app: string
  via: string
  endpoint?: string
}

export interface DependenciesBody {
  applications: { id: string; deps: DependencyItem[] }[]
  system?: { id: string; entries: string[] }
}

export interface DependenciesAnswer {
  applications: RecordDoc[]
  system?: RecordDoc
}

/** Sets the deps of each listed application and a system's entries, all or nothing (a 422 names each problem). */
export function putDependencies(body: DependenciesBody): Promise<DependenciesAnswer> {
  return request<DependenciesAnswer>('/api/dependencies', { method: 'PUT', body: json(body) })
}
