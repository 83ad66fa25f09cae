// The comments bottom sheet: the conversation with pagination, adding,
// replying, editing and deleting your own, liking. Used by the feed.
import { apiFetch } from "./api.js";
import { problemOf, showSheet, withId } from "./ui.js";

const sheet = document.getElementById("comments-sheet");
const feed = document.getElementById("feed");
const q = (role) => sheet.querySelector(`[data-role="${role}"]`);
const signedIn = document.body.dataset.signedIn === "true";
const myHandle = document.body.dataset.handle || "";
const list = q("comments-list");
const form = q("comment-form");
const textarea = form.querySelector("textarea");
const moreButton = sheet.querySelector("[data-action=more-comments]");
const PAGE = 20;

let post = null;
let onCount = () => {};
let cursor = null;
let replyTo = null;
let generation = 0; // ignores answers for a post the sheet no longer shows

const commentsUrl = (postId) => withId(feed.dataset.commentsUrl, postId);
const commentUrl = (commentId) => withId(feed.dataset.commentUrl, commentId);

function showError(text) {
  const element = q("comments-error");
  element.textContent = text || "";
  element.hidden = !text;
}

function button(label, action, extra = "") {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `btn btn-link btn-sm p-0 comment__action ${extra}`;
  element.dataset.action = action;
  element.textContent = label;
  return element;
}

function render(comment) {
  const item = document.createElement("li");
  item.className = "comment";
  item.id = `comment-${comment.id}`;
  item.dataset.commentId = String(comment.id);
  const avatar = document.createElement("img");
  avatar.className = "avatar comment__avatar";
  avatar.src = comment.author.avatar_url || "";
  avatar.width = 32;
  avatar.height = 32;
  avatar.alt = "";
  const main = document.createElement("div");
  main.className = "comment__main";
  const head = document.createElement("p");
  head.className = "comment__head small mb-1";
  const name = document.createElement("strong");
  name.textContent = comment.author.display_name;
  name.dir = "auto"; // user text takes its own direction
  const meta = document.createElement("span");
  meta.className = "text-body-secondary";
  const when = new Date(comment.created_at);
  meta.textContent = ` @${comment.author.handle} · ${when.toISOString().slice(0, 10)}${comment.edited_at ? " · edited" : ""}`;
  head.append(name, meta);
  const body = document.createElement("p");
  body.className = "comment__body mb-1";
  body.dataset.role = "comment-text";
  body.dir = "auto";
  if (comment.reply_to) {
    const mention = document.createElement("span");
    mention.className = "comment__mention";
    mention.textContent = `@${comment.reply_to.author.handle} `;
    body.append(mention);
  }
  body.append(document.createTextNode(comment.body));
  const actions = document.createElement("div");
  actions.className = "comment__actions small";
  const like = button("", "like-comment", "comment__like");
  like.setAttribute("aria-pressed", String(Boolean(comment.liked)));
  like.setAttribute("aria-label", `Like the comment by ${comment.author.display_name}`);
  like.innerHTML = '<i class="bi bi-heart" aria-hidden="true"></i><i class="bi bi-heart-fill" aria-hidden="true"></i> ';
  const count = document.createElement("span");
  count.dataset.role = "comment-like-count";
  count.textContent = String(comment.like_count);
  like.append(count);
  actions.append(like);
  if (signedIn) actions.append(button("Reply", "reply"));
  if (comment.can_edit) actions.append(button("Edit", "edit"));
  if (comment.can_delete) actions.append(button("Delete", "delete", "text-danger-emphasis"));
  if (signedIn && comment.author.handle !== myHandle) {
    const report = button("Report", "report-comment"); // opened by report.js
    Object.assign(report.dataset, { report: "comment", reportId: String(comment.id) });
    actions.append(report);
  }
  main.append(head, body, actions);
  item.append(avatar, main);
  item.comment = comment;
  return item;
}

async function loadPage() {
  const mine = generation;
  const url = new URL(commentsUrl(post.id), window.location.href);
  url.searchParams.set("limit", String(PAGE));
  if (cursor) url.searchParams.set("cursor", cursor);
  moreButton.disabled = true;
  let response = null;
  try {
    response = await apiFetch(url);
  } catch {
    response = null;
  }
  if (mine !== generation) return;
  moreButton.disabled = false;
  if (!response || !response.ok) {
    showError(await problemOf(response));
    return;
  }
  const page = await response.json();
  list.append(...page.items.map(render));
  cursor = page.next_cursor;
  moreButton.hidden = !page.has_more;
  q("comments-empty").hidden = list.children.length > 0;
}

function setReply(comment) {
  replyTo = comment;
  q("reply-to").hidden = !comment;
  q("reply-to-name").textContent = comment ? `@${comment.author.handle}` : "";
  if (comment) textarea.focus();
}

function setCount(count) {
  post.comment_count = count;
  onCount(count);
}

/** Opens the sheet on ``item``; ``countChanged(n)`` hears about new and deleted comments. */
export function openComments(item, countChanged) {
  generation += 1;
  post = item;
  onCount = countChanged || (() => {});
  cursor = null;
  list.replaceChildren();
  showError("");
  setReply(null);
  q("comments-empty").hidden = true;
  moreButton.hidden = true;
  q("comment-error").textContent = "";
  form.hidden = !signedIn;
  q("comment-login").hidden = signedIn;
  sheet.querySelector("#comments-sheet-title").textContent = `Comments · ${item.title}`;
  showSheet(sheet);
  loadPage();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = textarea.value.trim();
  const error = q("comment-error");
  if (!body) {
    error.textContent = "Write something first.";
    textarea.focus();
    return;
  }
  error.textContent = "";
  const submit = form.querySelector("[type=submit]");
  submit.disabled = true;
  let response = null;
  try {
    const json = replyTo ? { body, reply_to: replyTo.id } : { body };
    response = await apiFetch(commentsUrl(post.id), { method: "POST", json });
  } catch {
    response = null;
  }
  submit.disabled = false;
  if (!response || response.status !== 201) {
    error.textContent = await problemOf(response);
    return;
  }
  const comment = await response.json();
  const element = render(comment);
  list.append(element);
  q("comments-empty").hidden = true;
  textarea.value = "";
  textarea.style.height = "";
  setReply(null);
  setCount(post.comment_count + 1);
  element.scrollIntoView({ block: "nearest" });
});

textarea.addEventListener("input", () => {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
});

function startEdit(element) {
  const comment = element.comment;
  const body = element.querySelector("[data-role=comment-text]");
  const editor = document.createElement("form");
  editor.className = "comment__editor";
  const label = document.createElement("label");
  label.className = "visually-hidden";
  label.htmlFor = `edit-${comment.id}`;
  label.textContent = "Edit your comment";
  const input = document.createElement("textarea");
  input.className = "form-control form-control-sm mb-1";
  input.id = `edit-${comment.id}`;
  input.maxLength = 2000;
  input.dir = "auto";
  input.value = comment.body;
  const save = document.createElement("button");
  save.type = "submit";
  save.className = "btn btn-sm btn-primary me-2";
  save.textContent = "Save";
  const cancel = button("Cancel", "cancel-edit");
  const problem = document.createElement("div");
  problem.className = "text-danger small";
  problem.setAttribute("role", "alert");
  editor.append(label, input, save, cancel, problem);
  body.hidden = true;
  body.after(editor);
  input.focus();
  cancel.addEventListener("click", () => {
    editor.remove();
    body.hidden = false;
  });
  editor.addEventListener("submit", async (event) => {
    event.preventDefault();
    let response = null;
    try {
      response = await apiFetch(commentUrl(comment.id), { method: "PATCH", json: { body: input.value } });
    } catch {
      response = null;
    }
    if (!response || !response.ok) {
      problem.textContent = await problemOf(response);
      return;
    }
    element.replaceWith(render(await response.json()));
  });
}

list.addEventListener("click", async (event) => {
  const action = event.target.closest("[data-action]");
  if (!action) return;
  const element = action.closest(".comment");
  const comment = element.comment;
  const name = action.dataset.action;
  if (name === "reply") setReply(comment);
  else if (name === "edit") startEdit(element);
  else if (name === "delete") {
    if (!window.confirm("Delete this comment?")) return;
    let response = null;
    try {
      response = await apiFetch(commentUrl(comment.id), { method: "DELETE" });
    } catch {
      response = null;
    }
    if (!response || !response.ok) {
      showError(await problemOf(response));
      return;
    }
    element.remove();
    q("comments-empty").hidden = list.children.length > 0;
    setCount(Math.max(0, post.comment_count - 1));
  } else if (name === "like-comment") {
    if (!signedIn) {
      window.location.assign(q("comment-login").href);
      return;
    }
    const on = action.getAttribute("aria-pressed") !== "true";
    let response = null;
    try {
      response = await apiFetch(`${commentUrl(comment.id)}/like`, { method: on ? "POST" : "DELETE" });
    } catch {
      response = null;
    }
    if (!response || !response.ok) {
      showError(await problemOf(response));
      return;
    }
    const state = await response.json();
    comment.liked = state.liked;
    comment.like_count = state.like_count;
    action.setAttribute("aria-pressed", String(state.liked));
    action.querySelector("[data-role=comment-like-count]").textContent = String(state.like_count);
  }
});

sheet.querySelector("[data-action=cancel-reply]").addEventListener("click", () => setReply(null));
moreButton.addEventListener("click", loadPage);

// Keyboard-safe on phones: keep the form above the on-screen keyboard.
if (window.visualViewport) {
  const lift = () => {
    const hidden = window.innerHeight - window.visualViewport.height - window.visualViewport.offsetTop;
    sheet.style.setProperty("--keyboard-inset", `${Math.max(0, hidden)}px`);
  };
  window.visualViewport.addEventListener("resize", lift);
  window.visualViewport.addEventListener("scroll", lift);
}
