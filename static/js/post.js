// Post page: placeholder colour, waiting for processing, confirming deletes.
const figure = document.querySelector(".post-image[data-placeholder-color]");
if (figure && figure.dataset.placeholderColor) {
  figure.style.backgroundColor = figure.dataset.placeholderColor;
}

const notice = document.getElementById("processing-notice");
if (notice) {
  const poll = async () => {
    try {
      const response = await fetch(notice.dataset.postUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const post = await response.json();
        if (post.status !== "processing") {
          window.location.reload();
          return;
        }
      }
    } catch {
      // offline for a moment: keep waiting
    }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
}

document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
