// Which Chromium to run and with which switches (Debian's Chromium on a machine with no route to Google's hosts).
import { existsSync } from 'node:fs';

/** The real binary first: /usr/bin/chromium is Debian's wrapper script, which adds switches of its own. */
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export function findChromium(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `no Chromium found (tried ${CANDIDATES.join(', ')}). Install Debian's chromium (apt-get install -y chromium) ` +
        'or set CHROME_PATH to a Chromium binary; Playwright cannot download browsers here.',
    );
  }
  return found;
}

/**
 * Switches for an extension test run. No --disable-features: it would replace Playwright's own list (last one wins).
 * DNS is mapped to "not found" except loopback, so nothing leaves the machine and nothing waits on a resolver.
 */
export function chromiumArgs(extensionPath: string, options: { offline?: boolean; loadWithFlag?: boolean } = {}): string[] {
  const { offline = true, loadWithFlag = true } = options;
  return [
    ...(loadWithFlag ? [`--disable-extensions-except=${extensionPath}`, `--load-extension=${extensionPath}`] : []),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--metrics-recording-only',
    '--window-size=1400,900',
    ...(offline ? ['--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost'] : []),
  ];
}
