/**
 * User input, in this tab or another: when it last happened, and (at most every 15 s) a word to the other
 * tabs. Whether that makes the session idle stays with the session's timer (session.ts).
 */

/** Other tabs learn of input at most this often. */
const ACTIVITY_BROADCAST_MS = 15_000;
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

export interface Activity {
  /** Input was seen: in this tab (`broadcast: true`, other tabs are told) or in another one. */
  note(options: { broadcast: boolean }): void;
  /** How long since the last input in any tab (ms). */
  sinceLast(now?: number): number;
}

/**
 * Listens for input in this tab. `tellOtherTabs` is called at most every 15 s; `onInput` after every input,
 * here or reported by another tab.
 */
export function trackActivity(tellOtherTabs: () => void, onInput: () => void): Activity {
  let last = Date.now();
  let lastBroadcast = 0;
  const activity: Activity = {
    note: ({ broadcast }) => {
      const now = Date.now();
      last = now;
      if (broadcast && now - lastBroadcast >= ACTIVITY_BROADCAST_MS) {
        lastBroadcast = now;
        tellOtherTabs();
      }
      onInput();
    },
    sinceLast: (now = Date.now()) => now - last,
  };
  for (const type of ACTIVITY_EVENTS) {
    window.addEventListener(type, () => activity.note({ broadcast: true }), { capture: true, passive: true });
  }
  return activity;
}
