/**
 * The Secure API application form of seed 004 表8 「New eID 加密區 API 介接申請書」
 * as a console page, and the mapping of its posted fields to the admin API's
 * ApplicationCreate / ApplicationPatch. Each control is named after the JSON
 * pointer of its member (`form.contact.email` ↔ /form/contact/email), so every
 * error the API reports lands on its control, named in both languages. The
 * form is a list of sections: later additions (organisation certificate, test
 * phase …) are further sections.
 */
import { FUNCTION_IDS } from '../../../profile/authorization.js';
import { FIELD_IDS, fieldDef } from '../../../profile/fields.js';
import { ELIGIBILITY } from '../../../registry/model.js';
import type { Form } from '../forms.js';
import {
  bi,
  button,
  checkboxes,
  errorSummary,
  type FieldError,
  form,
  type Html,
  html,
  idOf,
  input,
  select,
  type Text,
  textarea,
} from '../html.js';
import { ELIGIBILITY_TEXT, FUNCTION_TEXT, labelOf } from '../i18n.js';

/** The values shown in the form: a stored application's, or what was just posted. */
export type Values = Readonly<Record<string, string>>;

/** A stored application (admin API view) as form values. */
export function valuesOf(a: {
  eServiceId: string;
  form: Record<string, unknown>;
  requestedFields: string[];
  requestedFunctions: string[];
}): Values {
  const out: Record<string, string> = { eServiceId: a.eServiceId };
  const walk = (prefix: string, v: unknown) => {
    if (Array.isArray(v)) out[prefix] = v.join('\n');
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(`${prefix}.${k}`, x);
    else if (v !== undefined && v !== null) out[prefix] = String(v);
  };
  walk('form', a.form);
  out.requestedFields = a.requestedFields.join('\n');
  out.requestedFunctions = a.requestedFunctions.join('\n');
  return out;
}

/** The API body of the posted form: empty optional members are left out (the schema names missing ones). */
export function bodyOfForm(f: Form, o: { newEService: boolean; patch: boolean }) {
  const s = (k: string) => f.get(k) || undefined;
  const clean = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  // Objects are always sent, so that a missing member is reported as that member.
  const pair = (k: string) => clean({ zh: s(`${k}.zh`), en: s(`${k}.en`) });
  const contact = clean({
    name: s('form.contact.name'),
    phone: s('form.contact.phone'),
    email: s('form.contact.email'),
  });
  const form = clean({
    competentAuthority: pair('form.competentAuthority'),
    agencyCode: s('form.agencyCode'),
    agencyName: pair('form.agencyName'),
    taxId: s('form.taxId'),
    industryCode: s('form.industryCode'),
    address: s('form.address'),
    purpose: s('form.purpose'),
    plannedTestDate: s('form.plannedTestDate'),
    hostAddresses: f.lines('form.hostAddresses'),
    subnetMask: s('form.subnetMask'),
    eligibility: s('form.eligibility'),
    contact,
  });
  const rights = {
    requestedFields: f.all('requestedFields'),
    requestedFunctions: f.all('requestedFunctions'),
  };
  if (o.patch) return { form, ...rights };
  const id = s('eServiceId') ?? '';
  return {
    eServiceId: id,
    ...(o.newEService
      ? {
          eService: clean({
            id,
            displayName: pair('eService.displayName'),
            purpose: pair('eService.purpose'),
            url: s('eService.url'),
          }),
        }
      : {}),
    form,
    ...rights,
  };
}

const ENCRYPTED: Text = ['加密區', 'encrypted area'];

/** One 表8 section; the form is their list. */
type Section = (v: Values, err: (name: string) => FieldError | undefined) => Html;

const text = (
  name: string,
  o: { type?: 'text' | 'email' | 'tel' | 'date' | 'url'; required?: boolean; hint?: Text } = {},
) =>
  ((v: Values, err: (n: string) => FieldError | undefined) =>
    input({
      name,
      label: labelOf(`/${name.replace(/\./g, '/')}`),
      value: v[name] ?? '',
      type: o.type ?? 'text',
      required: o.required ?? true,
      ...(o.hint ? { hint: o.hint } : {}),
      ...(err(name) ? { error: err(name)! } : {}),
    })) satisfies Section;

const fieldset =
  (legend: Text, parts: Section[]): Section =>
  (v, err) =>
    html`<fieldset><legend>${bi(legend)}</legend>${parts.map((p) => p(v, err))}</fieldset>`;

const SECTIONS: readonly Section[] = [
  fieldset(
    ['目的事業主管機關', 'Competent authority'],
    [text('form.competentAuthority.zh'), text('form.competentAuthority.en'), text('form.agencyCode')],
  ),
  fieldset(
    ['需用機關', 'Applying agency'],
    [
      text('form.agencyName.zh'),
      text('form.agencyName.en'),
      text('form.taxId', { hint: ['8 位數字', '8 digits'] }),
      text('form.industryCode'),
      text('form.address'),
    ],
  ),
  fieldset(
    ['申請內容', 'The application'],
    [
      (v, err) =>
        textarea({
          name: 'form.purpose',
          label: labelOf('/form/purpose'),
          value: v['form.purpose'] ?? '',
          required: true,
          ...(err('form.purpose') ? { error: err('form.purpose')! } : {}),
        }),
      text('form.plannedTestDate', { type: 'date' }),
      (v, err) =>
        textarea({
          name: 'form.hostAddresses',
          label: labelOf('/form/hostAddresses'),
          value: v['form.hostAddresses'] ?? '',
          required: true,
          hint: ['每行一個 IP 位址', 'one IP address per line'],
          ...(err('form.hostAddresses') ? { error: err('form.hostAddresses')! } : {}),
        }),
      text('form.subnetMask', { required: false }),
      (v, err) =>
        select({
          name: 'form.eligibility',
          label: labelOf('/form/eligibility'),
          value: v['form.eligibility'] ?? '',
          options: ['', ...ELIGIBILITY].map((e) => ({ value: e, label: ELIGIBILITY_TEXT[e]! })),
          hint: [
            '申請加密區欄位（配偶、父母、出生地、性別、相片、CAN）時必填',
            'needed for encrypted-area fields (spouse, parents, place of birth, sex, photo, CAN)',
          ],
          ...(err('form.eligibility') ? { error: err('form.eligibility')! } : {}),
        }),
    ],
  ),
  fieldset(
    ['聯絡人', 'Contact'],
    [
      text('form.contact.name'),
      text('form.contact.phone', { type: 'tel' }),
      text('form.contact.email', { type: 'email' }),
    ],
  ),
  (v, err) =>
    checkboxes({
      name: 'requestedFields',
      label: labelOf('/requestedFields'),
      checked: (v.requestedFields ?? '').split('\n'),
      options: FIELD_IDS.map((f) => ({
        value: f,
        label: [fieldDef(f).label.zh, fieldDef(f).label.en] as Text,
        ...(fieldDef(f).area === 'encrypted' ? { note: ENCRYPTED } : {}),
      })),
      ...(err('requestedFields') ? { error: err('requestedFields')! } : {}),
    }),
  (v, err) =>
    checkboxes({
      name: 'requestedFunctions',
      label: labelOf('/requestedFunctions'),
      checked: (v.requestedFunctions ?? '').split('\n'),
      options: FUNCTION_IDS.map((f) => ({ value: f, label: FUNCTION_TEXT[f]! })),
      ...(err('requestedFunctions') ? { error: err('requestedFunctions')! } : {}),
    }),
];

const PROFILE: readonly Section[] = [
  fieldset(
    ['eService（新申請）', 'The eService (new)'],
    [
      text('eServiceId', {
        hint: [
          '小寫英數字與連字號，例如 city-hospital',
          'lower-case letters, digits, dashes, e.g. city-hospital',
        ],
      }),
      text('eService.displayName.zh'),
      text('eService.displayName.en'),
      text('eService.purpose.zh'),
      text('eService.purpose.en'),
      text('eService.url', { type: 'url', required: false }),
    ],
  ),
];

/** The whole form: for a new eService (its profile first), an amendment (pick the eService), or a draft's edit. */
export function applicationForm(o: {
  action: string;
  csrf: string;
  values: Values;
  errors: readonly FieldError[];
  mode: 'new' | 'amend' | 'edit';
  eServices?: readonly string[];
  version?: number;
}): Html {
  const byId = new Map(o.errors.map((e) => [e.id, e]));
  const err = (name: string) => byId.get(idOf(name));
  const head =
    o.mode === 'new'
      ? PROFILE.map((p) => p(o.values, err))
      : o.mode === 'amend'
        ? [
            select({
              name: 'eServiceId',
              label: labelOf('/eServiceId'),
              value: o.values.eServiceId ?? '',
              options: (o.eServices ?? []).map((id) => ({ value: id, label: [id, id] as Text })),
              ...(err('eServiceId') ? { error: err('eServiceId')! } : {}),
            }),
          ]
        : [];
  return html`${errorSummary(o.errors)}${form(
    o.action,
    o.csrf,
    html`${head}${SECTIONS.map((s) => s(o.values, err))}<div class="actions">${button(o.mode === 'edit' ? ['儲存草稿', 'Save the draft'] : ['建立申請案（草稿）', 'Create the application (draft)'], { id: 'save' })}</div>`,
    { id: 'application-form', ...(o.version !== undefined ? { version: o.version } : {}) },
  )}`;
}
