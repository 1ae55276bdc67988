// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import GraphDrawing from './GraphDrawing.vue'

const SVG = `<svg width="300pt" height="150pt" viewBox="0 0 300 150" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<g class="graph"><g id="app-a" class="node"><title>storefront</title><ellipse cx="50" cy="50" rx="40" ry="18"/><text>storefront</text></g>
<g id="node2" class="node"><title>orders</title><g id="a_node2"><a xlink:href="/inventory/applications/app-b"><text>orders</text></a></g></g>
<script>window.hacked = true</script></g></svg>`
const NODES = [
  { id: 'app-a', name: 'storefront', family: 'Application', depth: 0, x: 0, y: 0, servers: [] },
  { id: 'app-b', name: 'orders', family: 'Application', depth: 1, x: 0, y: 0, servers: [] },
]

function drawing() {
  return mount(GraphDrawing, { props: { svg: SVG, nodes: NODES, label: 'Drawing of shop' }, attachTo: document.body })
}

function pointer(type: string, x: number, y: number): PointerEvent {
  return new PointerEvent(type, { clientX: x, clientY: y, pointerId: 1, button: 0, bubbles: true })
}

describe('GraphDrawing', () => {
  it('inlines the drawing without its script and marks its nodes', async () => {
    const wrapper = drawing()
    await nextTick()
    expect(wrapper.attributes('data-nodes')).toBe('2')
    expect(wrapper.findAll('[data-app-id]').map((node) => node.attributes('data-app-id'))).toEqual(['app-a', 'app-b'])
    expect(wrapper.find('[data-testid=drawing-canvas] script').exists()).toBe(false)
    wrapper.unmount()
  })

  it('opens the application of a node clicked or entered, not of one dragged', async () => {
    const wrapper = drawing()
    await wrapper.find('[data-app-id=app-b] text').trigger('click')
    await wrapper.find('[data-app-id=app-a]').trigger('keydown', { key: 'Enter' })
    const viewport = wrapper.find('.drawing-viewport').element
    const node = wrapper.find('[data-app-id=app-a] text').element
    node.dispatchEvent(pointer('pointerdown', 10, 10))
    node.dispatchEvent(pointer('pointermove', 40, 30))
    node.dispatchEvent(pointer('pointerup', 40, 30))
    await wrapper.find('[data-app-id=app-a] text').trigger('click')
    expect(wrapper.emitted('open')).toEqual([['app-b'], ['app-a']])
    await nextTick()
    expect((viewport.querySelector('[data-testid=drawing-canvas]') as HTMLElement).style.transform).toContain('translate(30px, 20px)')
    wrapper.unmount()
  })

  it('zooms with the buttons and the keys', async () => {
    const wrapper = drawing()
    const level = () => wrapper.find('[data-testid=zoom-level]').text()
    expect(level()).toBe('100%')
    await wrapper.find('[data-testid=zoom-in]').trigger('click')
    expect(level()).toBe('125%')
    await wrapper.find('.drawing-viewport').trigger('keydown', { key: '-' })
    await wrapper.find('.drawing-viewport').trigger('keydown', { key: '-' })
    expect(level()).toBe('80%')
    await wrapper.find('[data-testid=zoom-fit]').trigger('click')
    expect(level()).toBe('100%')
    wrapper.unmount()
  })
})
