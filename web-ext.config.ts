import { existsSync } from 'node:fs';
import { defineWebExtConfig } from 'wxt';

// WXT's runner opens Chrome/Chromium for `npm start`. Prefer $CHROMIUM_PATH, then Debian's
// chromium; otherwise WXT finds an installed Google Chrome itself.
const chromium = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineWebExtConfig({
  ...(chromium ? { binaries: { chrome: chromium } } : {}),
  chromiumArgs: [
    '--no-first-run',
    // Chromium refuses to start its sandbox as root (containers, CI boxes).
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ],
  // A demo should open where the user acts: the popup page in a tab is not addressable before
  // install, so open a neutral page; the toolbar button opens the popup.
  startUrls: ['about:blank'],
});
