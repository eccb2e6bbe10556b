import { setupScamPageScan } from '@/components/scam/pageScan';

// Injected by browser.scripting (registered for the sites the user enabled, or into the open tab
// when they enable it). An unlisted script: no WXT content-script runtime and no browser
// polyfill are evaluated on those pages, only the scan.
export default defineUnlistedScript(() => {
  setupScamPageScan();
});
