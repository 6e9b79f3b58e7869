"""Start ``switch-agent serve`` with a user whose password comes from a systemd credential.

``--user NAME:PASSWORD`` on a command line is readable by every local user (/proc/PID/cmdline),
so the unit passes only the credential's name; the password is read here from
``$CREDENTIALS_DIRECTORY`` (LoadCredential=, readable by the service alone) and the user is
added to the argument list in-process.

    serve.py --user-name admin --password-credential password -- SERVE-ARGS...
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user-name", required=True)
    parser.add_argument("--level", type=int, default=3)
    parser.add_argument("--password-credential", required=True, help="name of a LoadCredential= entry")
    parser.add_argument("serve_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if not folder:
        parser.error("CREDENTIALS_DIRECTORY is not set (run from a unit with LoadCredential=)")
    try:
        password = (Path(folder) / args.password_credential).read_text(encoding="utf-8").rstrip("\n")
    except OSError as exc:
        parser.error(f"cannot read credential {args.password_credential!r}: {exc.strerror}")
    if not password or ":" in password:
        parser.error("the password must be non-empty and cannot contain ':'")
    serve_args = [a for a in args.serve_args if a != "--"]

    import agent.main as cli

    env_name = getattr(cli, "PASSWORD_ENV", None)
    if env_name:  # a serve that takes --user NAME[:LEVEL] and the password from its environment
        os.environ[env_name] = password
        user = f"{args.user_name}:{args.level}"
    else:  # a serve that takes --user NAME:PASSWORD[:LEVEL] (in-process here, so on no command line)
        user = f"{args.user_name}:{password}:{args.level}"
    return cli.main(["serve", *serve_args, "--user", user])


if __name__ == "__main__":
    sys.exit(main())
