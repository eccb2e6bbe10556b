import { BackgroundStatus } from '@/components/BackgroundStatus';
import { t } from '@/utils/i18n';

export function App() {
  return (
    <main class="page page-wide">
      <header class="page-header">
        <h1>{t('log.title')}</h1>
      </header>
      <p>{t('log.intro')}</p>
      <p class="muted">{t('log.empty')}</p>
      <footer class="page-footer">
        <BackgroundStatus />
      </footer>
    </main>
  );
}
