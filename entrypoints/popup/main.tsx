import { mountPage } from '@/components/mountPage';
import { App } from './App';

void mountPage(App, 'popup.title');
