// The staff side end to end in Chromium: an administrator files and approves an account
// request; the new user activates the account, enrolls TOTP from the QR code's key, logs in, is
// refused a page outside their role; the administrator finds the refusal in the operation log.
// axe finds no WCAG 2.2 AA violations on any page on the way.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { demoStaff, freshTotpCode, nextStep, totpCode } from './totp';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CHIYODA = '131016';

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

async function logIn(page: Page, userId: string, password: string, secret: string) {
  await page.goto('/admin/login');
  await page.getByLabel('自治体コード').fill(CHIYODA);
  await page.getByLabel('ユーザーID').fill(userId);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByLabel('確認コード').fill(await freshTotpCode(secret));
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForURL(/\/admin$/);
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'ログアウト', exact: true }).click();
  await page.waitForURL(/\/admin\/login$/);
}

test('a new account is requested, approved, activated with TOTP, refused outside its role, and the refusal is logged', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const admin = demoStaff(CHIYODA, 'admin');
  const newcomer = `e2e${Date.now() % 100_000}`;
  const password = 'tsubame no hikari 2026';

  // The administrator files the request and approves it.
  await page.goto('/admin');
  await page.waitForURL(/\/admin\/login$/);
  await expect(page.getByRole('heading', { level: 1, name: '自治体職員のログイン' })).toBeVisible();
  await expectNoAxeViolations(page);
  await logIn(page, 'admin', admin.password, admin.totp_secret);
  await expect(page.getByRole('heading', { level: 1, name: '職員用ホーム' })).toBeVisible();

  await page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link', { name: 'アカウント申請' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'アカウント申請' })).toBeVisible();
  await page.getByLabel('ユーザーID').fill(newcomer);
  await page.getByLabel('氏名').fill('新任 三郎');
  await page.getByLabel('メールアドレス').fill(`${newcomer}@city.example.lg.jp`);
  await page.getByLabel('所属', { exact: false }).first().selectOption({ label: '子ども家庭支援課' });
  await page.getByLabel('権限セット').selectOption({ label: '閲覧者' });
  await page.getByLabel('申請の理由').fill('4月の人事異動で着任');
  await page.getByRole('button', { name: '申請する' }).click();
  await expect(page.getByText('申請しました')).toBeVisible();
  await expectNoAxeViolations(page);

  const card = page.locator('li.request-card').filter({ hasText: newcomer });
  await card.getByRole('button', { name: '承認する' }).click();
  await expect(page.getByRole('heading', { name: 'アクティベーションコードを発行しました' })).toBeVisible();
  await expectNoAxeViolations(page);
  const activationCode = (await page.locator('.code--huge').innerText()).trim();
  expect(activationCode).toMatch(/^[0-9A-Z]{16}$/);
  await page.getByRole('button', { name: '本人に伝えたので閉じる' }).click();
  await logOut(page);

  // The new user activates the account and enrolls TOTP.
  await page.goto('/admin/activate');
  await page.getByLabel('自治体コード').fill(CHIYODA);
  await page.getByLabel('ユーザーID').fill(newcomer);
  await page.getByLabel('アクティベーションコード').fill(activationCode);
  await page.getByLabel('新しいパスワード', { exact: true }).fill(password);
  await page.getByLabel('新しいパスワード（確認）').fill(password);
  await page.getByRole('button', { name: 'パスワードを設定して次へ' }).click();
  await expect(page.getByRole('heading', { name: '認証アプリの設定' })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR/ })).toBeVisible();
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'enroll-1280x800.png');
  const secret = (await page.locator('.enroll dd.code').innerText()).replace(/\s+/g, '');
  await page.getByLabel('認証アプリに表示された6桁の確認コード').fill(totpCode(secret));
  await page.getByRole('button', { name: '確認して次へ' }).click();
  await expect(page.getByRole('heading', { name: 'リカバリーコードの保管' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel('リカバリーコードを安全な場所に保管しました').check();
  await page.getByRole('button', { name: '設定を終える' }).click();
  await expect(page.getByRole('heading', { name: '設定が完了しました' })).toBeVisible();

  // A code works once: the login waits for the authenticator's next code.
  await nextStep();
  await logIn(page, newcomer, password, secret);
  const menu = page.getByRole('navigation', { name: '職員メニュー' });
  await expect(menu.getByRole('link', { name: 'ユーザー', exact: true })).toHaveCount(0);
  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { level: 1, name: 'この画面を使う権限がありません' })).toBeVisible();
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'no-permission-1280x800.png');
  await logOut(page);

  // The administrator finds the refusal in the operation log.
  await logIn(page, 'admin', admin.password, admin.totp_secret);
  await page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link', { name: '操作ログ' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '操作ログ' })).toBeVisible();
  await page.getByLabel('操作した職員のユーザーID').fill(newcomer);
  await page.getByRole('button', { name: '検索する' }).click();
  const refused = page.getByRole('row').filter({ hasText: 'user.list' }).filter({ hasText: '拒否' });
  await expect(refused.first()).toBeVisible();
  await expect(refused.first()).toContainText('missing_permission:manage_users');
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'operation-log-1280x800.png');
});

test('a clinic nurse logs in to the clinic surface and cannot use the admin one', async ({ page }) => {
  const nurse = demoStaff(CHIYODA, 'nurse1');
  await page.goto('/clinic/login');
  await expect(page.getByRole('heading', { level: 1, name: '医療機関職員のログイン' })).toBeVisible();
  await page.getByLabel('自治体コード').fill(CHIYODA);
  await page.getByLabel('ユーザーID').fill('nurse1');
  await page.getByLabel('パスワード').fill(nurse.password);
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByLabel('確認コード').fill(await freshTotpCode(nurse.totp_secret));
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '医療機関のホーム' })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto('/admin/login');
  await page.getByLabel('自治体コード').fill(CHIYODA);
  await page.getByLabel('ユーザーID').fill('nurse1');
  await page.getByLabel('パスワード').fill(nurse.password);
  await page.getByRole('button', { name: '次へ' }).click();
  await expect(page.getByRole('alert')).toContainText('ログインできませんでした');
});
