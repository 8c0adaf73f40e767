/**
 * HTML of the web console, built server-side: a tagged template that escapes
 * every interpolated value (only `Html` made by this module passes as is), the
 * bilingual text of every label (zh-TW first, English after it), the page
 * frame with its navigation, and the form controls — each with its label, its
 * error named in both languages, and `aria-describedby` tying them together.
 * No inline script or style anywhere: the Content-Security-Policy allows only
 * the console's own files (mount.ts).
 */
import { escAttr } from '../../xml/build.js';

export interface Html {
  readonly html: string;
}

/** Text in both languages: zh-TW, English. */
export type Text = readonly [string, string];

const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && 'html' in v;

function part(v: unknown): string {
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return v.map(part).join('');
  if (isHtml(v)) return v.html;
  return escAttr(String(v));
}

/** `html\`<p>${text}</p>\`` with every value escaped (text and attribute contexts alike). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += part(v) + strings[i + 1]!;
  });
  return { html: out };
}

export const join = (parts: readonly Html[], sep = ''): Html => ({
  html: parts.map((p) => p.html).join(sep),
});

/** Both languages, for the eye: `<span lang=zh-Hant-TW>…</span> <span lang=en>…</span>`. */
export const bi = (t: Text): Html =>
  html`<span lang="zh-Hant-TW">${t[0]}</span> <span lang="en" class="en">${t[1]}</span>`;

/** Both languages in one string (attributes, titles, plain text). */
export const both = (t: Text): string => `${t[0]} / ${t[1]}`;

export interface FieldError {
  /** The control's id (the error summary links to it). */
  readonly id: string;
  readonly label: Text;
  readonly message: Text;
  /** The API's own words, when it said more than the translation. */
  readonly detail?: string;
}

export interface Control {
  readonly name: string;
  readonly label: Text;
  readonly value?: string;
  readonly type?: 'text' | 'email' | 'tel' | 'date' | 'url' | 'number' | 'password';
  readonly required?: boolean;
  readonly hint?: Text;
  readonly error?: FieldError;
  readonly autocomplete?: string;
  readonly inputmode?: string;
  readonly maxlength?: number;
}

export const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function described(c: Control, id: string) {
  const ids = [c.hint ? `${id}-hint` : '', c.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids ? html` aria-describedby="${ids}"` : html``;
}

function extras(c: Control, id: string): Html {
  return html`${c.hint ? html`<p class="hint" id="${id}-hint">${bi(c.hint)}</p>` : ''}${
    c.error
      ? html`<p class="error" id="${id}-error">${bi(c.error.label)}：${bi(c.error.message)}${c.error.detail ? html` <span class="detail">(${c.error.detail})</span>` : ''}</p>`
      : ''
  }`;
}

export function input(c: Control): Html {
  const id = idOf(c.name);
  return html`<div class="field${c.error ? ' invalid' : ''}"><label for="${id}">${bi(c.label)}${c.required ? html` <abbr title="必填 / required">*</abbr>` : ''}</label>
<input id="${id}" name="${c.name}" type="${c.type ?? 'text'}" value="${c.value ?? ''}"${c.required ? html` required` : ''}${c.error ? html` aria-invalid="true"` : ''}${described(c, id)}${c.autocomplete ? html` autocomplete="${c.autocomplete}"` : ''}${c.inputmode ? html` inputmode="${c.inputmode}"` : ''}${c.maxlength ? html` maxlength="${c.maxlength}"` : ''}>${extras(c, id)}</div>`;
}

export function textarea(c: Control & { rows?: number }): Html {
  const id = idOf(c.name);
  return html`<div class="field${c.error ? ' invalid' : ''}"><label for="${id}">${bi(c.label)}${c.required ? html` <abbr title="必填 / required">*</abbr>` : ''}</label>
<textarea id="${id}" name="${c.name}" rows="${c.rows ?? 3}"${c.required ? html` required` : ''}${c.error ? html` aria-invalid="true"` : ''}${described(c, id)}>${c.value ?? ''}</textarea>${extras(c, id)}</div>`;
}

export function select(c: Control & { options: readonly { value: string; label: Text }[] }): Html {
  const id = idOf(c.name);
  return html`<div class="field${c.error ? ' invalid' : ''}"><label for="${id}">${bi(c.label)}</label>
<select id="${id}" name="${c.name}"${c.error ? html` aria-invalid="true"` : ''}${described(c, id)}>${c.options.map(
    (o) =>
      html`<option value="${o.value}"${o.value === (c.value ?? '') ? html` selected` : ''}>${both(o.label)}</option>`,
  )}</select>${extras(c, id)}</div>`;
}

/** A group of checkboxes under one legend (fields, roles …). */
export function checkboxes(
  c: Omit<Control, 'value'> & {
    options: readonly { value: string; label: Text; note?: Text }[];
    checked: readonly string[];
  },
): Html {
  const id = idOf(c.name);
  return html`<fieldset class="field checks${c.error ? ' invalid' : ''}" id="${id}"${described(c as Control, id)}><legend>${bi(c.label)}</legend>${c.options.map(
    (o, i) =>
      html`<label class="check"><input type="checkbox" name="${c.name}" value="${o.value}" id="${id}-${i}"${c.checked.includes(o.value) ? html` checked` : ''}> ${bi(o.label)}${o.note ? html` <small>${bi(o.note)}</small>` : ''}</label>`,
  )}${extras(c as Control, id)}</fieldset>`;
}

/** The list of every error at the top of a form, each linking to its control. */
export function errorSummary(errors: readonly FieldError[]): Html {
  if (!errors.length) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1" id="errors"><h2>${bi(['請修正以下欄位', 'Please correct these fields'])}</h2><ul>${errors.map(
    (e) => html`<li><a href="#${e.id}">${bi(e.label)}</a>：${bi(e.message)}</li>`,
  )}</ul></div>`;
}

/** A form that posts to the console with the session's CSRF token (and the record's version). */
export function form(
  action: string,
  csrf: string,
  body: Html,
  o: { version?: number; id?: string; className?: string; multipart?: boolean } = {},
): Html {
  return html`<form method="post" action="${action}"${o.multipart ? html` enctype="multipart/form-data"` : ''}${o.id ? html` id="${o.id}"` : ''}${o.className ? html` class="${o.className}"` : ''}><input type="hidden" name="_csrf" value="${csrf}">${o.version !== undefined ? html`<input type="hidden" name="_version" value="${o.version}">` : ''}${body}</form>`;
}

export const button = (
  t: Text,
  o: { name?: string; value?: string; kind?: 'primary' | 'secondary' | 'danger'; id?: string } = {},
) =>
  html`<button type="submit"${o.id ? html` id="${o.id}"` : ''}${o.name ? html` name="${o.name}" value="${o.value ?? ''}"` : ''} class="${o.kind ?? 'primary'}">${bi(t)}</button>`;

export const notice = (kind: 'info' | 'ok' | 'warn' | 'error', body: Html): Html =>
  html`<div class="notice ${kind}" role="${kind === 'error' || kind === 'warn' ? 'alert' : 'status'}">${body}</div>`;

export const fmtTime = (iso: string | Date | null | undefined): string =>
  iso
    ? new Date(iso)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : '—';
