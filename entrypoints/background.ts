import { registerBackgroundHandlers } from '@/utils/background/handlers';
import { setupExposureMonitoring } from '@/utils/exposure/monitor';

export default defineBackground(() => {
  registerBackgroundHandlers();
  setupExposureMonitoring();
});
