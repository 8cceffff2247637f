// The consoles' texts: one file per language under text/, picked by <html lang>. Pages carry keys, not words:
// data-t fills the text, data-t-label an aria-label, data-t-placeholder a placeholder.
import nl from './text/nl.js';

const languages = { nl };
const text = languages[document.documentElement.lang] ?? nl;

export const locale = text['locale'];

export function t(key, values = {}) {
  const template = text[key];
  if (template === undefined) {
    console.warn(`No text for "${key}"`);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** A key for a value that may be new to this console (a status added later): the value itself beats a blank. */
export function tOr(key, fallback) {
  return key in text ? t(key) : fallback;
}

export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  for (const el of root.querySelectorAll('[data-t-label]')) el.setAttribute('aria-label', t(el.dataset.tLabel));
  for (const el of root.querySelectorAll('[data-t-placeholder]')) el.setAttribute('placeholder', t(el.dataset.tPlaceholder));
}

export const centreName = id => tOr(`centre.${id}`, id);
