// The graph's SVG (Graphviz's output, fetched with the session's token) made
// fit to be inlined in the page: parsed, stripped of anything that could run
// (scripts, foreign objects, animations, `on…` handlers, `javascript:` links),
// sized in CSS pixels, and each node (`<g class="node">`) tied to the
// application it draws, so that a click opens that application.
//
// How a node names its application: the server gives the Graphviz node the
// application's id, which Graphviz writes as the group's `id` (or as the
// `href` of the link inside it when the node has a URL). The JSON drawing
// (GET …/json) says which ids are real; failing those, the node's `<title>`
// (the application's name) is looked up in it.

import type { GraphNode } from '../api/graphs'
import type { Size } from './panzoom'

const SVG_NS = 'http://www.w3.org/2000/svg'
const XLINK = 'http://www.w3.org/1999/xlink'
const UNSAFE_ELEMENTS = ['script', 'foreignObject', 'iframe', 'object', 'embed', 'animate', 'animateMotion', 'animateTransform', 'set']
/** Graphviz's own ids for nodes without one of ours (`node3`, `a_node3`). */
const GRAPHVIZ_ID = /^(a_)?node\d+$/

/** A link target that is safe to keep: in the document, on this site, or on the web. */
function safeHref(value: string): boolean {
  return /^(#|\/(?!\/)|https?:)/i.test(value.trim())
}

/** Parses SVG text into a detached, harmless <svg> element; throws when it is not SVG. */
export function parseSvg(text: string): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml')
  const root = parsed.documentElement
  const problem = parsed.getElementsByTagName('parsererror').length > 0
  if (!root || root.localName !== 'svg' || root.namespaceURI !== SVG_NS || problem) {
    throw new Error('The drawing the server sent is not a valid SVG.')
  }
  for (const name of UNSAFE_ELEMENTS) {
    for (const element of Array.from(root.getElementsByTagName(name))) element.remove()
  }
  for (const element of [root, ...Array.from(root.getElementsByTagName('*'))]) {
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name.toLowerCase()
      if (name.startsWith('on')) element.removeAttribute(attribute.name)
      else if ((name === 'href' || name === 'xlink:href') && !safeHref(attribute.value)) {
        element.removeAttribute(attribute.name)
      }
    }
  }
  return root as unknown as SVGSVGElement
}

/** A length of an SVG attribute in CSS pixels (`62pt` → 82.67); null for what it cannot read. */
export function cssPixels(length: string | null): number | null {
  const match = /^\s*([0-9]*\.?[0-9]+)\s*(px|pt|in|cm|mm|pc)?\s*$/.exec(length ?? '')
  if (!match) return null
  const PER_UNIT: Record<string, number> = { px: 1, pt: 4 / 3, in: 96, cm: 96 / 2.54, mm: 96 / 25.4, pc: 16 }
  return Number(match[1]) * (PER_UNIT[match[2] ?? 'px'] ?? 1)
}

/**
 * The drawing's natural size in CSS pixels (its width and height, else its
 * viewBox), written back as pixel attributes so the page lays it out at that
 * size whatever unit Graphviz chose.
 */
export function sizeSvg(svg: SVGSVGElement): Size {
  const box = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number)
  const boxWidth = box.length === 4 && box[2]! > 0 ? box[2]! : null
  const boxHeight = box.length === 4 && box[3]! > 0 ? box[3]! : null
  const width = cssPixels(svg.getAttribute('width')) ?? boxWidth ?? 0
  const height = cssPixels(svg.getAttribute('height')) ?? boxHeight ?? 0
  svg.setAttribute('width', String(width))
  svg.setAttribute('height', String(height))
  return { width, height }
}

function hrefOf(element: Element): string {
  return element.getAttribute('href') ?? element.getAttributeNS(XLINK, 'href') ?? element.getAttribute('xlink:href') ?? ''
}

/** The last path segment of a link (`/inventory/applications/<id>` → `<id>`). */
function lastSegment(href: string): string {
  const path = href.split(/[?#]/)[0] ?? ''
  const segment = path.split('/').filter((part) => part !== '').pop() ?? ''
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/**
 * The application a node group draws. With `nodes` (the JSON drawing) only
 * their ids count: the group's id, its link's last segment, or its title
 * looked up by name (when that name is unique). Without them, the group's id
 * or link is taken as it is, unless it is one Graphviz made up.
 */
export function nodeApplication(group: Element, nodes: readonly Pick<GraphNode, 'id' | 'name'>[]): string | null {
  const link = group.querySelector('a')
  const candidates = [group.id, link ? lastSegment(hrefOf(link)) : ''].filter((id) => id !== '')
  if (nodes.length === 0) return candidates.find((id) => !GRAPHVIZ_ID.test(id)) ?? null
  const ids = new Set(nodes.map((node) => node.id))
  const known = candidates.find((id) => ids.has(id))
  if (known) return known
  const title = group.querySelector('title')?.textContent?.trim() ?? ''
  const named = nodes.filter((node) => node.name === title)
  return named.length === 1 ? named[0]!.id : null
}

/**
 * Marks every node the page can open: `data-app-id`, focusable, a link role
 * and a name for assistive technology. Returns how many nodes the drawing has.
 */
export function markNodes(svg: Element, nodes: readonly Pick<GraphNode, 'id' | 'name'>[]): number {
  const groups = Array.from(svg.querySelectorAll('g.node'))
  for (const group of groups) {
    const id = nodeApplication(group, nodes)
    if (id === null) continue
    const name = nodes.find((node) => node.id === id)?.name ?? group.querySelector('title')?.textContent?.trim() ?? id
    group.setAttribute('data-app-id', id)
    group.setAttribute('tabindex', '0')
    group.setAttribute('role', 'link')
    group.setAttribute('aria-label', `Open ${name}`)
  }
  return groups.length
}
