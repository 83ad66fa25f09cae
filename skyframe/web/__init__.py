"""Request glue shared by the doors: who is asking, body caps, rate-limit keys,
error answers, security headers, sign-in sessions, uploads, static files, URLs."""
