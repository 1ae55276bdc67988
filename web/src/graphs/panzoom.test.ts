import { describe, expect, it } from 'vitest'
import { clampScale, fitView, MAX_SCALE, MIN_SCALE, panBy, transformOf, wheelFactor, zoomAt, type View } from './panzoom'

/** Where a point of the drawing shows in the box under `view`. */
function onScreen(view: View, point: { x: number; y: number }): { x: number; y: number } {
  return { x: view.x + view.scale * point.x, y: view.y + view.scale * point.y }
}

describe('zoomAt', () => {
  it('keeps the point under the pointer where it is', () => {
    const view = { x: 30, y: -12, scale: 0.8 }
    const at = { x: 200, y: 150 }
    const drawingPoint = { x: (at.x - view.x) / view.scale, y: (at.y - view.y) / view.scale }
    const zoomed = zoomAt(view, 1.5, at)
    expect(zoomed.scale).toBeCloseTo(1.2)
    const shown = onScreen(zoomed, drawingPoint)
    expect(shown.x).toBeCloseTo(at.x)
    expect(shown.y).toBeCloseTo(at.y)
  })

  it('zooming in then out by the same factor comes back', () => {
    const view = { x: 10, y: 20, scale: 1 }
    const back = zoomAt(zoomAt(view, 2, { x: 50, y: 60 }), 0.5, { x: 50, y: 60 })
    expect(back.x).toBeCloseTo(10)
    expect(back.y).toBeCloseTo(20)
    expect(back.scale).toBeCloseTo(1)
  })

  it('stops at the scale limits, still keeping the point still', () => {
    const view = { x: 0, y: 0, scale: 4 }
    const zoomed = zoomAt(view, 10, { x: 100, y: 100 })
    expect(zoomed.scale).toBe(MAX_SCALE)
    expect(onScreen(zoomed, { x: 25, y: 25 })).toEqual({ x: 100, y: 100 })
    expect(zoomAt({ x: 0, y: 0, scale: 0.1 }, 0.01, { x: 0, y: 0 }).scale).toBe(MIN_SCALE)
  })
})

describe('panBy', () => {
  it('moves the view by the drag, keeping the scale', () => {
    expect(panBy({ x: 5, y: 5, scale: 2 }, 10, -3)).toEqual({ x: 15, y: 2, scale: 2 })
  })
})

describe('fitView', () => {
  it('shrinks a large drawing into the box and centres it', () => {
    const view = fitView({ width: 2000, height: 500 }, { width: 1000, height: 600 }, 0)
    expect(view.scale).toBeCloseTo(0.5)
    expect(view.x).toBeCloseTo(0)
    expect(view.y).toBeCloseTo((600 - 250) / 2)
  })

  it('leaves a small drawing at its natural size, centred', () => {
    expect(fitView({ width: 100, height: 50 }, { width: 400, height: 300 }, 16)).toEqual({ x: 150, y: 125, scale: 1 })
  })

  it('keeps the padding on the tighter side', () => {
    const view = fitView({ width: 1000, height: 1000 }, { width: 532, height: 2000 }, 16)
    expect(view.scale).toBeCloseTo(0.5)
    expect(view.x).toBeCloseTo(16)
  })

  it('falls back to the identity for sizes it cannot use', () => {
    expect(fitView({ width: 0, height: 10 }, { width: 100, height: 100 })).toEqual({ x: 0, y: 0, scale: 1 })
    expect(fitView({ width: 10, height: 10 }, { width: 0, height: 0 })).toEqual({ x: 0, y: 0, scale: 1 })
  })
})

describe('wheelFactor and clampScale', () => {
  it('zooms in when scrolling up, out when scrolling down, by the same amount', () => {
    expect(wheelFactor(-100)).toBeGreaterThan(1)
    expect(wheelFactor(100)).toBeLessThan(1)
    expect(wheelFactor(-100) * wheelFactor(100)).toBeCloseTo(1)
  })

  it('counts line and page deltas as pixels and caps one event', () => {
    expect(wheelFactor(3, 1)).toBeCloseTo(wheelFactor(48))
    expect(wheelFactor(1, 2)).toBeCloseTo(wheelFactor(10_000))
    expect(wheelFactor(10_000)).toBeCloseTo(Math.exp(-0.4))
  })

  it('clamps scales', () => {
    expect(clampScale(100)).toBe(MAX_SCALE)
    expect(clampScale(0)).toBe(MIN_SCALE)
    expect(clampScale(1)).toBe(1)
  })
})

describe('transformOf', () => {
  it('is the CSS of the view', () => {
    expect(transformOf({ x: 1.5, y: -2, scale: 0.75 })).toBe('translate(1.5px, -2px) scale(0.75)')
  })
})
