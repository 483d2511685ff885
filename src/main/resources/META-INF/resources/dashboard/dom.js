// Builds elements from data without parsing HTML, so nothing the API returns is ever run as markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'style') el.setAttribute('style', value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function percent(value) {
  if (value === null || value === undefined) return '';
  return `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 2 })} %`;
}

export function progress(rollout) {
  const pct = Math.max(0, Math.min(100, Number(rollout.currentPercentage) || 0));
  return h('div', { class: 'progress', 'data-percentage': String(rollout.currentPercentage) },
    h('div', { class: `bar ${rollout.state}` }, h('span', { style: `width:${pct}%` })),
    h('span', { class: 'pct' }, percent(rollout.currentPercentage)));
}

export function badge(text) {
  return h('span', { class: `badge ${text}` }, text);
}
