/**
 * A coarse, version-free label for a User-Agent ("Firefox on Linux"), so a browser update is not a new
 * device. Unknown agents fall back to their first product token.
 */
export function userAgentFamily(userAgent: string): string {
  const browser = /\bEdg(e|A|iOS)?\//.test(userAgent)
    ? 'Edge'
    : /\bOPR\/|\bOpera\b/.test(userAgent)
      ? 'Opera'
      : /\bFirefox\/|\bFxiOS\//.test(userAgent)
        ? 'Firefox'
        : /\bChrome\/|\bCriOS\/|\bChromium\//.test(userAgent)
          ? 'Chrome'
          : /\bSafari\//.test(userAgent) && /\bVersion\//.test(userAgent)
            ? 'Safari'
            : (/^([A-Za-z][\w.-]{0,30})/.exec(userAgent)?.[1] ?? 'unknown');
  const os = /\bWindows\b/.test(userAgent)
    ? 'Windows'
    : /\b(iPhone|iPad|iPod)\b/.test(userAgent)
      ? 'iOS'
      : /\bMac OS X\b|\bMacintosh\b/.test(userAgent)
        ? 'macOS'
        : /\bAndroid\b/.test(userAgent)
          ? 'Android'
          : /\bCrOS\b/.test(userAgent)
            ? 'ChromeOS'
            : /\bLinux\b/.test(userAgent)
              ? 'Linux'
              : undefined;
  return os ? `${browser} on ${os}` : browser;
}
