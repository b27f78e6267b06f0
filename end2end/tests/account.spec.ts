import { expect, test } from '@playwright/test';
import { cardImage, freshName, grantAdmin, hydrated, outboxCode, signUp, signUpVerified, squareImage } from './helpers';

test('three wrong passwords bring up a CAPTCHA', async ({ page }) => {
  const name = freshName('cap');
  await signUp(page, name);
  await page.getByTestId('account').getByRole('button', { name: 'Log out' }).click();
  // Leaving before the log-out is answered could cancel it.
  await expect(page.getByTestId('account').getByRole('link', { name: 'Log in' })).toBeVisible();
  await page.goto('/login');
  await hydrated(page);
  for (let i = 0; i < 3; i++) {
    await expect(page.getByTestId('captcha')).toHaveCount(0);
    await page.getByLabel('Username or email').fill(name);
    await page.getByLabel('Password', { exact: true }).fill('wrong!pw1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  }
  const captcha = page.getByTestId('captcha');
  await expect(captcha).toBeVisible();
  await expect(captcha.getByRole('img')).toHaveJSProperty('complete', true);
  expect(await captcha.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(220);
  // The right password alone is not enough now.
  await page.getByLabel('Password', { exact: true }).fill('s3cret!pw');
  await page.getByLabel('Characters in the picture').fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('#captcha-error')).toHaveText("That doesn't match.");
  await expect(page.getByTestId('account')).not.toContainText(`Nick ${name}`);
});

test('ID card verification gives a badge, and the card cannot verify a second account', async ({ page, browser }) => {
  const name = freshName('id');
  await signUpVerified(page, name);
  await page.goto('/settings/identity');
  await hydrated(page);
  await page.getByLabel('ID number').fill('A123456789');
  await page.getByLabel('Photo of the card').setInputFiles({
    name: 'card.png',
    mimeType: 'image/png',
    buffer: await cardImage(page, 'A123456789'),
  });
  await page.getByRole('button', { name: 'Check my card' }).click();
  await expect(page.getByTestId('id-verified')).toHaveText('Your identity is verified.', { timeout: 30_000 });
  await expect(page.getByTestId('account').getByTestId('verified-badge')).toBeVisible();
  await page.goto(`/u/${name}`);
  await expect(page.getByTestId('member-page').getByTestId('verified-badge')).toBeVisible();

  const other = await browser.newContext();
  const second = await other.newPage();
  await signUpVerified(second, freshName('id'));
  await second.goto('/settings/identity');
  await hydrated(second);
  await second.getByLabel('ID number').fill('a123456789');
  await second.getByLabel('Photo of the card').setInputFiles({
    name: 'card.png',
    mimeType: 'image/png',
    buffer: await cardImage(second, 'A123456789'),
  });
  await second.getByRole('button', { name: 'Check my card' }).click();
  // A number another member holds goes to an admin; the answer is the one
  // an unreadable card gets, so it tells nobody whose number it is.
  await expect(second.getByTestId('id-in-review')).toBeVisible({ timeout: 30_000 });
  await expect(second.getByTestId('account').getByTestId('verified-badge')).toHaveCount(0);
  await other.close();
});

test('/admin: anonymous → log in, member → 403, admin → console', async ({ page }) => {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/login\?next=\/admin$/);

  const name = freshName('adm');
  await signUp(page, name);
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(403);
  await expect(page.getByTestId('forbidden')).toContainText('Admins only');

  grantAdmin(name);
  const again = await page.goto('/admin');
  expect(again?.status()).toBe(200);
  await expect(page.getByTestId('admin-console').getByRole('heading', { level: 1 })).toHaveText('Admin console');
  await expect(page.getByTestId('account').getByRole('link', { name: 'Admin' })).toBeVisible();
});

test('edit the profile and upload an avatar', async ({ page }) => {
  const name = freshName('pro');
  await signUp(page, name);
  await page.goto('/settings');
  await hydrated(page);
  await page.getByLabel('Nickname').fill(`Renamed ${name}`);
  await page.getByLabel('About you').fill('Second-hand books <b>cheap</b>.');
  await page.getByTestId('profile-form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('profile-form').getByRole('status')).toHaveText('Saved.');
  await expect(page.getByTestId('account')).toContainText(`Renamed ${name}`);

  await page.getByLabel('Profile picture').setInputFiles({
    name: 'me.png',
    mimeType: 'image/png',
    buffer: await squareImage(page, '#2f9e44'),
  });
  await page.getByTestId('avatar-form').getByRole('button', { name: 'Upload' }).click();
  const avatar = page.getByTestId('account').locator('img.avatar');
  await expect(avatar).toHaveAttribute('src', /^\/media\/[0-9a-f]{32}\.jpg$/);
  const src = await avatar.getAttribute('src');
  const image = await page.request.get(src!);
  expect(image.headers()['content-type']).toBe('image/jpeg');

  await page.goto(`/u/${name}`);
  const member = page.getByTestId('member-page');
  await expect(member).toContainText(`Renamed ${name}`);
  // User text is shown as text, never as markup.
  await expect(member.locator('.intro')).toHaveText('Second-hand books <b>cheap</b>.');
  await expect(member.locator('img.avatar')).toHaveAttribute('src', src!);
});

test('verify a phone by SMS in 繁體中文', async ({ page, context }) => {
  const name = freshName('tw');
  await signUp(page, name);
  await context.addCookies([{ name: 'i18n_pref_locale', value: 'zh-TW', url: page.url() }]);
  await page.goto('/settings');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('設定');
  const phone = `+8869${String(Date.now()).slice(-8)}`;
  await page.getByLabel('手機號碼').fill('0912345678');
  await page.getByTestId('phone-form').getByRole('button', { name: '寄送驗證碼' }).click();
  await expect(page.locator('#phone-error')).toHaveText('請以國際格式輸入，例如 +886 912 345 678。');
  await page.getByLabel('手機號碼').fill(phone);
  await page.getByTestId('phone-form').getByRole('button', { name: '寄送驗證碼' }).click();
  const form = page.getByTestId('phone-code-form');
  await expect(form).toBeVisible();
  await form.getByLabel('驗證碼').fill(outboxCode('sms.jsonl', phone));
  await form.getByRole('button', { name: '驗證' }).click();
  await expect(page.getByTestId('current-phone')).toContainText(phone);
  await expect(page.getByTestId('current-phone')).toContainText('已驗證');
});
