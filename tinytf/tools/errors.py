"""The ``tinytf`` command's user errors and exit statuses."""

EXIT_USER, EXIT_INTERRUPT = 2, 130


class UserError(Exception):
    """Something the user can fix; printed as one message, exit status 2."""
