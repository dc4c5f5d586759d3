/** Building blocks shared by the views: message boxes, busy states, buttons, badges, times, cards. (Forms: forms.ts.) */
import { h, replaceChildren } from './dom';
import { formatDateTime, formatRelative, toDate } from './format';

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
