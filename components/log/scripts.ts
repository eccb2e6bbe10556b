import { getUiLanguage } from '@/utils/i18n';
import type { RiskLevel } from '@/utils/log';
import { checkText, SCAM_CATALOGUE } from '@/utils/scam';

/** A short name for a scam script: the catalogue explanation's lead ("冒充催收", "Fake debt collection"). */
export function getScriptLabel(id: string): string {
  const script = SCAM_CATALOGUE.scripts.find((item) => item.id === id);
  if (!script) return id;
  const text = getUiLanguage().startsWith('zh') ? script.explanation['zh-CN'] : script.explanation.en;
  const lead = text.split(/[:：]/)[0]?.trim();
  return lead && lead.length <= 40 ? lead : id;
}

/** The catalogue's explanation of a script in the UI language, without the lead already shown as its label. */
export function getScriptExplanation(id: string): string {
  const script = SCAM_CATALOGUE.scripts.find((item) => item.id === id);
  if (!script) return '';
  const text = getUiLanguage().startsWith('zh') ? script.explanation['zh-CN'] : script.explanation.en;
  const label = getScriptLabel(id);
  const match = text.match(/^([^:：]+)[:：]\s*/);
  return match && match[1]?.trim() === label ? text.slice(match[0].length) : text;
}

/** Runs the scam matcher on what they said, so a logged entry carries its matched scripts and a risk. */
export function matchScripts(text: string): { scripts: string[]; risk: RiskLevel | undefined } {
  if (!text.trim()) return { scripts: [], risk: undefined };
  const result = checkText(text);
  const risk: RiskLevel | undefined =
    result.verdict === 'scam' ? 'high' : result.verdict === 'suspicious' ? 'medium' : undefined;
  return { scripts: result.scripts, risk };
}
