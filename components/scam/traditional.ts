import { ConverterFactory } from 'opencc-js/core';
import STCharacters from 'opencc-js/dict/STCharacters';
import TWVariants from 'opencc-js/dict/TWVariants';

/**
 * Simplified → Traditional Chinese (Taiwan) for the scam catalogue's texts, which are written in
 * Simplified only. Loaded on demand, for a Traditional Chinese UI only (components/scam/
 * catalogueText.ts): OpenCC's character table (about 32 KB; its phrase table is 1 MB, too big
 * for a popup) and Taiwan variants, plus the words of this domain where one Simplified character
 * has several Traditional ones (联系 → 聯繫, not 聯系; 注销 → 註銷; 老板 → 老闆). Converting at
 * render time means a catalogue edit never leaves Traditional readers with Simplified text.
 */
const WORDS = [
  // Taiwan writes 帳 for accounts, bills and transfers (帳戶, 轉帳, 帳號).
  '账 帳',
  '注销 註銷',
  '注册 註冊',
  '注明 註明',
  '备注 備註',
  '联系 聯繫',
  '关系 關係',
  '系统 系統',
  '批准 批准',
  '准备 準備',
  '标准 標準',
  '老板 老闆',
  '回复 回覆',
  '答复 答覆',
  '柜台 櫃檯',
  '卷款 捲款',
  '发卡 發卡',
  '头发 頭髮',
  '理发 理髮',
  '干部 幹部',
  '干什么 幹什麼',
  '干净 乾淨',
  '借据 借據',
  '征信 徵信',
  '特征 特徵',
  '出租 出租',
  '里面 裡面',
  '这里 這裡',
  '哪里 哪裡',
  '公里 公里',
  '余额 餘額',
  '剩余 剩餘',
  '其余 其餘',
  '一台 一臺',
  '平台 平臺',
  '后台 後臺',
  '台湾 臺灣',
  '制度 制度',
  '控制 控制',
  '限制 限制',
  '复制 複製',
  '恢复 恢復',
  '重复 重複',
  '复杂 複雜',
  '面对 面對',
  '方面 方面',
  '松开 鬆開',
  '冲突 衝突',
  '冲值 衝值',
  '钟头 鐘頭',
  '几乎 幾乎',
  '范围 範圍',
  '模范 模範',
  '防范 防範',
  '采取 採取',
  '采集 採集',
  '游戏 遊戲',
  '表格 表格',
  '手表 手錶',
  '只有 只有',
  '只能 只能',
  '一只 一隻',
  '提取 提取',
  '托管 託管',
  '委托 委託',
  '拜托 拜託',
  '涂改 塗改',
  '合并 合併',
  '并且 並且',
  '吃药 吃藥',
  '尽快 盡快',
  '尽量 儘量',
  '于是 於是',
  '对于 對於',
  '云端 雲端',
].join('|');

/**
 * Converts Simplified Chinese text to Traditional Chinese as written in Taiwan. In a group the
 * first dictionary wins (opencc-js loads a group back to front), and a longer match wins.
 */
export const toTaiwanTraditional: (text: string) => string = ConverterFactory([[WORDS, STCharacters]], [[TWVariants]]);
