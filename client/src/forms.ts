/**
 * Forms: labelled fields, the form's own checks worded with the labels, server validation shown under its
 * field, and the one-form screens (register, password, email, reset) built from them.
 */
import { h, heading } from './dom';
import { describeError } from './errors';
import { ApiError } from './http';
import { card, whileBusy, type MessageBox } from './ui';

/** What checkFields and markInvalid read: inputs, and text areas marked up the same way. */
type TextField = HTMLInputElement | HTMLTextAreaElement;

export interface FieldOptions {
  id: string;
  name: string;
  label: string;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  hint?: string;
  placeholder?: string;
}

/** The server's password policy (src/users/password-policy.ts), shown beside every new-password field. */
const PASSWORD_RULES = [
  '12 to 128 characters',
  'not one of the commonly used passwords',
  'a passphrase of a few unrelated words works well',
];

export function field(options: FieldOptions): { row: HTMLDivElement; input: HTMLInputElement } {
  const hintId = options.hint ? `${options.id}-hint` : undefined;
  const input = h('input', {
    id: options.id,
    name: options.name,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete,
    required: options.required ?? true,
    minlength: options.minLength,
    maxlength: options.maxLength,
    placeholder: options.placeholder,
    spellcheck: options.type === 'email' || options.type === 'password' ? 'false' : undefined,
    'aria-describedby': hintId,
  });
  return { row: fieldRow(options, input), input };
}

/** A labelled multi-line field: checkFields and markInvalid treat it like field()'s inputs. */
export function textArea(options: { id: string; name: string; label: string; maxLength: number; hint: string }): {
  row: HTMLDivElement;
  input: HTMLTextAreaElement;
} {
  const input = h('textarea', {
    id: options.id,
    name: options.name,
    rows: 5,
    maxlength: options.maxLength,
    'aria-describedby': `${options.id}-hint`,
  });
  return { row: fieldRow(options, input), input };
}

/** The markup every field shares: its label, the control, the error slot markInvalid fills, and the hint. */
function fieldRow(options: { id: string; label: string; hint?: string }, control: TextField): HTMLDivElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: options.id }, options.label),
    control,
    // Filled by markInvalid; first in aria-describedby, so the error is read before the hint.
    h('p', { id: `${options.id}-error`, class: 'field-error', hidden: true }),
    options.hint ? h('p', { id: `${options.id}-hint`, class: 'hint' }, options.hint) : null,
  );
}

/** A new password (12–128 characters) with the server's rules listed under it, as its hint. */
export function newPasswordField(options: { id: string; name: string; label: string }): {
  row: HTMLDivElement;
  input: HTMLInputElement;
} {
  const result = field({ ...options, type: 'password', autocomplete: 'new-password', minLength: 12, maxLength: 128 });
  const rules = passwordRules(`${options.id}-hint`);
  result.row.append(rules);
  result.input.setAttribute('aria-describedby', rules.id);
  return result;
}

/** The password rules as a visible list under a new-password field (instead of a native tooltip). */
function passwordRules(id: string): HTMLElement {
  return h(
    'div',
    { id, class: 'hint rules' },
    'Your password needs:',
    h(
      'ul',
      {},
      PASSWORD_RULES.map((rule) => h('li', {}, rule)),
    ),
  );
}

/**
 * The form's own checks, worded with the visible labels, so errors never depend on the browser's native
 * tooltip (forms using this set `novalidate`). Empty when the fields look fine.
 */
export function checkFields(form: HTMLFormElement): string[] {
  const problems: string[] = [];
  for (const input of form.querySelectorAll<TextField>('input[name]:not([hidden]), textarea[name]')) {
    const label = labelOf(form, input);
    const length = input.value.length;
    if (input.required && input.value.trim() === '') problems.push(`${label} is required`);
    else if (input.minLength > 0 && length > 0 && length < input.minLength) {
      problems.push(`${label} must be at least ${input.minLength} characters`);
    } else if (input.maxLength > 0 && length > input.maxLength) {
      problems.push(`${label} must be at most ${input.maxLength} characters`);
    } else if (input.type === 'email' && length > 0 && input.validity.typeMismatch) {
      problems.push(`${label} must be an email address`);
    }
  }
  return problems;
}

/**
 * Server validation messages start with the field's name ("currentPassword is incorrect"); ours with its
 * label. Each message is reworded with the visible label, shown under its field (first in the field's
 * aria-describedby) and the field is marked invalid. Returns the reworded messages for the message box.
 */
export function markInvalid(form: HTMLFormElement, messages: string[]): string[] {
  const reworded = [...messages];
  for (const input of form.querySelectorAll<TextField>('input[name][id], textarea[name][id]')) {
    const label = labelOf(form, input);
    const own: string[] = [];
    reworded.forEach((message, index) => {
      const lower = message.toLowerCase();
      if (lower.startsWith(input.name.toLowerCase())) {
        reworded[index] = label + message.slice(input.name.length);
        own.push(reworded[index]);
      } else if (lower.startsWith(label.toLowerCase())) {
        own.push(message);
      }
    });
    const error = form.querySelector<HTMLElement>(`#${CSS.escape(`${input.id}-error`)}`);
    const hint = `${input.id}-hint`;
    const describedBy = [own.length && error ? error.id : '', form.querySelector(`#${CSS.escape(hint)}`) ? hint : '']
      .filter(Boolean)
      .join(' ');
    if (describedBy) input.setAttribute('aria-describedby', describedBy);
    else input.removeAttribute('aria-describedby');
    if (error) {
      error.textContent = own.join('. ');
      error.hidden = own.length === 0;
    }
    if (own.length) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  return reworded;
}

function labelOf(form: HTMLFormElement, input: TextField): string {
  const label = input.id ? form.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
  return label?.textContent?.trim() || input.name;
}

export function submitButton(label: string, testid: string): HTMLButtonElement {
  return h('button', { type: 'submit', class: 'btn btn-primary', testid }, label);
}

export interface CheckedFormOptions {
  /** Names the form `<name>-form`, its submit button `<name>-submit`; labelled by `#<name>-heading` (formView). */
  name: string;
  /** The form's live region, first in the form: errors and the outcome are announced there. */
  message: MessageBox;
  submitLabel: string;
  busyLabel: string;
  /** Field rows (and hidden inputs), in order. */
  fields: Node[];
  /** Checks beyond each field's own (two passwords that must match), worded with the labels; run last. */
  check?: () => string[];
  /** Why the form cannot be used (a mailed link without its token): shown at once, and nothing is sent. */
  blocked?: string[];
  /** Sends the form and shows the outcome. A 400's messages are then shown under their fields. */
  send(form: HTMLFormElement): Promise<void>;
}

/**
 * A form that checks itself before sending (so `novalidate`: no native tooltips), marks and focuses the
 * first field in error, stays busy while sending, and after a success clears what was marked.
 */
export function checkedForm(options: CheckedFormOptions): HTMLFormElement {
  const { message } = options;
  const submit = submitButton(options.submitLabel, `${options.name}-submit`);
  const form = h(
    'form',
    { class: 'form', testid: `${options.name}-form`, 'aria-labelledby': `${options.name}-heading`, novalidate: true },
    message.el,
    options.fields,
    h('div', { class: 'actions' }, submit),
  );
  if (options.blocked) message.error(options.blocked);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (options.blocked) return;
    message.clear();
    const problems = checkFields(form);
    if (problems.length === 0 && options.check) problems.push(...options.check());
    if (problems.length > 0) {
      message.error(markInvalid(form, problems));
      form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    void whileBusy(
      submit,
      options.busyLabel,
      async () => {
        message.clear();
        try {
          await options.send(form);
          markInvalid(form, []);
        } catch (error) {
          const lines = describeError(error);
          message.error(error instanceof ApiError && error.status === 400 ? markInvalid(form, lines) : lines);
        }
      },
      form,
    );
  });
  return form;
}

/** A narrow one-form screen: its heading (the focus target on arrival), a lead sentence, the form, an aside. */
export function formView(options: {
  name: string;
  title: string;
  lead: string;
  form: HTMLFormElement;
  aside?: (Node | string)[];
}): HTMLElement {
  const title = heading(options.title);
  title.id = `${options.name}-heading`;
  return h(
    'div',
    { class: 'view view-narrow', testid: `view-${options.name}` },
    title,
    h('p', { class: 'lead' }, options.lead),
    card(options.form),
    options.aside ? h('p', { class: 'aside' }, ...options.aside) : null,
  );
}
