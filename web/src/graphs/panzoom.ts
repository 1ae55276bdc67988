// Pan and zoom of a drawing inside a box: the view is a translation and a
// scale applied to the drawing (CSS `transform: translate(x, y) scale(s)` with
// its origin at the top left), so a point p of the drawing shows at
// (x + s·p.x, y + s·p.y) of the box. Zooming keeps the point under the pointer
// (or the box's centre, for the buttons) where it is; the scale stays within
// [MIN_SCALE, MAX_SCALE]. Pure functions, unit-tested.

export interface View {
  x: number
  y: number
  scale: number
}

export interface Size {
  width: number
  height: number
}

export interface Point {
  x: number
  y: number
}

export const MIN_SCALE = 0.05
export const MAX_SCALE = 8
/** One press of a zoom button. */
export const ZOOM_STEP = 1.25

export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale))
}

/** The view scaled by `factor` (clamped) around `at`, a point of the box that stays still. */
export function zoomAt(view: View, factor: number, at: Point): View {
  const scale = clampScale(view.scale * factor)
  const ratio = scale / view.scale
  return { x: at.x - (at.x - view.x) * ratio, y: at.y - (at.y - view.y) * ratio, scale }
}

/** The view moved by (dx, dy) pixels of the box (a drag). */
export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, x: view.x + dx, y: view.y + dy }
}

/**
 * The view that shows the whole drawing centred in the box, `padding` pixels
 * from its edges, never enlarged beyond its natural size (a small graph stays
 * readable, not blown up).
 */
export function fitView(drawing: Size, box: Size, padding = 16): View {
  if (drawing.width <= 0 || drawing.height <= 0 || box.width <= 0 || box.height <= 0) return { x: 0, y: 0, scale: 1 }
  const room = { width: Math.max(1, box.width - 2 * padding), height: Math.max(1, box.height - 2 * padding) }
  const scale = clampScale(Math.min(1, room.width / drawing.width, room.height / drawing.height))
  return {
    x: (box.width - drawing.width * scale) / 2,
    y: (box.height - drawing.height * scale) / 2,
    scale,
  }
}

/** The zoom factor of one wheel event: smooth for touchpads, one step per notch for wheels. */
export function wheelFactor(deltaY: number, deltaMode = 0): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY
  return Math.exp(-Math.max(-200, Math.min(200, pixels)) * 0.002)
}

/** The CSS transform of a view. */
export function transformOf(view: View): string {
  return `translate(${view.x}px, ${view.y}px) scale(${view.scale})`
}
