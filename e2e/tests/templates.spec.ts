// The questionnaire template editor (予診票ひな形) end to end: an administrator makes a draft from
// the shipped version of a template, changes an item's question and its condition, sees the
// check refuse a condition on an item that does not exist and fixes it, previews the draft in
// the phone frame (the condition working), and publishes it as the version in use. A user
// whose role lacks the template permission cannot open the editor (nor read it through the
// API). axe finds no WCAG 2.2 AA violations on the editor screens.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoStaff, freshTotpCode, nextStep } from './totp';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CHIYODA = '131016';
// Not the infant form: the questionnaire spec reads that one's shipped texts.
const SETTING = 'japanese_encephalitis';
const JA: Record<string, string> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'functions', 'domain', 'data', 'questionnaires', SETTING, 'ja.json'), 'utf8'),
).texts;

async function expectNoAxeViolations(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations.map(
    (v) => `${where}: ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function logIn(page: Page, userId: string) {
  const staff = demoStaff(CHIYODA, userId);
  await page.goto('/admin/login');
  await page.getByLabel('自治体コード').fill(CHIYODA);
  await page.getByLabel('ユーザーID').fill(userId);
  await page.getByLabel('パスワード').fill(staff.password);
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByLabel('確認コード').fill(await freshTotpCode(staff.totp_secret));
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForURL(/\/admin$/);
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'ログアウト', exact: true }).click();
  await page.waitForURL(/\/admin\/login$/);
}

test('an administrator drafts, edits, checks, previews and publishes a questionnaire template', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const question = `その病気の主治医から、今日の接種の許可を受けていますか（e2e ${Date.now() % 100_000}）`;
  // A TOTP code works once: an earlier spec may have just used this step's code for admin.
  await nextStep();
  await logIn(page, 'admin');
  await page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link', { name: '予診票ひな形' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '予診票ひな形' })).toBeVisible();
  await expectNoAxeViolations(page, 'templates');

  // The shipped version is in use; a draft is made from it.
  await page.getByRole('link', { name: JA.title }).click();
  await expect(page.getByRole('heading', { level: 1, name: JA.title })).toBeVisible();
  const versions = page.getByRole('region', { name: '版の一覧' });
  await expect(versions.getByRole('row', { name: /第1版/ })).toContainText('住民が使う版');
  await expectNoAxeViolations(page, 'template, no draft');
  await page.getByRole('button', { name: 'この版から下書きを作る (第1版)' }).click();
  await expect(page.getByRole('status').filter({ hasText: '下書きを作りました。' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: '下書き（第2版）' })).toBeVisible();
  await expectNoAxeViolations(page, 'draft');

  // Item doctor_approved: new wording, and a condition on an item that does not exist.
  const row = page.locator('#tpl-row-doctor_approved');
  await row.getByRole('button', { name: '編集 doctor_approved' }).click();
  await expect(row.getByRole('button', { name: '閉じる doctor_approved' })).toHaveAttribute('aria-expanded', 'true');
  await row.getByLabel('質問文').fill(question);
  await expect(row.locator('.tpl-item__question')).toHaveText(question);
  const condition = row.getByLabel('表示条件（JSON）');
  await condition.fill('{"item": "chronic_illness", "equals": "yes"}');
  await expect(row.locator('.tpl-item__meta')).toContainText('chronic_illness = yes');
  await expect(page.getByText('保存していない変更があります。')).toBeVisible();
  await expectNoAxeViolations(page, 'item editor');
  await page.getByRole('button', { name: '検証する' }).click();
  const check = page.locator('#tpl-check');
  await expect(check).toBeFocused();
  await expect(check).toContainText('公開する前に、次の問題を直してください。');
  await expect(check).toContainText('項目「doctor_approved」: 表示条件が存在しない項目「chronic_illness」を参照しています');
  await expect(page.getByText('保存していない変更があります。')).toHaveCount(0);
  await expectNoAxeViolations(page, 'check with an error');
  await screenshot(page, testInfo, 'template-check-error-1280x800.png');

  // Publishing is refused while the check fails.
  await page.getByRole('button', { name: '公開する' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '公開する' }).click();
  await expect(check).toContainText('表示条件が存在しない項目「chronic_illness」');
  await expect(versions.getByRole('row', { name: /第2版/ })).toHaveCount(0);

  // The fix: the condition names the item that exists.
  await check.getByRole('button', { name: '編集' }).click();
  await expect(row.getByLabel('表示条件（JSON）')).toBeVisible();
  await row.getByLabel('表示条件（JSON）').fill('{"item": "chronic_condition", "equals": "yes"}');
  await page.getByRole('button', { name: '検証する' }).click();
  await expect(check).toContainText('問題はありません。公開できます。');
  await expect(check).not.toContainText('chronic_illness');

  // The phone frame: the question appears once the condition holds.
  await page.getByRole('button', { name: 'プレビュー' }).click();
  const preview = page.getByRole('region', { name: 'スマートフォンでの表示（幅360px）' });
  const phone = preview.locator('.phone');
  await expect(phone).toBeVisible();
  expect((await phone.boundingBox())?.width).toBeLessThanOrEqual(400);
  await expect(phone.getByText(JA.title)).toBeVisible();
  await expect(phone.getByText(question)).toHaveCount(0);
  await phone.getByRole('group', { name: JA['item.chronic_condition'] }).getByLabel(JA['answer.yes']).check();
  await expect(phone.getByText(question)).toBeVisible();
  await expectNoAxeViolations(page, 'preview');
  await screenshot(page, testInfo, 'template-preview-1280x800.png');

  // Publish: version 2 is the one in use, the draft is gone.
  await page.getByRole('button', { name: '公開する' }).click();
  const dialog = page.getByRole('dialog', { name: 'この下書きを公開しますか' });
  await expect(dialog).toBeVisible();
  await expectNoAxeViolations(page, 'publish dialog');
  await dialog.getByRole('button', { name: '公開する' }).click();
  await expect(page.getByRole('status').filter({ hasText: '公開しました。' })).toBeVisible();
  await expect(versions.getByRole('row', { name: /第2版/ })).toContainText('住民が使う版');
  await expect(versions.getByRole('row', { name: /第1版/ })).not.toContainText('住民が使う版');
  await expect(page.getByRole('heading', { level: 2, name: '下書き（第2版）' })).toHaveCount(0);
  const published = await page.request.get(`/api/admin/m/${CHIYODA}/questionnaire-templates/${SETTING}/versions/2`);
  expect(published.ok()).toBeTruthy();
  expect(JSON.stringify((await published.json()).texts)).toContain(question);
  await expectNoAxeViolations(page, 'published');
});

test('a user whose role lacks the template permission cannot open the editor', async ({ page }) => {
  test.setTimeout(120_000);
  // The administrator gives officer2 the viewer role (persons only).
  await nextStep();
  await logIn(page, 'admin');
  const changed = await page.request.put(`/api/admin/m/${CHIYODA}/users/officer2`, {
    data: { role_id: 'viewer', institution_id: 'D-ELDER', can_view_my_number: false },
    headers: { 'x-requested-with': 'sesshu' },
  });
  expect(changed.ok()).toBeTruthy();
  await logOut(page);
  // officer2 has a TOTP secret of their own: no need to wait for the next step.
  await logIn(page, 'officer2');
  const menu = page.getByRole('navigation', { name: '職員メニュー' });
  await expect(menu.getByRole('link', { name: '対象者', exact: true })).toBeVisible();
  await expect(menu.getByRole('link', { name: '予診票ひな形' })).toHaveCount(0);
  await page.goto(`/admin/templates/${SETTING}`);
  await expect(page.getByRole('heading', { level: 1, name: 'この画面を使う権限がありません' })).toBeVisible();
  await expect(page.getByRole('button', { name: /下書きを作る/ })).toHaveCount(0);
  await expectNoAxeViolations(page, 'no permission');
  const refused = await page.request.get(`/api/admin/m/${CHIYODA}/questionnaire-templates/${SETTING}/draft`);
  expect(refused.status()).toBe(403);
  await logOut(page);
});
