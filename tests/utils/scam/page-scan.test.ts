import { afterEach, describe, expect, it } from 'vitest';
import { checkText, createPageScanner, type PageFinding } from '@/utils/scam';

function setup(html: string, sliceMs = 4) {
  document.body.innerHTML = html;
  const findings: PageFinding[] = [];
  const batches: string[][] = [];
  const scanner = createPageScanner({
    root: document.body,
    checkBatch: async (texts) => {
      batches.push(texts);
      return texts.map((text) => checkText(text));
    },
    onFinding: (finding) => findings.push(finding),
    ignore: (element) => element.id === 'ours',
    schedule: (work) => setTimeout(work, 0),
    sliceMs,
  });
  return { scanner, findings, batches };
}

function rangeText(r: AbstractRange): string {
  const range = document.createRange();
  range.setStart(r.startContainer, r.startOffset);
  range.setEnd(r.endContainer, r.endOffset);
  return range.toString();
}

const flaggedTexts = (findings: PageFinding[]) =>
  findings.filter((f) => f.result.verdict !== 'safe').flatMap((f) => f.ranges.map(rangeText));

describe('createPageScanner', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('finds scam phrases across inline elements and maps them to DOM ranges', async () => {
    const { scanner, findings } = setup(
      '<div><p>你好，我是公安局民警，你涉嫌洗钱，请把钱转到<b>安全</b>账户。</p><p>明天见。</p></div>',
    );
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    expect(flaggedTexts(findings)).toEqual(expect.arrayContaining(['安全账户', '转到']));
    expect(findings.filter((f) => f.result.verdict !== 'safe')).toHaveLength(1);
  });

  it('leaves ordinary text, scripts, form fields and ignored elements alone', async () => {
    const { scanner, findings, batches } = setup(
      '<p>今天天气不错。</p><script>var s = "安全账户 转账";</script><textarea>你涉嫌洗钱，转入安全账户</textarea><div id="ours">公安局：涉嫌洗钱，转入安全账户</div>',
    );
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    expect(findings.filter((f) => f.result.verdict !== 'safe')).toEqual([]);
    expect(batches.flat().join('')).not.toContain('安全账户');
  });

  it('scans text added later, incrementally', async () => {
    const { scanner, findings, batches } = setup('<ul id="chat"><li>在吗？</li></ul>');
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    const before = batches.flat().length;
    const li = document.createElement('li');
    li.textContent = 'Pay the $99 processing fee by gift card to release your loan funds today.';
    document.getElementById('chat')!.append(li);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await scanner.idle();
    expect(batches.flat().length).toBe(before + 1); // only the new message was read
    expect(flaggedTexts(findings)).toEqual(expect.arrayContaining(['processing fee', 'gift card']));
  });

  it('does not re-check a block whose text did not change, and clears a block that became safe', async () => {
    const { scanner, findings, batches } = setup('<p id="m">你的校园贷账户需要注销，否则影响征信。</p>');
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    expect(findings.at(-1)!.result.verdict).not.toBe('safe');
    const p = document.getElementById('m')!;
    p.append(document.createElement('span')); // no text change
    await new Promise((resolve) => setTimeout(resolve, 10));
    await scanner.idle();
    expect(batches).toHaveLength(1);
    p.textContent = '明天下午三点开会。';
    await new Promise((resolve) => setTimeout(resolve, 10));
    await scanner.idle();
    expect(findings.at(-1)).toMatchObject({ result: { verdict: 'safe' }, ranges: [] });
  });

  it('works through a large page in slices and counts its main-thread time', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `<p>第${i}条：普通的消息，今天晚上一起吃饭吧。</p>`).join('');
    const { scanner } = setup(`${rows}<p>验证码发给我一下，我是银行客服，帮你处理账户。</p>`, 0.01);
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    expect(scanner.stats.blocks).toBe(2001);
    expect(scanner.stats.slices).toBeGreaterThan(1);
    expect(scanner.stats.busyMs).toBeGreaterThan(0);
  });
});
