/**
 * The form pieces every page uses, public and organiser alike: a labelled field with its error
 * beside it (tied to the control by aria-describedby, flagged by aria-invalid), an error summary at
 * the top whose links move focus to each field, and a POST form that always carries the CSRF token.
 */
import { html, type SafeHtml } from './html.js';

/** The hidden field (or `X-CSRF-Token` header, for script) every state-changing /app request carries. */
export const CSRF_FIELD = '_csrf';

export type FieldErrors<Field extends string = string> = Partial<Record<Field, string>>;

interface FieldBase {
  /** The form field's name; also the control's id unless `id` is given (the summary links to it). */
  name: string;
  label: string | SafeHtml;
  id?: string;
  /** Shown under the label, and read out with the control. */
  hint?: string | SafeHtml;
  error?: string | undefined;
  /** Shown but not editable, e.g. a field locked after publishing; the hint should say why. */
  readOnly?: boolean;
}

export interface TextFieldOptions extends FieldBase {
  value?: string | null | undefined;
  type?: 'text' | 'email' | 'url' | 'search' | 'number' | 'date' | 'datetime-local';
  autocomplete?: string;
  spellcheck?: boolean;
  maxLength?: number;
}

export interface TextAreaOptions extends FieldBase {
  value?: string | null | undefined;
  rows?: number;
  spellcheck?: boolean;
}

export interface FileFieldOptions extends FieldBase {
  /** The types the file picker offers, e.g. "image/png,image/jpeg" (the server checks again). */
  accept?: string;
}

export interface SelectOptions extends FieldBase {
  value?: string | null | undefined;
  options: ReadonlyArray<{ value: string; label: string }>;
}

export interface CheckboxOptions extends FieldBase {
  checked?: boolean;
  value?: string;
}

const idOf = (field: FieldBase) => field.id ?? field.name;

function errorMessage(field: FieldBase): SafeHtml | '' {
  return field.error
    ? html`<span class="error" id="${idOf(field)}-error"><span class="visually-hidden">Error:</span> ${field.error}</span>`
    : '';
}

function hintText(field: FieldBase): SafeHtml | '' {
  return field.hint ? html` <span class="hint" id="${idOf(field)}-hint">${field.hint}</span>` : '';
}

/** aria-describedby (hint, then error) and aria-invalid, as attributes to put on the control. */
function controlAttributes(field: FieldBase): SafeHtml {
  const id = idOf(field);
  const described = [field.hint ? `${id}-hint` : undefined, field.error ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return html`${described ? html` aria-describedby="${described}"` : ''}${field.error ? html` aria-invalid="true"` : ''}${field.readOnly ? html` readonly` : ''}`;
}

function wrap(field: FieldBase, control: SafeHtml): SafeHtml {
  return html`<div class="field${field.error ? ' invalid' : ''}">
  <label for="${idOf(field)}">${field.label}${hintText(field)}</label>
  ${errorMessage(field)}
  ${control}
</div>`;
}

export function textField(field: TextFieldOptions): SafeHtml {
  return wrap(
    field,
    html`<input type="${field.type ?? 'text'}" id="${idOf(field)}" name="${field.name}" value="${field.value ?? ''}"${
      field.autocomplete ? html` autocomplete="${field.autocomplete}"` : ''
    }${field.spellcheck === false ? html` spellcheck="false"` : ''}${field.maxLength ? html` maxlength="${field.maxLength}"` : ''}${controlAttributes(field)}>`,
  );
}

export function textArea(field: TextAreaOptions): SafeHtml {
  return wrap(
    field,
    html`<textarea id="${idOf(field)}" name="${field.name}" rows="${field.rows ?? 8}"${
      field.spellcheck === false ? html` spellcheck="false"` : ''
    }${controlAttributes(field)}>${field.value ?? ''}</textarea>`,
  );
}

/** A file picker; its form needs `multipart: true`. */
export function fileField(field: FileFieldOptions): SafeHtml {
  return wrap(
    field,
    html`<input type="file" id="${idOf(field)}" name="${field.name}"${field.accept ? html` accept="${field.accept}"` : ''}${controlAttributes(field)}>`,
  );
}

export function selectField(field: SelectOptions): SafeHtml {
  return wrap(
    field,
    html`<select id="${idOf(field)}" name="${field.name}"${field.readOnly ? html` disabled` : ''}${controlAttributes({ ...field, readOnly: false })}>${field.options.map(
      (option) => html`<option value="${option.value}"${option.value === field.value ? html` selected` : ''}>${option.label}</option>`,
    )}</select>`,
  );
}

/** A checkbox with its label beside it; the error sits above the pair, as with other fields. */
export function checkboxField(field: CheckboxOptions): SafeHtml {
  return html`<div class="field${field.error ? ' invalid' : ''}">
  ${errorMessage(field)}
  <div class="checkbox">
    <input type="checkbox" id="${idOf(field)}" name="${field.name}" value="${field.value ?? 'true'}"${field.checked ? html` checked` : ''}${controlAttributes(field)}>
    <label for="${idOf(field)}">${field.label}${hintText(field)}</label>
  </div>
</div>`;
}

/**
 * "There is a problem", listing each error as a link to its field, in the order the fields appear
 * (`order`: field names, or ids where they differ). Empty when there is nothing to say.
 */
export function errorSummary(errors: FieldErrors, order: readonly string[], headingLevel: 2 | 3 = 2): SafeHtml | '' {
  const listed = order.filter((field) => errors[field]);
  if (listed.length === 0) return '';
  const heading = headingLevel === 2 ? html`<h2>There is a problem</h2>` : html`<h3>There is a problem</h3>`;
  return html`<div class="error-summary" role="alert" tabindex="-1">${heading}<ul>${listed.map(
    (field) => html`<li><a href="#${field}">${errors[field]}</a></li>`,
  )}</ul></div>`;
}

export interface PostFormOptions {
  action: string;
  /** Required: a state-changing form without it is refused (403). */
  csrfToken: string;
  body: SafeHtml;
  id?: string;
  className?: string;
  /** Let our own messages, beside each field, replace the browser's (`novalidate`). */
  ownValidation?: boolean;
  /** Sends files (multipart/form-data); the CSRF token still travels as a field of the body. */
  multipart?: boolean;
}

export function postForm(form: PostFormOptions): SafeHtml {
  return html`<form method="post" action="${form.action}"${form.multipart ? html` enctype="multipart/form-data"` : ''}${form.id ? html` id="${form.id}"` : ''}${
    form.className ? html` class="${form.className}"` : ''
  }${form.ownValidation ? html` novalidate` : ''}>
<input type="hidden" name="${CSRF_FIELD}" value="${form.csrfToken}">
${form.body}
</form>`;
}

/** One button that POSTs (sign out, revoke…), styled to sit inline. */
export function buttonForm(action: string, csrfToken: string, label: string, style: 'primary' | 'secondary' | 'danger' | 'link' = 'primary'): SafeHtml {
  return postForm({
    action,
    csrfToken,
    className: 'inline-form',
    body: html`<button type="submit"${style === 'primary' ? '' : html` class="${style}"`}>${label}</button>`,
  });
}
