// The access tokens page: the Copy button beside a new token's secret.
// Without JavaScript (or clipboard access) the secret stays selectable in
// its read-only field, so the button only shows where it can work.
const secret = document.querySelector('[data-role="token-secret"]');
const button = document.querySelector('[data-role="copy-token"]');
const status = document.querySelector('[data-role="copy-status"]');
if (secret && button && navigator.clipboard) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret.value);
      button.textContent = "Copied";
      status.textContent = "The token is copied.";
    } catch {
      secret.select();
      status.textContent = "Could not copy: the token is selected, copy it yourself.";
    }
  });
  secret.addEventListener("focus", () => secret.select());
}
