import { expect, test } from '@playwright/test';
import { freshName, hydrated, outboxCode } from './helpers';

test('sign up, verify the email with the mailed code, log out and log in again', async ({ page }) => {
  // A panic in the app's WASM stops it for the rest of the visit.
  const panics: string[] = [];
  page.on('console', (m) => m.text().includes('panicked') && panics.push(m.text()));
  page.on('pageerror', (e) => panics.push(e.message));
  const name = freshName();
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create your Haggle account');

  await page.getByLabel('Username').fill(name);
  await expect(page.getByText('Available')).toBeVisible();
  await page.getByLabel('Nickname').fill(`Nick ${name}`);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  // The password rules are checked while typing, before anything is sent.
  await page.getByLabel('Password').fill('short');
  await expect(page.locator('#password-error')).toHaveText('At least 8 characters.');
  await page.getByLabel('Password').fill('longenough1');
  await expect(page.locator('#password-error')).toHaveText('Needs at least one symbol, such as ! or #.');
  await page.getByLabel('Password').fill('s3cret!pw');
  await expect(page.locator('#password-error')).toHaveText('');
  // Submitting right after typing a name leaves its availability check
  // pending while the page goes away.
  await page.getByLabel('Nickname').fill(`Nick ${name}`);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/verify$/);
  const account = page.getByTestId('account');
  await expect(account).toContainText(`Nick ${name}`);
  await expect(page.getByText(`We sent a 6-digit code to ${name}@example.com.`)).toBeVisible();
  await page.getByLabel('Code').fill('000000' === outboxCode('mail.jsonl', `${name}@example.com`) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('#email-code-error')).toHaveText("That doesn't match.");
  await page.getByLabel('Code').fill(outboxCode('mail.jsonl', `${name}@example.com`));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('email-verified')).toHaveText(`${name}@example.com is verified.`);

  await account.getByRole('button', { name: 'Log out' }).click();
  await expect(account.getByRole('link', { name: 'Log in' })).toBeVisible();
  await account.getByRole('link', { name: 'Log in' }).click();

  await page.getByLabel('Username or email').fill(name);
  await page.getByLabel('Password').fill('wrong!pw1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await page.getByLabel('Password').fill('s3cret!pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(account).toContainText(`Nick ${name}`);

  // The session survives a reload: it lives on the server, behind an HttpOnly cookie.
  await page.reload();
  await expect(account).toContainText(`Nick ${name}`);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'haggle_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
  expect(panics).toEqual([]);
});

test('a taken username or nickname is flagged while typing', async ({ page }) => {
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Username').fill('mei'); // a demo account
  await expect(page.locator('#username-error')).toHaveText('Already taken.');
  await page.getByLabel('Nickname').fill('준호');
  await expect(page.locator('#nickname-error')).toHaveText('Already taken.');
  await page.getByLabel('Username').fill('9lives');
  await expect(page.locator('#username-error')).toHaveText('Must start with a letter.');
});

test('signing up works without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const name = freshName();
  await page.goto('/signup');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Nickname').fill(`NoJS ${name}`);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  await page.getByLabel('Password').fill('s3cret!pw');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/verify$/);
  await expect(page.getByTestId('account')).toContainText(`NoJS ${name}`);
  // The code form is a plain form too.
  await page.getByLabel('Code').fill(outboxCode('mail.jsonl', `${name}@example.com`));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('email-verified')).toBeVisible();
  await context.close();
});

test('the sign-up form speaks the chosen language', async ({ page }) => {
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Language').selectOption('ko');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Haggle 계정 만들기');
  await page.getByLabel('비밀번호').fill('abc');
  await expect(page.locator('#password-error')).toHaveText('8자 이상이어야 해요.');
  await page.getByLabel('언어').selectOption('en');
});
