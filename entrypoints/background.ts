import { registerBackgroundHandlers } from '@/utils/background/handlers';
import { setupScamFeatures } from '@/utils/background/scam';
import { setupWelcomePage } from '@/utils/background/welcome';
import { setupExposureMonitoring } from '@/utils/exposure/monitor';
import { setupLogContextMenu } from '@/utils/log/context-menu';

export default defineBackground(() => {
  registerBackgroundHandlers();
  setupExposureMonitoring();
  setupScamFeatures();
  setupLogContextMenu();
  setupWelcomePage();
});
