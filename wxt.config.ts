import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// Stable Firefox id: the store listing, the e2e uuid pref and saved data all key on it.
export const GECKO_ID = 'exposure-guard@exposure-guard.org';

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  vite: () => ({ plugins: [preact()] }),
  manifestVersion: 3,
  // Separate output folders let parallel builds (and their e2e runs) not overwrite each other.
  outDir: process.env.EG_OUT_DIR ?? '.output',
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'zh_CN',
    // No host permissions at install: the range API answers with CORS `*`, and page
    // scanning asks for each site the user enables, at that moment.
    permissions: ['storage', 'alarms', 'notifications', 'contextMenus', 'scripting', 'activeTab'],
    // Page scanning is opt-in per site: the popup requests one origin at a time.
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: GECKO_ID,
              strict_min_version: '140.0',
              data_collection_permissions: { required: ['none'] },
            },
            // data_collection_permissions exists on Android from 142.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
});
