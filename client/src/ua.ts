/**
 * A rough User-Agent reading, good enough to tell "Firefox on Windows" from "curl". Order matters: most
 * browsers claim to be several others (Edge says Chrome and Safari, Chrome says Safari).
 */

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bFirefox\/(\d+)/, 'Firefox'],
  [/\bFxiOS\/(\d+)/, 'Firefox'],
  [/\bHeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/\bCriOS\/(\d+)/, 'Chrome'],
  [/\bChrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/\bcurl\/(\d+)/, 'curl'],
  [/\bPostmanRuntime\/(\d+)/, 'Postman'],
  [/\bpython-requests\/(\d+)/, 'Python requests'],
  [/\bokhttp\/(\d+)/, 'OkHttp'],
  [/\bnode-fetch\b|\bundici\b|^node\b/i, 'Node.js'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\b(?:iPhone|iPad|iPod)\b.*\bOS (\d+)/, 'iOS'],
  [/\bAndroid (\d+)/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows NT 10\.0\b/, 'Windows'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export interface Device {
  browser: string | null;
  os: string | null;
  label: string;
}

export function describeUserAgent(userAgent: string | null | undefined): Device {
  const ua = userAgent ?? '';
  const browser = readBrowser(ua);
  const os = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const label = browser && os ? `${browser} on ${os}` : (browser ?? os ?? (ua ? ua.slice(0, 40) : 'Unknown device'));
  return { browser, os, label };
}

function readBrowser(ua: string): string | null {
  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(ua);
    if (match) return match[1] ? `${name} ${match[1]}` : name;
  }
  return null;
}
