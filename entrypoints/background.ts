import { registerBackgroundHandlers } from '@/utils/background/handlers';
import { setupExposureMonitoring } from '@/utils/exposure/monitor';
import { setupLogContextMenu } from '@/utils/log/context-menu';

export default defineBackground(() => {
  registerBackgroundHandlers();
  setupExposureMonitoring();
  setupLogContextMenu();
});
