import { registerBackgroundHandlers } from '@/utils/background/handlers';

export default defineBackground(() => {
  registerBackgroundHandlers();
});
