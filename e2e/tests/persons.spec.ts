// Target persons end to end at phone size (360 x 800): an administrator imports a small CSV
// (rows from the documented sample, one of them broken) and follows the upload and processing
// to the summary and the error report; finds an imported person, edits them (an error first,
// then the fix), sets 不開示; registers someone who looks like a duplicate, sees the pair and
// deletes the second registration; downloads an export. axe finds no WCAG 2.2 AA violations on any of these screens.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoStaff, freshTotpCode } from './totp';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CHIYODA = '131016';
const SAMPLE = join(__dirname, '..', '..', 'docs', 'interfaces', 'samples', 'persons-valid-utf8.csv');

test.use({ viewport: { width: 360, height: 800 } });

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations.map(
    (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** A My Number: 11 digits and the check digit (mod 11, weights 2-7 from the right). */
function myNumber(first11: string): string {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const digit = Number(first11[11 - n]);
    sum += digit * (n <= 6 ? n + 1 : n - 5);
  }
  const remainder = sum % 11;
  return first11 + String(remainder <= 1 ? 0 : 11 - remainder);
}

/** Digits as katakana, so each run's people have their own kana name. */
function kana(digits: string): string {
  const letters = 'アイウエオカキクケコ';
  return [...digits].map((d) => letters[Number(d)]).join('');
}

/** The sample's header and first rows, with this run's My Numbers, business ids and kana, plus
 * one row with an impossible birth date. */
function importFile(run: string): { csv: string; family: string; birth: string } {
  const lines = readFileSync(SAMPLE, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l);
  const header = lines[0];
  const columns = header.split(',');
  const at = (name: string) => columns.indexOf(name);
  const family = `テスト${kana(run)}`;
  const rows = lines.slice(1, 4).map((line, i) => {
    const cells = line.split(',');
    cells[at('個人番号')] = myNumber(`61${run}${i}`);
    cells[at('自治体業務ID')] = `E2E${run}${i}`;
    cells[at('氏名カナ')] = `${family}　${['イチ', 'ニ', 'サン'][i]}`;
    return cells.join(',');
  });
  const broken = rows[0].split(',');
  broken[at('個人番号')] = myNumber(`61${run}9`);
  broken[at('自治体業務ID')] = `E2E${run}9`;
  broken[at('生年月日')] = '20230230';
  const first = rows[0].split(',');
  return {
    csv: '\uFEFF' + [header, ...rows, broken.join(',')].join('\r\n') + '\r\n',
    family: first[at('氏名カナ')],
    birth: first[at('生年月日')],
  };
}

async function logIn(page: Page) {
  const admin = demoStaff(CHIYODA, 'admin');
  await page.goto('/admin/login');
  await page.getByLabel('自治体コード').fill(CHIYODA);
  await page.getByLabel('ユーザーID').fill('admin');
  await page.getByLabel('パスワード').fill(admin.password);
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByLabel('確認コード').fill(await freshTotpCode(admin.totp_secret));
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForURL(/\/admin$/);
}

test('an administrator imports persons, finds and edits one, sets 不開示, and reviews duplicates, PMH and exports', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  // Eight digits of the clock: this run's people are its own.
  const run = String(Date.now()).slice(-9, -1);
  const file = importFile(run);
  const loginStep = Math.floor(Date.now() / 30_000);
  await logIn(page);
  const menu = page.getByRole('navigation', { name: '職員メニュー' });

  // Import: upload, processing, summary, error report.
  await menu.getByRole('link', { name: '対象者の取込', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の取込' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: '取り込む' }).click();
  await expect(page.getByText('取り込むファイルを選んでください。')).toBeVisible();
  await expect(page.getByLabel('CSVファイル')).toBeFocused();
  await page.getByLabel('CSVファイル').setInputFiles({
    name: `persons-e2e-${run}.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(file.csv, 'utf8'),
  });
  await page.getByRole('button', { name: '取り込む' }).click();
  await expect(page.getByRole('progressbar', { name: 'アップロード' })).toBeVisible();
  await expect(page.getByText('取込が終わりました。')).toBeVisible({ timeout: 60_000 });
  const summary = page.locator('.facts--counts');
  await expect(summary.locator('.facts__row').filter({ hasText: '新規登録' })).toContainText('3行');
  await expect(summary.locator('.facts__row').filter({ hasText: 'エラー' })).toContainText('1行');
  await expect(page.getByRole('progressbar', { name: '取込処理' })).toHaveAttribute('value', /\d+/);
  const report = page.getByRole('link', { name: /エラーレポートをダウンロード：UTF-8/ }).first();
  await expect(report).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), report.click()]);
  const text = readFileSync(await download.path(), 'utf8');
  expect(text).toContain('行番号');
  expect(text).toContain('生年月日');
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'import-summary-360x800.png');

  // Search by kana and birth date, then open the person.
  await menu.getByRole('link', { name: '対象者', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の検索' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: '検索する' }).click();
  await expect(page.getByText('検索する項目を1つ以上入力してください。')).toBeVisible();
  await page.getByLabel('氏名カナ').fill(file.family);
  await page.getByLabel('生年月日').fill(file.birth);
  await page.getByRole('button', { name: '検索する' }).click();
  const results = page.getByRole('table', { name: '検索結果' });
  await expect(results.getByRole('row')).toHaveCount(2);
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'person-search-360x800.png');
  await results.getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の詳細' })).toBeVisible();
  await expect(page.getByText(file.family)).toBeVisible();
  await expectNoAxeViolations(page);

  // Edit: a kana with latin letters is refused at the field, then corrected.
  await page.getByRole('button', { name: '登録内容を修正する' }).click();
  await expect(page.getByRole('heading', { level: 2, name: '登録内容の修正' })).toBeFocused();
  const kanaField = page.getByLabel('氏名カナ');
  await kanaField.fill('Tesuto Taro');
  await page.getByRole('button', { name: '保存する', exact: true }).click();
  await expect(kanaField).toHaveAttribute('aria-invalid', 'true');
  await expect(kanaField).toBeFocused();
  await expect(page.locator('#person-name-kana-error')).toBeVisible();
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'person-edit-error-360x800.png');
  const corrected = `${file.family.split('　')[0]}　ナオシ`;
  await kanaField.fill(corrected);
  await page.getByRole('button', { name: '保存する', exact: true }).click();
  await expect(page.getByText('修正を保存しました。')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: '登録内容', exact: true })).toBeFocused();
  await expect(page.locator('.facts').first()).toContainText(corrected);

  // 不開示: hidden from the resident, and the change is in the history.
  await page.getByLabel('不開示', { exact: true }).check();
  await page.getByRole('button', { name: '制御フラグを保存する' }).click();
  await expect(page.getByText('制御フラグを保存しました。')).toBeVisible();
  await expect(page.getByText('現在、本人・代理人には表示されていません。')).toBeVisible();
  const history = page.locator('ol.history');
  await expect(history.locator('li.history__entry').first()).toContainText('制御フラグの変更');
  await expect(history).toContainText('修正');
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'person-detail-360x800.png');

  // A second person with the same kana and birth date: registered, flagged as a possible duplicate.
  await menu.getByRole('link', { name: '対象者', exact: true }).click();
  await page.getByRole('link', { name: '新しい対象者を登録する' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の登録' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel('個人番号（マイナンバー）').fill(myNumber(`71${run}1`));
  await page.getByLabel('氏名', { exact: true }).fill('千代田　陽');
  await page.getByLabel('氏名カナ').fill(corrected);
  await page.getByLabel('生年月日').fill(file.birth);
  await page.getByLabel('性別').selectOption({ label: '女' });
  await page.getByLabel('住所').fill('東京都千代田区一番町3-2');
  await page.getByLabel('自治体業務ID').fill(`E2E${run}N`);
  await page.getByRole('button', { name: '登録する' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の詳細' })).toBeVisible();
  await expect(page.getByText('対象者を登録しました。')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: '重複の可能性がある対象者' })).toBeVisible();
  await expectNoAxeViolations(page);

  await menu.getByRole('link', { name: '重複の可能性', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '重複の可能性' })).toBeVisible();
  await expect(page.locator('.pair').filter({ hasText: corrected }).first()).toBeVisible();
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'duplicates-360x800.png');

  // The second registration was the mistake: delete it, after the confirmation.
  const pair = page.locator('li.card').filter({ hasText: corrected }).first();
  await pair.locator('.pair__person').filter({ hasText: `E2E${run}N` }).getByRole('link', { name: /詳細を開く/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の詳細' })).toBeVisible();
  await page.getByRole('button', { name: 'この対象者を削除する' }).click();
  const confirm = page.getByRole('dialog', { name: 'この対象者を削除しますか' });
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('保存期間（5年間）');
  await expectNoAxeViolations(page);
  await confirm.getByRole('button', { name: '削除する', exact: true }).click();
  await expect(page.getByText('対象者を削除しました。')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の詳細' })).toBeFocused();

  await menu.getByRole('link', { name: 'PMH連携の状況', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'PMH連携の状況' })).toBeVisible();
  await expect(page.getByText('取得待ちの人数')).toBeVisible();
  await expectNoAxeViolations(page);

  // The export: within 5 minutes of the login, no second confirmation is needed.
  await menu.getByRole('link', { name: 'データの出力', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'データの出力' })).toBeVisible();
  await page.getByLabel('UTF-8（BOM付き）').check();
  await expectNoAxeViolations(page);
  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'CSVをダウンロード' }).click(),
  ]);
  expect(exported.suggestedFilename()).toBe('persons.csv');
  expect(readFileSync(await exported.path(), 'utf8')).toContain(corrected);

  // The staff spec logs the administrator in next: never with this run's TOTP step.
  if (Math.floor(Date.now() / 30_000) === loginStep) {
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 200));
  }
});
