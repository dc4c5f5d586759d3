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
    hintId ? h('p', { id: hintId, class: 'hint' }, options.hint) : null,
  );
  return { row, input };
}

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
 * Validation messages name their field ("password must be longer than..."); flag the matching inputs
 * so a screen reader announces them as invalid.
 */
export function markInvalid(form: HTMLFormElement, messages: string[]): void {
  for (const input of form.querySelectorAll<HTMLInputElement>('input[name]')) {
    const invalid = messages.some((message) => message.toLowerCase().startsWith(input.name.toLowerCase()));
    if (invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

/** Disable the button and mark the region busy while `task` runs; the label says what is happening. */
export async function whileBusy(
  button: HTMLButtonElement,
  busyLabel: string,
  task: () => Promise<void>,
  region: HTMLElement = button,
): Promise<void> {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = busyLabel;
  region.setAttribute('aria-busy', 'true');
  try {
    await task();
  } finally {
    button.disabled = false;
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
