import { useEffect, useState } from 'preact/hooks';
import { t } from '@/utils/i18n';
import { sendMessage } from '@/utils/messaging';

/** Footer line proving the background answers; also the e2e round-trip probe. */
export function BackgroundStatus() {
  const [text, setText] = useState(t('common.loading'));
  useEffect(() => {
    sendMessage('ping').then(
      (reply) => setText(t('common.backgroundReady', [reply.version])),
      () => setText(t('common.backgroundDown')),
    );
  }, []);
  return (
    <p id="background-status" role="status">
      {text}
    </p>
  );
}
