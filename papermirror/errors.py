"""Every exception a user may see, in one place; each is printed as a message, never a traceback.

    UserError          a problem the user can fix; exit 2 (mirror.yml, the command line)
    ├── ContentError   a content file or the ledger cannot be read; names the file (and line)
    ├── SearchError    a terminal search query lunr cannot parse or run; names the query
    ├── SettingError   an environment variable that cannot work (HF_ENDPOINT, HF_TOKEN, ...); names it
    ├── FetchError     the hub could not be reached or answered badly after every retry; exit 1
    └── PagefindError  Pagefind could not index site/; exit 1
"""


class UserError(Exception):
    """A problem the user can fix (config, content file, network); printed without a traceback."""

    exit_code = 2


class ContentError(UserError):
    """A content file that cannot be read; the message names the file (and line)."""


class SearchError(UserError):
    """A query lunr cannot parse or run; the message names the query and the problem."""


class SettingError(UserError):
    """An environment variable whose value cannot work; the message names the variable (never a token's value)."""


class FetchError(UserError):
    """The hub could not be reached or answered badly after every retry."""

    exit_code = 1


class PagefindError(UserError):
    """Pagefind could not index site/; the message says what failed."""

    exit_code = 1
