/** Deterministic synthetic contacts for the log benchmark (loan-collection and impersonation calls). */
import type { LogContact, LogEvent } from '@/utils/log';

// Deterministic data: a small xorshift PRNG, so every run measures the same log.
let seed = 0x2545f491;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x1_0000_0000;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', 'Manager', 'Officer', 'Agent'];
const ROLES = ['经理', '专员', '客服', '警官', '催收', '法务', 'support', 'collections', 'bank'];
const SAID = [
  '您在我们平台的借款已经逾期，今天不还就通知你的通讯录',
  '我是95555的客服，您的银行卡被冻结了，需要验证码',
  '您涉嫌洗钱，请配合公安机关调查，把钱转到安全账户',
  '快递丢失，理赔请加微信',
  '恭喜您获得低息贷款资格，先交保证金',
  'Your loan is overdue, pay today or we contact your family',
  'This is the bank, your card is frozen, tell me the SMS code',
  '注销校园贷账户，否则影响征信',
  '再不还款就上门，你的照片会发给所有联系人',
  'Refund for your order, please download the screen sharing app',
];
const DEMANDED = ['转账5000元到指定账户', '提供验证码', '下载会议App共享屏幕', '交保证金2000元', '', ''];
const SCRIPTS = ['contacts-threat', 'fake-bank', 'fake-police', 'refund-scam', 'advance-fee', 'student-loan'];
const STATUSES = ['new', 'new', 'blocked', 'reported', 'resolved'] as const;
const RISKS = ['unknown', 'low', 'medium', 'high'] as const;
const CHANNELS = ['call', 'call', 'sms', 'chat', 'email', 'other'] as const;

function makeNumber(): { input: string; e164: string | null; national: string | null; key: string } {
  const roll = random();
  if (roll < 0.85) {
    const national = `1${pick(['3', '5', '7', '8', '9', '6'])}${digits(9)}`;
    const national3 = `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
    const input = pick([
      national,
      `+86 ${national3}`,
      `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`,
    ]);
    return { input, e164: `+86${national}`, national: national3, key: `+86${national}` };
  }
  if (roll < 0.95) {
    const local = `9${digits(7)}`;
    return {
      input: `+852 ${local.slice(0, 4)} ${local.slice(4)}`,
      e164: `+852${local}`,
      national: local,
      key: `+852${local}`,
    };
  }
  const short = `95${digits(3)}${digits(Math.floor(random() * 4))}`;
  return { input: short, e164: null, national: null, key: `raw:${short}` };
}

export function makeContact(i: number, now: number): LogContact {
  const number = makeNumber();
  const id = `bench-${i}`;
  const eventCount = 1 + Math.floor(random() * 3);
  const events: LogEvent[] = [];
  let at = now - Math.floor(random() * 365 * 86_400_000);
  for (let j = 0; j < eventCount; j++) {
    at += Math.floor(random() * 5 * 86_400_000);
    events.push({
      id: `${id}-e${j}`,
      at,
      channel: pick(CHANNELS),
      numberInput: number.input,
      said: pick(SAID),
      demanded: pick(DEMANDED),
      scripts: random() < 0.5 ? [pick(SCRIPTS)] : [],
      source: 'manual',
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
      deleteToken: null,
    });
  }
  const first = events[0] as LogEvent;
  const last = events[events.length - 1] as LogEvent;
  return {
    id,
    numberKey: number.key,
    number: { input: number.input, e164: number.e164, national: number.national },
    numberInputs: [number.input],
    name: `${pick(SURNAMES)}${pick(ROLES)}`,
    channel: last.channel,
    firstAt: first.at,
    lastAt: last.at,
    count: events.length,
    said: first.said,
    demanded: first.demanded,
    scripts: [...new Set(events.flatMap((event) => event.scripts))],
    risk: pick(RISKS),
    status: pick(STATUSES),
    notes: random() < 0.2 ? '已向12321举报' : '',
    tags: random() < 0.3 ? ['网贷'] : [],
    events,
    attachments: [],
    createdAt: first.at,
    updatedAt: last.at,
    deletedAt: null,
    deleteToken: null,
  };
}

export function makeContacts(count: number, now: number): LogContact[] {
  return Array.from({ length: count }, (_, i) => makeContact(i, now));
}
