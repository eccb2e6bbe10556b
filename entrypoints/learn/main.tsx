import { mountPage } from '@/components/mountPage';
import { LearnPage } from '@/components/scam/LearnPage';

void mountPage(LearnPage, 'scam.learn.title');
