// The team lead's dashboard: one tile per centre, live from /api/centres/stream, with a chart of the last
// hours from /api/centres/history, and the day's contacts as CSV.
import { api, live } from './api.js';
import { t, tOr, centreName } from './i18n.js';
import { accessLogPanel } from './accesslog.js';
import { peoplePanel } from './teamlead-people.js';
import { $, h, clockTime, duration, percent, today, startPage, showProblem, clearProblem, notForYou } from './ui.js';

const { user, showConnection } = await startPage('teamlead');
document.title = t('teamlead.title');
if (!user.roles.includes('teamlead')) notForYou('teamlead');
else {
  peoplePanel($('#people'), user);
  accessLogPanel($('#access-log'));
}
const chartHours = 4;
const chartMinutes = 15;
// Agent states as the API counts them (camelCase) and the status text key of each.
const agentStates = { available: 'available', busy: 'busy', wrapup: 'wrapup', offered: 'offered', break: 'break', notResponding: 'notresponding', away: 'away', offline: 'offline' };
const tiles = new Map();
const form = $('#export');
form.centre.append(h('option', { value: '' }, t('teamlead.export.all')));
let history = new Map();

function tile(row) {
  if (tiles.has(row.centre)) return tiles.get(row.centre);
  const figure = (key, label) => h('div', {}, h('dt', {}, t(label)), h('dd', { 'data-f': key }));
  const el = h('article', { class: 'tile', 'data-centre': row.centre, 'aria-labelledby': `tile-${row.centre}` },
    h('h2', { id: `tile-${row.centre}` }, centreName(row.centre)),
    h('dl', { class: 'figures' },
      figure('waiting', 'teamlead.waiting'), figure('longest', 'teamlead.longest'),
      figure('sl', 'teamlead.sl'), figure('abandoned', 'teamlead.abandoned'), figure('answered', 'teamlead.answered'),
      figure('overflow', 'teamlead.overflow'), figure('callbacks', 'teamlead.callbacks')),
    h('h3', { class: 'small' }, t('teamlead.agents')),
    h('ul', { class: 'agent-states', 'data-f': 'agents' }),
    h('div', { 'data-f': 'chart' }));
  $('#tiles').append(el);
  tiles.set(row.centre, el);
  return el;
}

/** The figures a tile and the municipality's row share: service level, hung-up share, answered with the average speed of answer. */
function setDayFigures(set, row) {
  set('sl', h('span', { class: 'sl-value', 'data-sl': row.serviceLevelColour ?? 'none' }, percent(row.serviceLevel)),
    h('small', {}, row.serviceLevel === null ? t('teamlead.noAnswers')
      : t('teamlead.slGoal', { goal: percent(row.serviceLevelGoal), seconds: row.serviceLevelTargetSeconds })));
  set('abandoned', h('span', { 'data-over': String((row.abandonedShare ?? 0) > row.abandonedGoal) }, percent(row.abandonedShare)),
    // The share's own fraction: hang-ups after the grace of those answered or hung up after it (README, "The day's numbers").
    h('small', {}, t('teamlead.abandonedOf', { abandoned: row.abandonedAfterGrace, offered: row.answered + row.abandonedAfterGrace })));
  set('answered', String(row.answered), h('small', {}, t('teamlead.asa', { seconds: Math.round(row.averageSpeedOfAnswerSeconds) })));
}

/** The municipality as one face: the four centres added up by the server, from the same read as the tiles. */
function renderMunicipality(day) {
  const el = $('#municipality');
  const set = (key, ...content) => el.querySelector(`[data-f="${key}"]`).replaceChildren(...content.filter(c => c !== null));
  el.dataset.sl = day.serviceLevelColour ?? 'none';
  set('waiting', String(day.waiting));
  setDayFigures(set, day);
}

function render(rows) {
  clearProblem($('#problem'));
  for (const row of rows) {
    const el = tile(row);
    const set = (key, ...content) => el.querySelector(`[data-f="${key}"]`).replaceChildren(...content.filter(c => c !== null));
    el.dataset.sl = row.serviceLevelColour ?? 'none';
    set('waiting', String(row.waiting));
    set('longest', duration(row.longestWaitSeconds));
    setDayFigures(set, row);
    set('overflow', `${row.overflowIn} / ${row.overflowOut}`);
    set('callbacks', `${row.callbacksOpen} / ${row.callbacksAtRisk}`,
      row.callbacksFailed > 0 ? h('small', {}, t('teamlead.callbacksFailed', { failed: row.callbacksFailed })) : null);
    // Available and busy always show; the other states only when someone is in them.
    set('agents', ...Object.entries(agentStates).filter(([count]) => row.agents[count] > 0 || count === 'available' || count === 'busy')
      .map(([count, status]) => h('li', { 'data-state': status }, `${tOr(`status.${status}`, status)} `, h('b', {}, String(row.agents[count])))));
    if (![...form.centre.options].some(o => o.value === row.centre)) form.centre.append(h('option', { value: row.centre }, centreName(row.centre)));
    drawChart(row);
  }
  showAlerts(rows);
}

/** What needs the team lead now: a service level or hung-up share past its colour band, a callback at risk. */
function showAlerts(rows) {
  const alerts = [];
  for (const row of rows) {
    const centre = centreName(row.centre);
    if (row.serviceLevelColour === 'red' || row.serviceLevelColour === 'amber')
      alerts.push({ level: row.serviceLevelColour, text: t('alert.sl', { centre, sl: percent(row.serviceLevel), goal: percent(row.serviceLevelGoal) }) });
    if ((row.abandonedShare ?? 0) > row.abandonedGoal)
      alerts.push({ level: 'red', text: t('alert.abandoned', { centre, share: percent(row.abandonedShare), goal: percent(row.abandonedGoal) }) });
    if (row.callbacksAtRisk > 0)
      alerts.push({ level: 'amber', text: t(row.callbacksAtRisk === 1 ? 'alert.callbackAtRisk' : 'alert.callbacksAtRisk', { centre, count: row.callbacksAtRisk }) });
  }
  $('#alerts').replaceChildren(...alerts.map(a => h('li', { 'data-level': a.level }, a.text)));
  $('#alerts').hidden = alerts.length === 0;
}

/** Bars of contacts waiting at each interval's end, a line of each interval's service level, and the goal dashed. */
function drawChart(row) {
  const points = history.get(row.centre);
  const holder = tiles.get(row.centre).querySelector('[data-f="chart"]');
  if (!points || points.length === 0) return holder.replaceChildren();
  const width = 280, height = 80, top = 4, bottom = 14;
  const plot = height - top - bottom;
  const step = width / points.length;
  const most = Math.max(5, ...points.map(p => p.waiting));
  const y = share => top + plot * (1 - share);
  const svg = (tag, attributes) => {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
    return el;
  };
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  const title = svg('title', {});
  const last = points[points.length - 1];
  title.textContent = t('teamlead.chartTitle', { centre: centreName(row.centre), time: clockTime(last.at), waiting: last.waiting, sl: percent(last.serviceLevel) });
  chart.append(title);
  points.forEach((p, i) => {
    const barHeight = plot * p.waiting / most;
    chart.append(svg('rect', { class: 'bar-waiting', x: i * step + 1, y: top + plot - barHeight, width: Math.max(1, step - 2), height: barHeight }));
  });
  chart.append(svg('line', { class: 'goal', x1: 0, x2: width, y1: y(row.serviceLevelGoal), y2: y(row.serviceLevelGoal) }));
  const line = points.map((p, i) => p.serviceLevel === null ? null : `${i * step + step / 2},${y(p.serviceLevel)}`).filter(Boolean);
  if (line.length > 1) chart.append(svg('polyline', { class: 'line-sl', points: line.join(' ') }));
  points.forEach((p, i) => {
    if (p.serviceLevel !== null) chart.append(svg('circle', { class: 'dot-sl', cx: i * step + step / 2, cy: y(p.serviceLevel), r: 2.5 }));
  });
  const label = (x, anchor, text) => { const el = svg('text', { x, y: height - 2, 'text-anchor': anchor }); el.textContent = text; return el; };
  chart.append(label(0, 'start', clockTime(new Date(Date.parse(points[0].at) - chartMinutes * 60000))), label(width, 'end', clockTime(last.at)));
  holder.replaceChildren(
    h('p', { class: 'small muted chart-caption' }, t('teamlead.chart', { minutes: chartMinutes, hours: chartHours })),
    chart,
    h('div', { class: 'legend' },
      h('span', {}, h('span', { class: 'sw', style: 'background:#9ec5fe' }), t('teamlead.chartWaiting')),
      h('span', {}, h('span', { class: 'sw', style: 'background:var(--green)' }), t('teamlead.chartSl'))));
}

async function loadHistory() {
  try {
    const centres = await api(`/api/centres/history?hours=${chartHours}&minutes=${chartMinutes}`);
    history = new Map(centres.map(c => [c.centre, c.points]));
    if (latest) render(latest);
  } catch (problem) {
    showProblem($('#problem'), problem);
  }
}

// The chart follows the tiles: a change in the stream reloads it a second later (one reload for a burst of
// changes), and once a minute it moves on by itself.
let latest = null;
let pending = null;
const historySoon = () => { pending ??= setTimeout(() => { pending = null; loadHistory(); }, 1000); };
live('/api/centres/stream', {
  centres: view => { latest = view.centres; render(view.centres); renderMunicipality(view.municipality); historySoon(); },
}, showConnection);
await loadHistory();
setInterval(loadHistory, 60_000);

// ---- The day's CSV ----
form.date.value = today();
const exportLink = () => {
  const query = new URLSearchParams();
  if (form.date.value) query.set('date', form.date.value);
  if (form.centre.value) query.set('centre', form.centre.value);
  $('#export-link').href = `/api/reports/contacts.csv?${query}`;
};
form.addEventListener('input', exportLink);
form.addEventListener('change', exportLink);
exportLink();
