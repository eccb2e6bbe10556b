import { ScamChecker } from '@/components/scam/ScamChecker';
import { SiteScanToggle } from '@/components/scam/SiteScanToggle';

/** Popup section "Is this message a scam?": the checker, then per-site page scanning. */
export function ScamPanel() {
  return (
    <>
      <ScamChecker />
      <SiteScanToggle />
    </>
  );
}
