// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { cssPixels, markNodes, nodeApplication, parseSvg, sizeSvg } from './svg'

// What Graphviz writes: a node with our id, a node with a URL (its link), one with its own id.
const GRAPHVIZ = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg width="62pt" height="116pt" viewBox="0.00 0.00 62.00 116.00" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 112)">
<title>G</title>
<g id="app-a" class="node"><title>storefront</title><ellipse cx="27" cy="-90" rx="27" ry="18"/><text>storefront</text></g>
<g id="node2" class="node"><title>orders</title>
<g id="a_node2"><a xlink:href="/inventory/applications/app-b" xlink:title="orders"><ellipse cx="27" cy="-18" rx="27" ry="18"/><text>orders</text></a></g>
</g>
<g id="node3" class="node"><title>billing</title><text>billing</text></g>
<g id="edge1" class="edge"><title>storefront&#45;&gt;orders</title><path d="M27,-71.7C27,-63.98 27,-54.71 27,-46.11"/></g>
</g>
</svg>`

const NODES = [
  { id: 'app-a', name: 'storefront' },
  { id: 'app-b', name: 'orders' },
  { id: 'app-c', name: 'billing' },
]

describe('parseSvg', () => {
  it('keeps the drawing', () => {
    const svg = parseSvg(GRAPHVIZ)
    expect(svg.nodeName.toLowerCase()).toBe('svg')
    expect(svg.querySelectorAll('g.node')).toHaveLength(3)
    expect(svg.querySelector('g.edge title')?.textContent).toBe('storefront->orders')
  })

  it('drops what could run: scripts, foreign objects, handlers and javascript: links', () => {
    const svg = parseSvg(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
      <script>alert(2)</script>
      <foreignObject><div>x</div></foreignObject>
      <g class="node" onclick="alert(3)"><a xlink:href="javascript:alert(4)"><text>a</text></a></g>
      <a href="data:text/html,hi"><text>b</text></a>
      <a href="/inventory/applications/1"><text>c</text></a>
      <set attributeName="href" to="javascript:alert(5)"/>
    </svg>`)
    const html = new XMLSerializer().serializeToString(svg)
    expect(html).not.toMatch(/alert|script|foreignObject|data:|<set/)
    expect(html).toContain('/inventory/applications/1')
  })

  it('refuses text that is not SVG', () => {
    expect(() => parseSvg('<html><body>no</body></html>')).toThrow(/not a valid SVG/)
    expect(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow(/not a valid SVG/)
    expect(() => parseSvg('<svg><g/></svg>')).toThrow(/not a valid SVG/) // not in the SVG namespace: would not draw
  })
})

describe('sizes', () => {
  it('reads lengths in CSS pixels', () => {
    expect(cssPixels('62pt')).toBeCloseTo(82.667, 2)
    expect(cssPixels('100')).toBe(100)
    expect(cssPixels('1in')).toBe(96)
    expect(cssPixels('50%')).toBeNull()
    expect(cssPixels(null)).toBeNull()
  })

  it("sets the drawing's natural size in pixels, from its width and height or its viewBox", () => {
    const svg = parseSvg(GRAPHVIZ)
    const size = sizeSvg(svg)
    expect(size.width).toBeCloseTo(82.667, 2)
    expect(size.height).toBeCloseTo(154.667, 2)
    expect(svg.getAttribute('width')).toBe(String(size.width))
    const boxed = parseSvg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 120"/>')
    expect(sizeSvg(boxed)).toEqual({ width: 300, height: 120 })
  })
})

describe('nodes', () => {
  it('finds each node’s application by id, by link, or by its title', () => {
    const groups = Array.from(parseSvg(GRAPHVIZ).querySelectorAll('g.node'))
    expect(groups.map((group) => nodeApplication(group, NODES))).toEqual(['app-a', 'app-b', 'app-c'])
  })

  it('does not guess from a title two applications share', () => {
    const group = parseSvg(GRAPHVIZ).querySelectorAll('g.node')[2]!
    expect(nodeApplication(group, [...NODES, { id: 'app-d', name: 'billing' }])).toBeNull()
  })

  it('without the JSON drawing, trusts ids and links but not Graphviz’s own ids', () => {
    const groups = Array.from(parseSvg(GRAPHVIZ).querySelectorAll('g.node'))
    expect(groups.map((group) => nodeApplication(group, []))).toEqual(['app-a', 'app-b', null])
  })

  it('marks the nodes it can open and counts them all', () => {
    const svg = parseSvg(GRAPHVIZ)
    expect(markNodes(svg, NODES.slice(0, 2))).toBe(3)
    const marked = Array.from(svg.querySelectorAll('[data-app-id]'))
    expect(marked.map((group) => group.getAttribute('data-app-id'))).toEqual(['app-a', 'app-b'])
    expect(marked[1]!.getAttribute('aria-label')).toBe('Open orders')
    expect(marked[0]!.getAttribute('tabindex')).toBe('0')
  })
})
