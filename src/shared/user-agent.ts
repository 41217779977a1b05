/**
 * Browser and operating system from a User-Agent header, for the Sessions tab: the common ones,
 * by their own tokens, with no lookup anywhere. Order matters: Edge and Opera also say "Chrome",
 * Chrome also says "Safari", iOS also says "Mac OS X" ("like Mac OS X"), Android also says "Linux".
 */
export interface ParsedUserAgent {
  browser: string;
  operatingSystem: string;
}

const BROWSERS: readonly [name: string, pattern: RegExp][] = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\b(?:OPR|Opera)\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Vivaldi', /\bVivaldi\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /(?:\b|Headless)(?:Chrome|CriOS)\/(\d+)/],
  ['Chromium', /\bChromium\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)(?:\.\d+)*(?: Mobile\/\S+)? Safari\//],
  ['Internet Explorer', /\b(?:MSIE |Trident\/.*\brv:)(\d+)/],
  ['curl', /^curl\/(\d+)/],
];

const SYSTEMS: readonly [name: string | ((match: RegExpMatchArray) => string), pattern: RegExp][] = [
  [(m) => `iOS${m[1] ? ` ${m[1]}` : ''}`, /\b(?:iPhone|iPad|iPod)\b.*?\bOS (\d+)?/],
  [(m) => `Android${m[1] ? ` ${m[1]}` : ''}`, /\bAndroid(?: (\d+))?/],
  ['ChromeOS', /\bCrOS\b/],
  [(m) => windowsName(m[1]!), /\bWindows NT (\d+\.\d+)/],
  ['Windows', /\bWindows\b/],
  [(m) => `macOS${m[1] ? ` ${m[1].replace(/_/g, '.')}` : ''}`, /\bMac OS X(?: (\d+[._]\d+(?:[._]\d+)?))?/],
  ['Ubuntu', /\bUbuntu\b/],
  ['Fedora', /\bFedora\b/],
  ['Linux', /\bLinux\b/],
  ['FreeBSD', /\bFreeBSD\b/],
];

function windowsName(version: string): string {
  const names: Record<string, string> = {
    '10.0': 'Windows 10/11', // Windows 11 still says NT 10.0
    '6.3': 'Windows 8.1',
    '6.2': 'Windows 8',
    '6.1': 'Windows 7',
  };
  return names[version] ?? `Windows NT ${version}`;
}

export function parseUserAgent(userAgent: string): ParsedUserAgent {
  let browser = 'Unknown browser';
  for (const [name, pattern] of BROWSERS) {
    const match = userAgent.match(pattern);
    if (match) {
      browser = `${name} ${match[1]}`;
      break;
    }
  }
  let operatingSystem = 'Unknown';
  for (const [name, pattern] of SYSTEMS) {
    const match = userAgent.match(pattern);
    if (match) {
      operatingSystem = typeof name === 'string' ? name : name(match);
      break;
    }
  }
  return { browser, operatingSystem };
}
