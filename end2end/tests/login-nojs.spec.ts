import { expect, test } from '@playwright/test';
import { freshName } from './helpers';

// A browser without JavaScript, or a form sent before the page hydrates:
// every answer is a plain form post and a redirect back to the page.
test.use({ javaScriptEnabled: false });

test('without JavaScript, log-in shows its errors and the CAPTCHA as the app does', async ({ page }) => {
  const name = freshName('nojs');
  await page.goto('/signup');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Nickname').fill(`NoJS ${name}`);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  await page.getByLabel('Password').fill('s3cret!pw');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/verify$/);

  // A right password logs in without JavaScript.
  await page.context().clearCookies();
  await page.goto('/login');
  await page.getByLabel('Username or email').fill(name);
  await page.getByLabel('Password', { exact: true }).fill('s3cret!pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('account')).toContainText(`NoJS ${name}`);

  await page.context().clearCookies();
  await page.goto('/login');
  for (let i = 0; i < 3; i++) {
    await expect(page.getByTestId('captcha')).toHaveCount(0);
    await page.getByLabel('Username or email').fill(name);
    await page.getByLabel('Password', { exact: true }).fill('wrong!pw1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  }
  // The third failure brings the CAPTCHA, on the page the post came back to.
  const captcha = page.getByTestId('captcha');
  await expect(captcha).toBeVisible();
  const picture = captcha.getByRole('img');
  await expect(picture).toHaveAttribute('src', /^\/captcha\.png/);
  // (Nothing is evaluated in the page: its scripts are off.)
  const png = await page.request.get((await picture.getAttribute('src'))!);
  expect(png.headers()['content-type']).toBe('image/png');

  // A wrong answer is named under its field, and a new picture is shown.
  await page.getByLabel('Username or email').fill(name);
  await page.getByLabel('Password', { exact: true }).fill('s3cret!pw');
  await page.getByLabel('Characters in the picture').fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('#captcha-error')).toHaveText("That doesn't match.");
  await expect(page.getByTestId('captcha')).toBeVisible();
  await expect(page.getByTestId('account')).not.toContainText(`NoJS ${name}`);
});
