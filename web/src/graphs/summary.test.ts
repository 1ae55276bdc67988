import { describe, expect, it } from 'vitest'
import { densityText, depthCounts, familyCounts, iframeSnippet, markdownSnippet, metricsLine, sourceText, svgAddress } from './summary'

describe('graph summaries', () => {
  it('names what a graph starts from', () => {
    expect(sourceText('systems', 1)).toBe('1 system')
    expect(sourceText('applications', 3)).toBe('3 applications')
  })

  it('says the metrics in one line', () => {
    expect(metricsLine({ nodes: 4, edges: 3, density: 0.25, depth_histogram: [1, 1, 1, 1], families: {}, systems: 1, clients: 0, servers: 0 })).toBe(
      '4 nodes · 3 connections · density 0.25',
    )
    expect(metricsLine({ nodes: 1, edges: 1, density: 1 / 3, depth_histogram: [1], families: {}, systems: 0, clients: 0, servers: 0 })).toBe(
      '1 node · 1 connection · density 0.333',
    )
    expect(metricsLine(null)).toBe('')
  })

  it('writes densities plainly', () => {
    expect(densityText(0)).toBe('0')
    expect(densityText(0.1666666)).toBe('0.167')
    expect(densityText(Number.NaN)).toBe('—')
  })

  it('counts nodes per depth, the entry points first', () => {
    expect(depthCounts([2, 3, 1])).toEqual([
      { key: 'entry', count: 2 },
      { key: 'depth 1', count: 3 },
      { key: 'depth 2', count: 1 },
    ])
  })

  it('counts families, most first', () => {
    expect(familyCounts({ Database: 1, Application: 3, Cache: 1 })).toEqual([
      { key: 'Application', count: 3 },
      { key: 'Cache', count: 1 },
      { key: 'Database', count: 1 },
    ])
  })

  it('gives the embed snippets of a shared link', () => {
    const url = 'https://maestro.example.com/public/graphs/abc.def'
    expect(svgAddress(url)).toBe('https://maestro.example.com/public/graphs/abc.def.svg')
    expect(iframeSnippet(url, 'Shop "map" & co')).toBe(
      '<iframe src="https://maestro.example.com/public/graphs/abc.def" title="Shop &quot;map&quot; &amp; co" width="100%" height="600" style="border:0"></iframe>',
    )
    expect(markdownSnippet(url, 'Shop [v2]')).toBe('![Shop \\[v2\\]](https://maestro.example.com/public/graphs/abc.def.svg)')
  })
})
