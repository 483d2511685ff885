// The timeline of a rollout: its percentage over time (a stepped line) and a marker for each violation,
// refusal, pause and override, at the percentage the rollout served then. Drawn with uPlot (a webjar).
import uPlot from '/webjars/uplot/dist/uPlot.esm.js';
import { h, replace } from './dom.js';

export const MARKERS = [
  { kind: 'gate_violation', label: 'Violations', color: '#b91c1c' },
  { kind: 'advance_refused', label: 'Refusals', color: '#d97706' },
  { kind: 'paused', label: 'Pauses', color: '#7c3aed' },
  { kind: 'override', label: 'Overrides', color: '#0f766e' },
];

/** The events that change the traffic; a refusal's or an override's toPercentage is only what was asked. */
const MOVES = ['started', 'step', 'rolled_back', 'aborted', 'completed'];

/** The chart's columns: time (seconds), percentage, then one column per marker kind (null where none). */
export function timeline(rollout, events, now = Date.now()) {
  const xs = []; const pct = []; const marks = MARKERS.map(() => []);
  let current = 0;
  const row = (seconds, markerIndex) => {
    xs.push(seconds);
    pct.push(current);
    marks.forEach((column, i) => column.push(i === markerIndex ? current : null));
  };
  if (rollout.startedAt) row(Date.parse(rollout.startedAt) / 1000, -1);
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    if (MOVES.includes(e.action) && e.toPercentage !== null && e.toPercentage !== undefined) current = e.toPercentage;
    row(Date.parse(e.at) / 1000, MARKERS.findIndex((m) => m.kind === e.action));
  }
  // the line runs on to now (or to the end) at the percentage served, a little past the last event at least
  current = rollout.currentPercentage;
  const last = xs.length ? xs[xs.length - 1] : now / 1000;
  const tail = xs.length > 1 ? (last - xs[0]) * 0.03 : 60;
  const end = (rollout.finishedAt ? Date.parse(rollout.finishedAt) : now) / 1000;
  row(Math.max(end, last + tail), -1);
  return [xs, pct, ...marks];
}

/** Draws (or redraws) the timeline into `container`; answers an update(rollout, events) function. */
export function timelineChart(container) {
  const plotArea = h('div', { class: 'chart', id: 'timeline-chart' });
  const legend = h('ul', { class: 'markers', id: 'timeline-markers' });
  replace(container, plotArea, legend);
  let plot = null;

  const options = (width) => ({
    width, height: 260,
    legend: { show: false },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true }, y: { range: [0, 100] } },
    axes: [{}, { values: (u, ticks) => ticks.map((t) => `${t} %`), size: 56 }],
    series: [
      {},
      { label: 'Percentage', stroke: '#2563eb', width: 2, fill: 'rgba(37, 99, 235, 0.08)',
        paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
      ...MARKERS.map((m) => ({
        label: m.label, stroke: m.color, fill: m.color, width: 0,
        paths: () => null, points: { show: true, size: 11, width: 2, stroke: '#fff', fill: m.color },
      })),
    ],
  });

  const resize = new ResizeObserver(() => {
    if (plot) plot.setSize({ width: plotArea.clientWidth || 800, height: 260 });
  });
  resize.observe(plotArea);

  return (rollout, events) => {
    const data = timeline(rollout, events);
    if (plot) plot.setData(data);
    else plot = new uPlot(options(plotArea.clientWidth || 800), data, plotArea);
    replace(legend,
      h('li', {}, h('span', { class: 'dot', style: 'background:#2563eb' }), 'Percentage'),
      MARKERS.map((m, i) => {
        const count = data[i + 2].filter((v) => v !== null).length;
        return h('li', { 'data-kind': m.kind, 'data-count': String(count) },
          h('span', { class: 'dot', style: `background:${m.color}` }), `${m.label}: ${count}`);
      }));
  };
}
