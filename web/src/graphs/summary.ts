// How a graph reads: its status, what it starts from, its metrics in one line,
// and its histogram and families as counts for the charts.

import type { GraphInfo, GraphSource, GraphStatus } from '../api/graphs'
import type { CountItem } from '../components/CountsChart.vue'

export const GRAPH_STATUS_LABELS: Record<GraphStatus, string> = {
  queued: 'Queued',
  running: 'Building',
  finished: 'Ready',
  empty: 'Empty',
  failed: 'Failed',
}

export const SOURCE_LABELS: Record<GraphSource, { one: string; many: string; by: string }> = {
  systems: { one: 'system', many: 'systems', by: 'By system' },
  clients: { one: 'client', many: 'clients', by: 'By client' },
  applications: { one: 'application', many: 'applications', by: 'By application' },
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

/** "2 systems", "1 application". */
export function sourceText(kind: GraphSource, count: number): string {
  return plural(count, SOURCE_LABELS[kind].one, SOURCE_LABELS[kind].many)
}

/** A density as people read it: up to three decimals, no trailing zeros. */
export function densityText(density: number): string {
  return Number.isFinite(density) ? String(Number(density.toFixed(3))) : '—'
}

/** "4 nodes · 3 connections · density 0.25"; '' without metrics. */
export function metricsLine(info: GraphInfo | null): string {
  if (!info) return ''
  return [plural(info.nodes, 'node'), plural(info.edges, 'connection'), `density ${densityText(info.density)}`].join(' · ')
}

/** Nodes per depth, for a bar chart: "entry" for depth 0, then "depth 1", "depth 2"… */
export function depthCounts(histogram: readonly number[]): CountItem[] {
  return histogram.map((count, depth) => ({ key: depth === 0 ? 'entry' : `depth ${depth}`, count }))
}

/** Nodes per family, most first (ties by name). */
export function familyCounts(families: Record<string, number>): CountItem[] {
  return Object.entries(families)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
}

/** The address of a shared graph's raw SVG: its page's address with `.svg`. */
export function svgAddress(pageUrl: string): string {
  return `${pageUrl.replace(/\/+$/, '')}.svg`
}

/** HTML that embeds the shared page (pan and zoom included) in a wiki or a dashboard. */
export function iframeSnippet(pageUrl: string, name: string): string {
  const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return `<iframe src="${attribute(pageUrl)}" title="${attribute(name)}" width="100%" height="600" style="border:0"></iframe>`
}

/** A Markdown image of the shared SVG (GitHub, GitLab, Confluence's Markdown macro). */
export function markdownSnippet(pageUrl: string, name: string): string {
  const alt = name.replace(/([\\[\]])/g, '\\$1')
  return `![${alt}](${svgAddress(pageUrl).replace(/[()\s]/g, encodeURIComponent)})`
}
