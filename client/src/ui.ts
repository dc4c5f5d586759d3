/** Building blocks shared by the views: labelled fields, message boxes, busy states, badges, times. */
import { h, heading, replaceChildren } from './dom';
import { formatDateTime, formatRelative, toDate } from './format';

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

export const PASSWORD_HINT = '12–128 characters. A passphrase of a few unrelated words works well.';

/** The server's password policy (src/users/password-policy.ts), shown beside every new-password field. */
export const PASSWORD_RULES = [
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
  const row = h(
    'div',
    { class: 'field' },
    h('label', { for: options.id }, options.label),
    input,
    // Filled by markInvalid; first in aria-describedby, so the error is read before the hint.
    h('p', { id: `${options.id}-error`, class: 'field-error', hidden: true }),
    hintId ? h('p', { id: hintId, class: 'hint' }, options.hint) : null,
  );
  return { row, input };
}

/** The password rules as a visible list under a new-password field (instead of a native tooltip). */
export function passwordRules(id: string): HTMLElement {
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

type TextField = HTMLInputElement | HTMLTextAreaElement;

export interface MessageBox {
  el: HTMLDivElement;
  error(lines: string[]): void;
  success(text: string): void;
  clear(): void;
}

/** A polite live region next to a form: created empty, so screen readers announce what appears in it. */
export function messageBox(testid: string): MessageBox {
  const el = h('div', { class: 'message', testid, 'aria-live': 'polite' });
  const show = (tone: 'error' | 'success', lines: string[]): void => {
    el.className = `message message-${tone}`;
    replaceChildren(
      el,
      lines.length === 1
        ? lines[0]
        : h(
            'ul',
            {},
            lines.map((line) => h('li', {}, line)),
          ),
    );
  };
  return {
    el,
    error: (lines) => show('error', lines),
    success: (text) => show('success', [text]),
    clear: () => {
      el.className = 'message';
      el.replaceChildren();
    },
  };
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

/**
 * Mark the button busy while `task` runs; the label says what is happening. `aria-disabled`, not
 * `disabled`: a disabled button drops keyboard focus to <body>, so clicks are ignored instead.
 */
export async function whileBusy(
  button: HTMLButtonElement,
  busyLabel: string,
  task: () => Promise<void>,
  region: HTMLElement = button,
): Promise<void> {
  if (button.getAttribute('aria-disabled') === 'true') return;
  const label = button.textContent;
  button.setAttribute('aria-disabled', 'true');
  button.textContent = busyLabel;
  region.setAttribute('aria-busy', 'true');
  try {
    await task();
  } finally {
    button.removeAttribute('aria-disabled');
    button.textContent = label;
    region.removeAttribute('aria-busy');
  }
}

export type Tone = 'neutral' | 'accent' | 'good' | 'bad' | 'warn';

export function badge(text: string, tone: Tone = 'neutral', testid?: string): HTMLSpanElement {
  return h('span', { class: `badge badge-${tone}`, testid }, text);
}

export function button(
  label: string,
  onClick: (event: Event) => void,
  options: { variant?: 'primary' | 'secondary' | 'danger' | 'link'; testid?: string; type?: 'button' | 'submit' } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: options.type ?? 'button',
      class: `btn btn-${options.variant ?? 'secondary'}`,
      testid: options.testid,
      onclick: onClick,
    },
    label,
  );
}

export function submitButton(label: string, testid: string): HTMLButtonElement {
  return h('button', { type: 'submit', class: 'btn btn-primary', testid }, label);
}

/** `<time>` showing a relative time, with the exact moment as a tooltip. */
export function timeEl(value: unknown, precise = false): HTMLElement {
  const date = toDate(value);
  if (!date) return h('span', { class: 'muted' }, '—');
  return h(
    'time',
    { datetime: date.toISOString(), title: formatDateTime(date.toISOString(), true) },
    precise ? formatDateTime(date.toISOString(), true) : formatRelative(date.toISOString()),
  );
}

export function loading(text = 'Loading…'): HTMLParagraphElement {
  return h('p', { class: 'loading muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function card(...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'card' }, ...children);
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
