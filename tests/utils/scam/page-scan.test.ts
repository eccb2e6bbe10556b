import { afterEach, describe, expect, it } from 'vitest';
import { checkText, createPageScanner, type PageFinding, splitBatchText } from '@/utils/scam';

function setup(html: string, sliceMs = 4) {
  document.body.innerHTML = html;
  const findings: PageFinding[][] = [];
  const batches: string[][] = [];
  const scanner = createPageScanner({
    root: document.body,
    checkBatch: async (joined) => {
      const texts = splitBatchText(joined);
      batches.push(texts);
      return texts
        .map((text, index) => ({ index, ...checkText(text) }))
        .filter((answer) => answer.verdict !== 'safe')
        .map(({ index, verdict, score, scripts, matches }) => ({ index, verdict, score, scripts, matches }));
    },
    onFindings: (found) => findings.push(found),
    ignoreTags: ['eg-ours'],
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

const flagged = (findings: PageFinding[][]) => findings.flat().filter((f) => f.result.verdict !== 'safe');
const flaggedTexts = (findings: PageFinding[][]) => flagged(findings).flatMap((f) => f.ranges.map(rangeText));
const settle = async (scanner: { idle(): Promise<void> }) => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  await scanner.idle();
};

describe('createPageScanner', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('reads nothing until the first slice, then finds phrases across inline elements as DOM ranges', async () => {
    const { scanner, findings, batches } = setup(
      '<div><p>你好，我是公安局民警，你涉嫌洗钱，请把钱转到<b>安全</b>账户。</p><p>明天见。</p></div>',
    );
    stop = () => scanner.stop();
    scanner.start();
    expect(batches).toEqual([]); // start() only queues
    await scanner.idle();
    expect(flaggedTexts(findings)).toEqual(expect.arrayContaining(['安全账户', '转到']));
    expect(flagged(findings)).toHaveLength(1);
    expect(flagged(findings)[0]!.block.localName).toBe('p');
    // One text per block, both in one batch.
    expect(batches).toEqual([['你好，我是公安局民警，你涉嫌洗钱，请把钱转到安全账户。', '明天见。']]);
  });

  it('leaves ordinary text, scripts, form fields, SVG, editors and ignored elements alone, but reads <pre>', async () => {
    const { scanner, findings, batches } = setup(
      '<p>今天天气不错。</p><script>var s = "安全账户 转账";</script><textarea>你涉嫌洗钱，转入安全账户</textarea>' +
        '<svg><text>涉嫌洗钱，转入安全账户</text></svg><div contenteditable="true"><p>公安局：涉嫌洗钱，<b>转入安全账户</b></p></div>' +
        '<eg-ours><span>公安局：涉嫌洗钱，转入安全账户</span></eg-ours>' +
        '<pre>Your loan is approved. Pay the $99 processing fee by gift card to release the funds.</pre>',
    );
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    const sent = batches.flat().join('\n');
    expect(sent).not.toContain('安全账户');
    expect(sent).toContain('今天天气不错');
    expect(flagged(findings).map((f) => f.block.localName)).toEqual(['pre']);
  });

  it('checks text split by a nested block as separate texts, and reports the block once', async () => {
    const { scanner, findings, batches } = setup(
      '<div id="d">你涉嫌洗钱，请把钱转到安全账户。<p>明天见。</p>公安局会冻结你的账户。</div>',
    );
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    expect(batches[0]).toEqual(['你涉嫌洗钱，请把钱转到安全账户。', '明天见。', '公安局会冻结你的账户。']);
    expect(flagged(findings).map((f) => f.block.id)).toEqual(['d']);
  });

  it('scans text added later, incrementally: only the new message is read', async () => {
    const { scanner, findings, batches } = setup('<ul id="chat"><li>在吗？</li></ul>');
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    const li = document.createElement('li');
    li.textContent = 'Pay the $99 processing fee by gift card to release your loan funds today.';
    document.getElementById('chat')!.append(li);
    await settle(scanner);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual([li.textContent]);
    expect(flaggedTexts(findings)).toEqual(expect.arrayContaining(['processing fee', 'gift card']));
  });

  it('re-reads an edited block on its own, skips unchanged text, and clears a block that became safe', async () => {
    const { scanner, findings, batches } = setup(
      '<div><p id="m">你的校园贷账户需要注销，否则影响征信。</p><p id="other">明天见。</p></div>',
    );
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    const p = document.getElementById('m')!;
    expect(flagged(findings).map((f) => f.block)).toEqual([p]);
    // Edits that leave a block's text as it was: read again, sent once (the first walk keeps no
    // copy of every block's text, to stay cheap), then not again.
    const other = document.getElementById('other')!;
    other.append(document.createElement('span'));
    await settle(scanner);
    expect(batches.at(-1)).toEqual(['明天见。']);
    other.append(document.createElement('span'));
    await settle(scanner);
    expect(batches).toHaveLength(2);
    document.getElementById('other')!.firstChild!.textContent = '后天见。';
    await settle(scanner);
    expect(batches.at(-1)).toEqual(['后天见。']);
    p.textContent = '明天下午三点开会。';
    await settle(scanner);
    expect(findings.at(-1)).toEqual([
      expect.objectContaining({ block: p, result: expect.objectContaining({ verdict: 'safe' }), ranges: [] }),
    ]);
  });

  it('drops the highlights of a flagged block the page removed', async () => {
    const { scanner, findings } = setup('<div id="list"><p id="m">你涉嫌洗钱，请把钱转到安全账户。</p></div>');
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    const p = document.getElementById('m')!;
    p.remove();
    await settle(scanner);
    expect(findings.at(-1)).toEqual([expect.objectContaining({ block: p, ranges: [] })]);
  });

  it('works through a large page in slices, one batch per 200,000 characters', async () => {
    const line = '普通的消息，今天晚上一起吃饭吧，记得带上那本书和雨伞。'.repeat(3);
    const rows = Array.from({ length: 3000 }, (_, i) => `<p>第${i}条：${line}</p>`).join('');
    const { scanner, batches, findings } = setup(`${rows}<p>验证码发给我一下，我是银行客服，帮你处理账户。</p>`, 0.01);
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    expect(batches.flat()).toHaveLength(3001);
    expect(batches.length).toBe(2);
    for (const batch of batches) expect(batch.join('\0').length).toBeLessThan(200_100);
    expect(scanner.stats.slices).toBeGreaterThan(1);
    expect(flagged(findings)).toHaveLength(1);
  });

  it('keeps a NUL inside page text from splitting the batch', async () => {
    document.body.innerHTML = '<p id="a"></p><p>你涉嫌洗钱，请把钱转到安全账户。</p>';
    document.getElementById('a')!.textContent = 'a\u0000b';
    const { scanner, batches, findings } = setup(document.body.innerHTML);
    document.getElementById('a')!.textContent = 'a\u0000b';
    stop = () => scanner.stop();
    scanner.start();
    await scanner.idle();
    expect(batches[0]).toEqual(['a b', '你涉嫌洗钱，请把钱转到安全账户。']);
    expect(flagged(findings)).toHaveLength(1);
  });
});
