import { mountPage } from '@/components/mountPage';
import { ScamCheckWindow } from '@/components/scam/ScamCheckWindow';

void mountPage(ScamCheckWindow, 'scam.windowTitle');
