import { setupScamPageScan } from '@/components/scam/pageScan';

// Registered at run time (browser.scripting) only for the sites the user enabled.
export default defineContentScript({
  registration: 'runtime',
  main() {
    setupScamPageScan();
  },
});
