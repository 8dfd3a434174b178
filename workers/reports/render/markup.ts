// HTML built by a tagged template that escapes every interpolated value unless it is markup made
// by this same tag. Pool names, flow ids, menu node names and failure meanings come from users and
// Telnyx; escaping by default means a forgotten call cannot let one of them become markup.
//
//   html`<td>${pool.name}</td>`            → the name escaped
//   html`<tr>${rows.map((r) => html`…`)}</tr>` → arrays joined, each item escaped or kept as markup

/** Markup produced by `html` (or `trusted`), inserted as is when interpolated. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Interpolation = Markup | string | number | boolean | null | undefined | readonly Interpolation[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: Interpolation): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  // null, undefined and false render as nothing, so `${cond && html`…`}` works; true is a mistake
  // in markup, and also renders as nothing rather than the word.
  if (value === null || value === undefined || typeof value === 'boolean') return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

/** Text the renderer itself wrote (the style sheet), inserted without escaping. Never user data. */
export function trusted(text: string): Markup {
  return new Markup(text);
}

/** A number for an SVG attribute: finite and short (two decimals), 0 for anything else. */
export function svgNumber(n: number): string {
  if (!Number.isFinite(n)) return '0';
  return String(Math.round(n * 100) / 100);
}
