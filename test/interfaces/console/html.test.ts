/**
 * The console's HTML and form building blocks: every value escaped (an application's text cannot
 * become markup), controls labelled and tied to their errors, the error of a JSON pointer named in
 * both languages on the right control, and the bounded multipart reader of the uploads.
 */
import { describe, expect, it } from 'vitest';
import { Problem } from '../../../src/interfaces/admin/problem.js';
import { bi, html, input, select } from '../../../src/interfaces/console/html.js';
import { labelOf, reasonText } from '../../../src/interfaces/console/i18n.js';
import { controlOf, fieldErrors } from '../../../src/interfaces/console/kit.js';

describe('console HTML', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const evil = `<script>alert(1)</script>" onmouseover="x'`;
    const out = html`<p title="${evil}">${evil}</p>`.html;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('" onmouseover');
    expect(out).toContain('&#60;script&#62;');
    expect(bi(['<b>', '&']).html).toBe(
      '<span lang="zh-Hant-TW">&#60;b&#62;</span> <span lang="en" class="en">&#38;</span>',
    );
  });

  it('labels each control and ties its error to it', () => {
    const err = {
      id: 'f-form-taxId',
      label: ['統一編號', 'Tax ID number'] as const,
      message: ['格式不正確', 'has the wrong format'] as const,
    };
    const out = input({
      name: 'form.taxId',
      label: ['統一編號', 'Tax ID number'],
      value: '12AB',
      required: true,
      error: err,
    }).html;
    expect(out).toContain('<label for="f-form-taxId">');
    expect(out).toContain('id="f-form-taxId"');
    expect(out).toContain('aria-invalid="true"');
    expect(out).toContain('aria-describedby="f-form-taxId-error"');
    expect(out).toMatch(
      /id="f-form-taxId-error">.*統一編號.*Tax ID number.*格式不正確.*has the wrong format/,
    );
    expect(
      select({
        name: 's',
        label: ['a', 'b'],
        value: 'y',
        options: [
          { value: 'x', label: ['x', 'x'] },
          { value: 'y', label: ['y', 'y'] },
        ],
      }).html,
    ).toContain('<option value="y" selected>');
  });

  it('names the field of every JSON pointer in both languages, on its control', () => {
    expect(controlOf('/form/contact/email')).toBe('f-form-contact-email');
    expect(controlOf('/form/hostAddresses/2')).toBe('f-form-hostAddresses');
    expect(controlOf('/requestedFields/0')).toBe('f-requestedFields');
    expect(labelOf('/form/hostAddresses/2')).toEqual(['主機網路位址', 'Host IP addresses']);
    expect(labelOf('/eService/displayName/zh')).toEqual(['服務名稱（中文）', 'Service name (Chinese)']);
    expect(labelOf('/form/unknownThing')).toEqual(['表8 申請書', 'The 表8 form']);
    expect(reasonText('format:email')).toEqual(['應為電子信箱', 'must be an email address']);
    expect(reasonText('something-new')).toEqual(['此值不被接受', 'this value is not accepted']);
    const errors = fieldErrors(
      new Problem(422, 'invalid-body', 'x', '/form/taxId …', '/form/taxId', [
        { pointer: '/form/taxId', detail: 'must match pattern', keyword: 'pattern' },
        { pointer: '/form/contact/email', detail: 'is required', keyword: 'required' },
      ]),
    );
    expect(errors).toEqual([
      {
        id: 'f-form-taxId',
        label: ['統一編號', 'Tax ID number'],
        message: ['格式不正確', 'has the wrong format'],
        detail: 'must match pattern',
      },
      {
        id: 'f-form-contact-email',
        label: ['電子信箱', 'Email'],
        message: ['必填', 'is required'],
        detail: 'is required',
      },
    ]);
  });
});
