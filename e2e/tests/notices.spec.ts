// Notices (接種勧奨) and due vaccinations for residents on a 360 x 800 phone, against the real
// backend (the local server runs the recommendation job over the demo data at start): a parent
// logs in as their children's proxy, sees a child's due vaccinations with their dates and an
// unread notice, opens it and it is read (on the server too); the page of everyone's notices
// lists them newest first and marks unread ones in words. axe on each screen in ja and en.
import { test, expect, type Page, type TestInfo, type APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

test.use({ viewport: { width: 360, height: 800 } });

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

/** Logs in through the simulator as the demo parent, as the proxy of their children. */
async function logInAsProxy(page: Page) {
  await page.goto('/');
  await page.getByRole('link', { name: 'マイナポータルでログイン' }).click();
  await page.waitForURL(/\/sim\/mynaportal\//);
  await page.getByRole('button', { name: /代理人として/ }).first().click();
  await page.waitForURL(/\/records$/);
}

interface Person {
  handle: string;
  relation: 'self' | 'proxy';
  name: string;
}

interface Notice {
  id: string;
  title_ja: string;
  title_en: string;
  body_ja: string;
  created_at: string;
  read: boolean;
}

async function people(request: APIRequestContext): Promise<Person[]> {
  return (await (await request.get('/api/resident/people')).json()).people;
}

async function noticesOf(request: APIRequestContext, person: Person): Promise<Notice[]> {
  const answer = await request.get(`/api/resident/people/${person.handle}/notifications`);
  expect(answer.ok()).toBeTruthy();
  return (await answer.json()).notices;
}

/** A child of the demo parent with an unread notice and a vaccination due or coming. */
async function childWithUnreadNotice(request: APIRequestContext): Promise<Person> {
  for (const person of (await people(request)).filter((p) => p.relation === 'proxy')) {
    const unread = (await noticesOf(request, person)).some((n) => !n.read);
    const schedule = await (await request.get(`/api/resident/people/${person.handle}/schedule`)).json();
    if (unread && schedule.people[0].entries.length > 0) return person;
  }
  throw new Error('the demo parent has no child with an unread notice and a due vaccination');
}

/** Switches the UI language with the header's toggle. */
async function uiLanguage(page: Page, name: '日本語' | 'English') {
  await page.getByRole('button', { name, exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', name === 'English' ? 'en' : 'ja');
}

test("a parent sees their child's due vaccinations and an unread notice, and opening it marks it read", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await logInAsProxy(page);
  const child = await childWithUnreadNotice(page.request);
  const before = await noticesOf(page.request, child);
  const target = before.findIndex((n) => !n.read);

  await page.goto(`/forms/${child.handle}`);
  await expect(page.getByText(`${child.name}さんの予診票`)).toBeVisible();

  // Due vaccinations: status in words and the dates.
  const schedule = page.getByRole('region', { name: '接種の予定' });
  const firstDue = schedule.locator('.due-card').first();
  await expect(firstDue).toBeVisible();
  await expect(firstDue.locator('.tag')).toHaveText(
    /接種の時期です|接種の時期を過ぎています|まもなく|接種できます|間隔/,
  );
  await expect(firstDue.getByText('接種できる日')).toBeVisible();
  await expect(firstDue.getByText('おすすめの日')).toBeVisible();
  await expect(firstDue.getByText('定期接種の期限')).toBeVisible();
  await expect(firstDue.locator('dd').first()).toHaveText(/\d{4}年\d{1,2}月\d{1,2}日/);

  // The notices, in the API's order (newest first); the unread one says so in words.
  const notices = page.getByRole('region', { name: 'お知らせ' });
  const cards = notices.locator('.notice-card');
  await expect(cards).toHaveCount(before.length);
  await expect(notices.locator('.notice-card__title')).toHaveText(before.map((n) => n.title_ja));
  await expect(notices.getByRole('status')).toHaveText(`未読 ${before.filter((n) => !n.read).length}件`);
  const card = cards.nth(target);
  const toggle = card.getByRole('button');
  await expect(toggle).toHaveAccessibleName(new RegExp(`^未読 ${escape(before[target].title_ja)}$`));
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(card.locator('.notice-card__body')).toBeHidden();
  await expectNoAxeViolations(page, 'person page ja');
  await screenshot(page, testInfo, 'person-notices-ja-360x800.png');

  // Opening it shows the text and marks it read.
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(card.locator('.notice-card__body')).toBeVisible();
  await expect(card.locator('.notice-card__body')).toContainText(before[target].body_ja.slice(0, 10));
  await expect(toggle).toHaveAccessibleName(before[target].title_ja);
  await expect(notices.getByRole('status')).toHaveText(`未読 ${before.filter((n) => !n.read).length - 1}件`);
  await expect
    .poll(async () => (await noticesOf(page.request, child)).find((n) => n.id === before[target].id)?.read)
    .toBe(true);
  await expectNoAxeViolations(page, 'person page ja, notice open');

  // English.
  await uiLanguage(page, 'English');
  await expect(page.getByRole('region', { name: 'Vaccinations due and coming up' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Notices' }).locator('.notice-card__title').nth(target)).toHaveText(
    before[target].title_en,
  );
  await expectNoAxeViolations(page, 'person page en');
  await screenshot(page, testInfo, 'person-notices-en-360x800.png');
  await uiLanguage(page, '日本語');
});

test("the notices page lists everyone's notices newest first, and an opened one stays read", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await logInAsProxy(page);
  // The first-load app only links to it.
  await page.getByRole('navigation', { name: 'メニュー' }).getByRole('link', { name: 'お知らせ' }).click();
  await page.waitForURL(/\/notices$/);
  await expect(page.getByRole('heading', { level: 1, name: 'お知らせ' })).toBeVisible();

  const all: (Notice & { person: string })[] = [];
  for (const person of await people(page.request)) {
    all.push(...(await noticesOf(page.request, person)).map((n) => ({ ...n, person: person.name })));
  }
  all.sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id));
  expect(all.some((n) => !n.read)).toBeTruthy();
  const cards = page.locator('.notice-card');
  await expect(cards).toHaveCount(all.length);
  await expect(page.locator('.notice-card__title')).toHaveText(all.map((n) => n.title_ja));
  await expect(page.locator('.notice-card__meta')).toContainText(all.map((n) => `対象の方 ${n.person}`));
  // Unread ones say so in words, read ones do not.
  for (const [i, n] of all.entries()) {
    await expect(cards.nth(i).getByText('未読', { exact: true })).toHaveCount(n.read ? 0 : 1);
  }
  await expectNoAxeViolations(page, 'notices ja');
  await screenshot(page, testInfo, 'notices-ja-360x800.png');

  const target = all.findIndex((n) => !n.read);
  await cards.nth(target).getByRole('button').click();
  await expect(cards.nth(target).getByText('未読', { exact: true })).toHaveCount(0);
  await expect(cards.nth(target).locator('.notice-card__body')).toBeVisible();

  // Still read after a reload: the server has it.
  await page.reload();
  await expect(cards).toHaveCount(all.length);
  await expect(cards.nth(target).getByRole('button')).toHaveAccessibleName(all[target].title_ja);
  await uiLanguage(page, 'English');
  await expect(page.getByRole('heading', { level: 1, name: 'Notices' })).toBeVisible();
  await expect(page.locator('.notice-card__title').nth(target)).toHaveText(all[target].title_en);
  await expectNoAxeViolations(page, 'notices en');
  await screenshot(page, testInfo, 'notices-en-360x800.png');
  await uiLanguage(page, '日本語');
});

/** `text` as a literal inside a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
