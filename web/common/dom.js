// Small DOM helpers every page shares: find by id, build elements without ever parsing
// HTML (all data goes in as text), and format scores for zh-CN.

export const $ = (id) => document.getElementById(id);

/** Creates an element. props: class, text, dataset, on* listeners, attributes. Never parses HTML. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const numberFormat = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 3 });
/** A score as zh-CN text (at most three decimals); '—' when absent. */
export function fmt(n) {
  return typeof n === 'number' && Number.isFinite(n) ? numberFormat.format(n) : '—';
}

let toastTimer = 0;
/** Shows text in the page's #toast box for ms milliseconds. */
export function toast(text, ms = 3200) {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, ms);
}
