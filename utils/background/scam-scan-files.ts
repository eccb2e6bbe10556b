// The page-scan files the background registers and the popup injects (no imports: the popup's
// bundle gets two strings, not the background).

/** entrypoints/scam-scan.ts, an unlisted script: no WXT content-script runtime or polyfill on pages. */
export const SCAM_SCAN_SCRIPT_FILE = 'scam-scan.js';
/** The highlight style, injected by the browser before the page is built (no restyle later). */
export const SCAM_SCAN_STYLE_FILE = import.meta.env.FIREFOX
  ? 'assets/scam-highlight-firefox.css'
  : 'assets/scam-highlight.css';
