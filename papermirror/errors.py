"""The one exception a user sees as a message instead of a traceback."""


class UserError(Exception):
    """A problem the user can fix (config, content file, network); printed without a traceback."""

    exit_code = 2


class FetchError(UserError):
    """The hub could not be reached or answered badly after every retry."""

    exit_code = 1
