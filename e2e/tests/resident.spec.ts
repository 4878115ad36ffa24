// The resident slice end to end, on a 360 x 800 phone: log in through the Mynaportal simulator,
// see the records, open one, switch language, log out; axe finds no WCAG 2.2 AA violations.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

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

/** Logs in through the simulator as the first demo resident whose button matches `who`. */
async function logInAs(page: Page, who: RegExp) {
  await page.goto('/');
  await page.getByRole('link', { name: 'マイナポータルでログイン' }).click();
  await page.waitForURL(/\/sim\/mynaportal\//);
  await page.getByRole('button', { name: who }).first().click();
  await page.waitForURL(/\/records$/);
}

function recordLinks(page: Page) {
  return page.getByRole('main').getByRole('list').getByRole('link');
}

test('a resident logs in, reads a record, switches to English and logs out', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'わたしの予防接種' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(page.getByRole('link', { name: 'マイナポータルでログイン' })).toBeVisible();
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'home-360x800.png');

  await logInAs(page, /デモ住民 1\b/);

  await expect(page.getByRole('heading', { level: 1, name: '接種の記録' })).toBeVisible();
  await expect(recordLinks(page).first()).toBeVisible();
  await expect(recordLinks(page).first()).toContainText(/\d{4}年\d{1,2}月\d{1,2}日/);
  await expect(recordLinks(page).first()).toContainText(/\d+回目/);
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'records-360x800.png');

  await recordLinks(page).first().click();
  await expect(page).toHaveURL(/\/records\/[^/]+$/);
  await expect(page.getByText('ロット番号')).toBeVisible();
  const field = (label: string) =>
    page
      .locator('.facts__row')
      .filter({ has: page.locator('dt').getByText(label, { exact: true }) })
      .locator('dd');
  await expect(field('ロット番号')).toHaveText(/\S/);
  await expect(field('実施場所')).toHaveText(/\S/);
  await expect(field('医療機関コード')).toHaveText(/^\s*\d{10}\s*$/);
  await expect(page.getByRole('heading', { level: 2, name: '医療機関' })).toBeVisible();
  await expectNoAxeViolations(page);
  await screenshot(page, testInfo, 'record-detail-360x800.png');

  const english = page.getByRole('button', { name: 'English' });
  await english.click();
  await expect(english).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('button', { name: '日本語' })).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByText('Lot number')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Clinic' })).toBeVisible();
  await expect(field('Date')).toHaveText(/\d{1,2} [A-Z][a-z]+ \d{4}/);
  await expectNoAxeViolations(page);

  // The choice survives a reload.
  await page.reload();
  await expect(page.getByText('Lot number')).toBeVisible();

  await page.getByRole('link', { name: 'Back to your vaccination records' }).click();
  await expect(page).toHaveURL(/\/records$/);
  await expect(recordLinks(page).first()).toContainText(/Dose \d+/);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Log in with Mynaportal' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log out' })).toHaveCount(0);

  // The session is really gone on the server, not only in the page.
  await page.goto('/records');
  await expect(page.getByRole('heading', { name: 'Please log in' })).toBeVisible();
});

test('a resident who moved sees records from both municipalities', async ({ page }) => {
  await logInAs(page, /転居/);
  await expect(recordLinks(page).first()).toBeVisible();
  const list = page.getByRole('main').getByRole('list');
  await expect(list.getByText('千代田区').first()).toBeVisible();
  await expect(list.getByText('大阪市').first()).toBeVisible();
});

test('records without a login ask the person to log in', async ({ page }) => {
  await page.goto('/records');
  await expect(page.getByRole('heading', { level: 1, name: '接種の記録' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'ログインしてください' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'マイナポータルでログイン' })).toBeVisible();
  await expectNoAxeViolations(page);
});

test('an unknown record says it cannot be found and leads back to the list', async ({ page }) => {
  await logInAs(page, /デモ住民 1\b/);
  await page.goto('/records/no-such-record');
  await expect(page.getByRole('heading', { name: '記録が見つかりません' })).toBeVisible();
  await expect(page.getByRole('link', { name: '接種の記録の一覧に戻る' }).first()).toBeVisible();
  await expectNoAxeViolations(page);
});

test('an unknown page says so and links home', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'ページが見つかりません' })).toBeVisible();
  await page.getByRole('link', { name: 'トップページへ' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('the skip link is the first stop for keyboard users and moves to the content', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'マイナポータルでログイン' })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: '本文へ移動' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});
