/** A template's output before it is addressed: subject, plain text and HTML carrying the same words. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** One paragraph of text, or a call to action: the HTML part gets a button, the text part the bare URL. */
export type Block = string | { action: string; href: string };

/**
 * Builds both parts from the same blocks, so they cannot drift apart. Every value is escaped in the HTML
 * part: an email address chosen by an attacker ("<a href=...>"@evil.test) stays text.
 */
export function layout(subject: string, blocks: Block[]): RenderedMail {
  const text = blocks.map((block) => (typeof block === 'string' ? block : `${block.action}:\n${block.href}`));
  const html = blocks.map((block) =>
    typeof block === 'string'
      ? `<p>${escapeHtml(block)}</p>`
      : `<p><a href="${escapeHtml(block.href)}" style="display:inline-block;padding:10px 16px;background:#1f4ed8;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(block.action)}</a></p>` +
        `<p style="font-size:12px;color:#555">Or paste this address into your browser: ${escapeHtml(block.href)}</p>`,
  );
  return {
    subject,
    text: `${text.join('\n\n')}\n\n-- \nWarden\n`,
    html:
      '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:560px">' +
      `${html.join('')}<p style="color:#555">— Warden</p></body></html>`,
  };
}

/** 1800 → "30 minutes", 86400 → "24 hours": how long a link lives, in the words of the mail. */
export function humanDuration(seconds: number): string {
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      if (unit === 'day' && count === 1) return '24 hours';
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}
