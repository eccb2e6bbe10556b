import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { BackgroundStatus } from '@/components/BackgroundStatus';
import { Tabs } from '@/components/Tabs';
import { useSettings } from '@/components/useSettings';
import { t } from '@/utils/i18n';
import { ExposurePanel } from './ExposurePanel';
import { QuickAddPanel } from './QuickAddPanel';
import { ScamPanel } from './ScamPanel';

type Section = 'exposure' | 'scam' | 'log';

export function App() {
  const [section, setSection] = useState<Section>('exposure');
  const [settings, saveSettings] = useSettings();
  return (
    <main class="page page-popup">
      <header class="page-header">
        <h1>{t('popup.title')}</h1>
        <div class="row">
          <button
            type="button"
            class="secondary"
            id="large-text-toggle"
            aria-pressed={settings?.largeText ?? false}
            onClick={() => settings && saveSettings({ largeText: !settings.largeText })}
          >
            {t('popup.largeText')}
          </button>
          <button type="button" class="secondary" onClick={() => browser.runtime.openOptionsPage()}>
            {t('common.settings')}
          </button>
        </div>
      </header>
      <Tabs
        label={t('popup.sections')}
        active={section}
        onSelect={(id) => setSection(id as Section)}
        tabs={[
          { id: 'exposure', label: t('popup.tabExposure') },
          { id: 'scam', label: t('popup.tabScam') },
          { id: 'log', label: t('popup.tabLog') },
        ]}
      >
        {section === 'exposure' && <ExposurePanel />}
        {section === 'scam' && <ScamPanel />}
        {section === 'log' && <QuickAddPanel />}
      </Tabs>
      <footer class="page-footer">
        <a href={browser.runtime.getURL('/log.html')} target="_blank" rel="noreferrer">
          {t('common.openLog')}
        </a>
        <BackgroundStatus />
      </footer>
    </main>
  );
}
