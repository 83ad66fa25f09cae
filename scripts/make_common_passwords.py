"""Write skyframe/accounts/data/common-passwords.txt from the zxcvbn package's list.

The list is the 30,000 most common passwords of public leaks that zxcvbn
(MIT, pinned in requirements-dev.txt) ships, most common first, case-folded.
SkyFrame reads the file at run time and does not need zxcvbn installed.

    .venv/bin/python scripts/make_common_passwords.py
"""

from __future__ import annotations

from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "skyframe/accounts/data/common-passwords.txt"
HEADER = "# The 30,000 most common passwords (zxcvbn's list); scripts/make_common_passwords.py\n"


def common_passwords() -> list[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    seen: dict[str, None] = {}
    for word in FREQUENCY_LISTS["passwords"]:
        seen.setdefault(word.casefold(), None)
    return list(seen)


def render() -> str:
    return HEADER + "".join(f"{word}\n" for word in common_passwords())


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
