// The few Bootstrap Icons the UI uses, inlined as SVG at build time so that
// only these end up in the bundle (no icon font, no CDN).

import barChartLine from 'bootstrap-icons/icons/bar-chart-line.svg?raw'
import bezier2 from 'bootstrap-icons/icons/bezier2.svg?raw'
import boxArrowInRight from 'bootstrap-icons/icons/box-arrow-in-right.svg?raw'
import boxes from 'bootstrap-icons/icons/boxes.svg?raw'
import building from 'bootstrap-icons/icons/building.svg?raw'
import check2 from 'bootstrap-icons/icons/check2.svg?raw'
import clockHistory from 'bootstrap-icons/icons/clock-history.svg?raw'
import cloudSlash from 'bootstrap-icons/icons/cloud-slash.svg?raw'
import compass from 'bootstrap-icons/icons/compass.svg?raw'
import database from 'bootstrap-icons/icons/database.svg?raw'
import diagram2 from 'bootstrap-icons/icons/diagram-2.svg?raw'
import fileEarmarkBarGraph from 'bootstrap-icons/icons/file-earmark-bar-graph.svg?raw'
import gear from 'bootstrap-icons/icons/gear.svg?raw'
import hddRack from 'bootstrap-icons/icons/hdd-rack.svg?raw'
import infoCircle from 'bootstrap-icons/icons/info-circle.svg?raw'
import list from 'bootstrap-icons/icons/list.svg?raw'
import lock from 'bootstrap-icons/icons/lock.svg?raw'
import palette from 'bootstrap-icons/icons/palette.svg?raw'
import people from 'bootstrap-icons/icons/people.svg?raw'
import plug from 'bootstrap-icons/icons/plug.svg?raw'
import puzzle from 'bootstrap-icons/icons/puzzle.svg?raw'
import signpostSplit from 'bootstrap-icons/icons/signpost-split.svg?raw'
import speedometer2 from 'bootstrap-icons/icons/speedometer2.svg?raw'
import windowStack from 'bootstrap-icons/icons/window-stack.svg?raw'

export const ICONS = {
  'bar-chart-line': barChartLine,
  bezier2,
  'box-arrow-in-right': boxArrowInRight,
  boxes,
  building,
  check2,
  'clock-history': clockHistory,
  'cloud-slash': cloudSlash,
  compass,
  database,
  'diagram-2': diagram2,
  'file-earmark-bar-graph': fileEarmarkBarGraph,
  gear,
  'hdd-rack': hddRack,
  'info-circle': infoCircle,
  list,
  lock,
  palette,
  people,
  plug,
  puzzle,
  'signpost-split': signpostSplit,
  speedometer2,
  'window-stack': windowStack,
} as const

export type IconName = keyof typeof ICONS
