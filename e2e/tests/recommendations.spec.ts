// 接種勧奨 on the staff side, end to end on the demo data (the daily job runs at server start):
// an administrator opens the worklist of 未接種者 for a vaccination, pages it, downloads it as CSV
// (header checked, no My Number), opens a person from it and sees their schedule and the notices
// sent to them with their delivery state; then edits a recommendation rule's Japanese title,
// previews it (sample values and one person), saves it, and sees the server's error for an
// unknown placeholder at its field. axe finds no WCAG 2.2 AA violations on each new screen, at
// 1280 px and at 360 px.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { demoStaff, freshTotpCode } from './totp';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CHIYODA = '131016';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 800 };
const CSV_HEADER =
  '予防接種対象者番号,自治体業務ID,氏名,氏名カナ,生年月日,年齢,性別,住所,保護者氏名,予防接種,状況,接種済回数,必要回数,接種可能日,接種期限,最終勧奨日';

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations.map(
    (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}

/** axe at desktop width and at phone width (where tables scroll and forms stack). */
async function expectAccessibleAtBothSizes(page: Page, testInfo: TestInfo, name: string) {
  await page.setViewportSize(DESKTOP);
  await expectNoAxeViolations(page);
  await page.setViewportSize(PHONE);
  await expectNoAxeViolations(page);
  const path = testInfo.outputPath(`${name}-360x800.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(`${name}-360x800.png`, { path, contentType: 'image/png' });
  await page.setViewportSize(DESKTOP);
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

/**
 * A vaccination whose worklist has people, and which list: the demo data are generated relative
 * to today (children with a few missed doses), so which series has rows depends on the day.
 * Asked through the API with the page's session, as the page itself would.
 */
async function vaccinationWithRows(page: Page): Promise<{ series: string; status: 'overdue' | 'never' }> {
  const api = `/api/admin/m/${CHIYODA}`;
  const series: { id: string; category: string }[] = await (await page.request.get(`${api}/schedule/series`)).json();
  const childhood = series.filter((s) => s.category === 'a');
  for (const status of ['overdue', 'never'] as const) {
    for (const { id } of childhood) {
      const answer = await page.request.get(`${api}/worklist?vaccination=${id}&status=${status}`);
      expect(answer.ok()).toBe(true);
      if ((await answer.json()).rows.length > 0) return { series: id, status };
    }
  }
  throw new Error('the start-up run left no worklist rows for any category A vaccination');
}

/** Parses one CSV line of the worklist (quoted cells may hold commas). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  out.push(cell);
  return out;
}

test('an administrator works the worklist of 未接種者, sees a person’s schedule and notices, and edits a recommendation rule', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await page.setViewportSize(DESKTOP);
  const loginStep = Math.floor(Date.now() / 30_000);
  await logIn(page);
  const menu = page.getByRole('navigation', { name: '職員メニュー' });

  // The home page offers both new pages to the administrator.
  await expect(page.getByRole('link', { name: /未接種者一覧/ }).first()).toBeVisible();
  await expect(page.getByRole('link', { name: /接種勧奨ルール/ }).first()).toBeVisible();

  // The worklist: a vaccination must be chosen; then the overdue list of the start-up run.
  await menu.getByRole('link', { name: '未接種者一覧', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '未接種者一覧' })).toBeVisible();
  await page.getByRole('button', { name: '一覧を表示する' }).click();
  await expect(page.getByText('予防接種を選んでください。')).toBeVisible();
  await expect(page.getByLabel('予防接種', { exact: true })).toBeFocused();
  await expectAccessibleAtBothSizes(page, testInfo, 'worklist-error');

  const found = await vaccinationWithRows(page);
  await page.getByLabel('予防接種', { exact: true }).selectOption(found.series);
  await page
    .getByLabel(found.status === 'overdue' ? '期限超過（標準的な接種期間を過ぎた人）' : '未接種（まだ接種していない人）')
    .check();
  await page.getByRole('button', { name: '一覧を表示する' }).click();
  const table = page.getByRole('table', { name: '該当する人' });
  await expect(table).toBeVisible();
  await expect(page.getByText(/の集計（毎日午前6時に更新）/)).toBeVisible();
  const rows = table.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThan(0);
  if (found.status === 'overdue') await expect(rows.first()).toContainText('期限超過');
  await expectAccessibleAtBothSizes(page, testInfo, 'worklist');

  // The CSV: UTF-8 with BOM, the documented header, no My Number column or value.
  await page.getByLabel('UTF-8（BOM付き）').check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'CSVをダウンロード' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('worklist.csv');
  await expect(page.getByText('CSVをダウンロードしました。')).toBeVisible();
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.startsWith('\uFEFF')).toBe(true);
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l);
  expect(lines[0]).toBe(CSV_HEADER);
  expect(lines[0]).not.toContain('個人番号');
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines.slice(1)) {
    // My Numbers are 12 digits; no cell of the file may be one.
    expect(cells(line).some((cell) => /^\d{12}$/.test(cell))).toBe(false);
  }

  // A person from the list: their schedule and the notices the start-up run made.
  const first = rows.first().getByRole('link');
  const subjectNo = (await rows.first().locator('.cell-sub.code').textContent())?.trim() ?? '';
  expect(subjectNo).not.toBe('');
  await first.click();
  await expect(page.getByRole('heading', { level: 1, name: '対象者の詳細' })).toBeVisible();
  const schedule = page.getByRole('table', { name: /予防接種の状況/ });
  await expect(schedule).toBeVisible();
  expect(await schedule.locator('tbody tr').count()).toBeGreaterThan(0);
  await expect(page.getByText('勧奨情報（最新の勧奨）')).toBeVisible();
  const notices = page.getByRole('table', { name: '送ったお知らせ（接種勧奨）' });
  await expect(notices).toBeVisible();
  await expect(notices.locator('tbody tr').first()).toContainText(/配信済み|配信待ち|配信失敗|送信停止/);
  await expectAccessibleAtBothSizes(page, testInfo, 'person-schedule');

  // The rules: edit the overdue reminder's Japanese title, preview, save.
  await menu.getByRole('link', { name: '接種勧奨ルール', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '接種勧奨ルール' })).toBeVisible();
  await expect(page.getByRole('table', { name: '最近の実行' }).locator('tbody tr').first()).toBeVisible();
  await expectAccessibleAtBothSizes(page, testInfo, 'rules');
  await page.getByRole('button', { name: '編集する A-OVERDUE' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /ルールの編集/ })).toBeFocused();
  const title = page.getByLabel('件名（日本語）');
  await title.fill('{vaccination}の接種をお忘れではありませんか');
  await page.getByRole('button', { name: 'プレビュー', exact: true }).click();
  const preview = page.locator('#preview-result');
  await expect(preview).toContainText('見本の値で表示しています。');
  await expect(preview).toContainText('の接種をお忘れではありませんか');
  await expect(preview).not.toContainText('{vaccination}');
  await expectAccessibleAtBothSizes(page, testInfo, 'rule-preview');

  // The same rule for the person opened above: what the next run would do, nothing sent.
  await page.getByLabel('予防接種対象者番号（任意）').fill(subjectNo);
  await page.getByRole('button', { name: 'プレビュー', exact: true }).click();
  await expect(preview).toContainText('この対象者への次回の内容です。');

  await page.getByRole('button', { name: 'ルールを保存する' }).click();
  await expect(page.getByText('ルールを保存しました。次の実行から使われます。')).toBeVisible();
  await expect(page.getByText('第1版')).toBeVisible();

  // An unknown placeholder: the server's check names it at the field, and saving is refused.
  const body = page.getByLabel('本文（日本語）');
  await body.fill('{name}様、{vaccination}の接種がお済みでないようです。');
  await page.getByRole('button', { name: '検証する' }).click();
  await expect(page.locator('#rules-check')).toContainText('保存する前に、次の問題を直してください。');
  await expect(body).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#rule-ja-body-error')).toContainText('差し込み項目は使えません');
  await expectAccessibleAtBothSizes(page, testInfo, 'rule-error');
  await page.getByRole('button', { name: 'ルールを保存する' }).click();
  await expect(page.locator('#rules-check')).toBeFocused();
  await expect(page.locator('#rule-ja-body-error')).toContainText('差し込み項目は使えません');
  await expect(page.getByText('第1版')).toBeVisible();

  // The staff spec logs the administrator in next: never with this run's TOTP step.
  if (Math.floor(Date.now() / 30_000) === loginStep) {
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 200));
  }
});
