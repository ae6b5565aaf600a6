"""The password rule: long enough, and not a common or easily guessed one.

"Common" is decided by zxcvbn (PyPI), which ships 30,000 of the most used passwords
with word lists, keyboard walks, sequences, repeats and dates, and estimates how many
guesses an attacker needs. A password it rates below "safely unguessable" (score 3,
about 10^8 guesses) is refused: `password1234`, `qwertyuiop123`, `123456789012`.
Used by the sign-up and password forms and by `flask users create` alike.
"""

from zxcvbn import zxcvbn

from portal.messages import N_, MessageError

MIN_LENGTH, MAX_LENGTH = 12, 128
MIN_SCORE = 3
CHECKED = 72  # zxcvbn reads at most this much; a longer password is judged by its start


class WeakPassword(MessageError):
    """A password the rule refuses; the message says why."""


def check_password(password: str) -> None:
    """Raise WeakPassword unless the password is 12–128 characters and hard to guess."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPassword(
            N_("Use %(low)s to %(high)s characters."), low=MIN_LENGTH, high=MAX_LENGTH
        )
    if zxcvbn(password[:CHECKED])["score"] < MIN_SCORE:
        raise WeakPassword(
            N_(
                "This password is too common or too easy to guess. "
                "A few unrelated words make a good one."
            )
        )
