// The few Bootstrap Icons the UI uses, inlined as SVG at build time so that
// only these end up in the bundle (no icon font, no CDN).

import arrowCounterclockwise from 'bootstrap-icons/icons/arrow-counterclockwise.svg?raw'
import arrowLeft from 'bootstrap-icons/icons/arrow-left.svg?raw'
import arrowRepeat from 'bootstrap-icons/icons/arrow-repeat.svg?raw'
import barChartLine from 'bootstrap-icons/icons/bar-chart-line.svg?raw'
import bell from 'bootstrap-icons/icons/bell.svg?raw'
import bezier2 from 'bootstrap-icons/icons/bezier2.svg?raw'
import boxArrowInRight from 'bootstrap-icons/icons/box-arrow-in-right.svg?raw'
import boxArrowRight from 'bootstrap-icons/icons/box-arrow-right.svg?raw'
import boxes from 'bootstrap-icons/icons/boxes.svg?raw'
import building from 'bootstrap-icons/icons/building.svg?raw'
import camera from 'bootstrap-icons/icons/camera.svg?raw'
import checkCircle from 'bootstrap-icons/icons/check-circle.svg?raw'
import check2 from 'bootstrap-icons/icons/check2.svg?raw'
import clipboard from 'bootstrap-icons/icons/clipboard.svg?raw'
import clipboardCheck from 'bootstrap-icons/icons/clipboard-check.svg?raw'
import clockHistory from 'bootstrap-icons/icons/clock-history.svg?raw'
import cloudSlash from 'bootstrap-icons/icons/cloud-slash.svg?raw'
import compass from 'bootstrap-icons/icons/compass.svg?raw'
import download from 'bootstrap-icons/icons/download.svg?raw'
import database from 'bootstrap-icons/icons/database.svg?raw'
import diagram2 from 'bootstrap-icons/icons/diagram-2.svg?raw'
import envelope from 'bootstrap-icons/icons/envelope.svg?raw'
import exclamationCircle from 'bootstrap-icons/icons/exclamation-circle.svg?raw'
import exclamationTriangle from 'bootstrap-icons/icons/exclamation-triangle.svg?raw'
import eye from 'bootstrap-icons/icons/eye.svg?raw'
import eyeSlash from 'bootstrap-icons/icons/eye-slash.svg?raw'
import fileEarmarkBarGraph from 'bootstrap-icons/icons/file-earmark-bar-graph.svg?raw'
import funnel from 'bootstrap-icons/icons/funnel.svg?raw'
import gear from 'bootstrap-icons/icons/gear.svg?raw'
import hddRack from 'bootstrap-icons/icons/hdd-rack.svg?raw'
import hourglassSplit from 'bootstrap-icons/icons/hourglass-split.svg?raw'
import infoCircle from 'bootstrap-icons/icons/info-circle.svg?raw'
import key from 'bootstrap-icons/icons/key.svg?raw'
import link45deg from 'bootstrap-icons/icons/link-45deg.svg?raw'
import link from 'bootstrap-icons/icons/link.svg?raw'
import listTask from 'bootstrap-icons/icons/list-task.svg?raw'
import list from 'bootstrap-icons/icons/list.svg?raw'
import lock from 'bootstrap-icons/icons/lock.svg?raw'
import palette from 'bootstrap-icons/icons/palette.svg?raw'
import pencil from 'bootstrap-icons/icons/pencil.svg?raw'
import people from 'bootstrap-icons/icons/people.svg?raw'
import peopleFill from 'bootstrap-icons/icons/people-fill.svg?raw'
import person from 'bootstrap-icons/icons/person.svg?raw'
import personPlus from 'bootstrap-icons/icons/person-plus.svg?raw'
import playFill from 'bootstrap-icons/icons/play-fill.svg?raw'
import plug from 'bootstrap-icons/icons/plug.svg?raw'
import plusLg from 'bootstrap-icons/icons/plus-lg.svg?raw'
import puzzle from 'bootstrap-icons/icons/puzzle.svg?raw'
import search from 'bootstrap-icons/icons/search.svg?raw'
import share from 'bootstrap-icons/icons/share.svg?raw'
import shieldLock from 'bootstrap-icons/icons/shield-lock.svg?raw'
import signpostSplit from 'bootstrap-icons/icons/signpost-split.svg?raw'
import speedometer2 from 'bootstrap-icons/icons/speedometer2.svg?raw'
import stopCircle from 'bootstrap-icons/icons/stop-circle.svg?raw'
import trash from 'bootstrap-icons/icons/trash.svg?raw'
import windowStack from 'bootstrap-icons/icons/window-stack.svg?raw'
import xCircle from 'bootstrap-icons/icons/x-circle.svg?raw'
import xLg from 'bootstrap-icons/icons/x-lg.svg?raw'

export const ICONS = {
  'arrow-counterclockwise': arrowCounterclockwise,
  'arrow-left': arrowLeft,
  'arrow-repeat': arrowRepeat,
  'bar-chart-line': barChartLine,
  bell,
  bezier2,
  'box-arrow-in-right': boxArrowInRight,
  'box-arrow-right': boxArrowRight,
  boxes,
  building,
  camera,
  'check-circle': checkCircle,
  check2,
  clipboard,
  'clipboard-check': clipboardCheck,
  'clock-history': clockHistory,
  'cloud-slash': cloudSlash,
  compass,
  database,
  download,
  'diagram-2': diagram2,
  envelope,
  'exclamation-circle': exclamationCircle,
  'exclamation-triangle': exclamationTriangle,
  eye,
  'eye-slash': eyeSlash,
  'file-earmark-bar-graph': fileEarmarkBarGraph,
  funnel,
  gear,
  'hdd-rack': hddRack,
  'hourglass-split': hourglassSplit,
  'info-circle': infoCircle,
  key,
  'link-45deg': link45deg,
  link,
  list,
  'list-task': listTask,
  lock,
  palette,
  pencil,
  people,
  'people-fill': peopleFill,
  person,
  'person-plus': personPlus,
  'play-fill': playFill,
  plug,
  'plus-lg': plusLg,
  puzzle,
  search,
  share,
  'shield-lock': shieldLock,
  'signpost-split': signpostSplit,
  speedometer2,
  'stop-circle': stopCircle,
  trash,
  'window-stack': windowStack,
  'x-circle': xCircle,
  'x-lg': xLg,
} as const

export type IconName = keyof typeof ICONS
